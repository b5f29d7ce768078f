import Foundation
import Testing

/// The sandbox escape suite (issue #4): a plugin (`Tests/FolioCLITests/plugins/escape`) makes
/// each attempt in turn; every one must be refused or stopped with a clear error, without a
/// crash and without any effect outside.
@Suite("sandbox escape suite", .serialized) struct EscapeTests {
  static let attempts: [(String, String)] = [
    ("io_open", "attempt to index a nil value (global 'io')"),
    ("os_execute", "attempt to call a nil value (field 'execute')"),
    ("os_exit", "attempt to call a nil value (field 'exit')"),
    ("os_getenv", "attempt to call a nil value (field 'getenv')"),
    ("os_remove", "attempt to call a nil value (field 'remove')"),
    ("os_rename", "attempt to call a nil value (field 'rename')"),
    ("os_tmpname", "attempt to call a nil value (field 'tmpname')"),
    ("require_c", "attempt to call a nil value (global 'require')"),
    ("package_loadlib", "attempt to index a nil value (global 'package')"),
    ("dofile", "attempt to call a nil value (global 'dofile')"),
    ("loadfile", "attempt to call a nil value (global 'loadfile')"),
    ("string_dump", "attempt to call a nil value (field 'dump')"),
    ("binary_chunk", "attempt to load a binary chunk"),
    ("load_mode_b", "attempt to load a binary chunk (mode is 't')"),
    ("debug_registry", "attempt to index a nil value (global 'debug')"),
    ("string_metatable", "attempt to index a boolean value"),
    ("document_metatable", "attempt to index a string value"),
    ("setmetatable_doc", "bad argument #1 to 'setmetatable' (table expected, got Document)"),
    ("gc_by_hand", "attempt to call a nil value (field '__gc')"),
    ("collect_stop", "collectgarbage('stop') is not allowed in plugins (only 'count')"),
    ("collect_step", "collectgarbage('step') is not allowed in plugins (only 'count')"),
    ("loop", "limit exceeded"),
    ("pcall_loop", "limit exceeded"),
    ("xpcall_handler", "limit exceeded"),
    ("coroutine_loop", "limit exceeded"),
    ("coroutine_yield_catch", "limit exceeded"),
    ("deep_recursion", "stack overflow"),
    ("string_rep", "resulting string too large"),
    ("huge_table", "not enough memory (limit 64 MiB)"),
    ("huge_strings", "limit"),
    ("lua_pattern_catastrophic", "limit exceeded"),
    ("lua_gsub_catastrophic", "limit exceeded"),
    ("folio_re_catastrophic", "pattern too slow for this text"),
    ("error_object_tostring", "(error object is a table value)"),
    (
      "read_file_unasked",
      "may not read files under its own folder: its plugin.toml must ask for it with permissions = [\"read\"]"
    ),
    (
      "write_file_unasked",
      "may not write files into a folder you name: its plugin.toml must ask for it with permissions = [\"write\"]"
    ),
    (
      "use_closed_document",
      "this Document is closed: it was valid only during the call that received it"
    ),
  ]

  @Test("each attempt is refused or stopped, with a clear error and exit 65", arguments: attempts)
  func attempt(_ name: String, _ expected: String) throws {
    let sentinel = FileManager.default.temporaryDirectory.appendingPathComponent(
      "folio-escape-\(UUID())")
    let keep = sentinel.appendingPathExtension("keep")
    try Data("do not remove".utf8).write(to: keep)
    defer {
      try? FileManager.default.removeItem(at: keep)
      try? FileManager.default.removeItem(at: sentinel)
    }
    // Two documents: the closed-document attempt keeps the first and reads it in the second.
    let corpus = [
      "Examples/news/000_45508004cb4e5294.txt", "Examples/news/001_8928edc5fd0e2583.txt",
    ]
    let r = try CLI.run(
      ["run"] + corpus + [
        "-p", "Tests/FolioCLITests/plugins/escape:attempt=\(name),sentinel=\(sentinel.path)",
        "--max-instructions", "50000000", "--timeout", "2", "--max-memory", "64", "-j", "1",
        "-q",
      ])
    #expect(r.status == 65, "\(name): exit \(r.status)\n\(r.stderr)")
    #expect(r.stderr.contains(expected), "\(name): \(r.stderr)")
    #expect(r.stderr.hasPrefix("Error: plugin 'escape': "), "\(name): \(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: sentinel.path), "\(name) created a file")
    #expect(FileManager.default.fileExists(atPath: keep.path), "\(name) removed a file")
    #expect(
      !r.stdout.contains(NSHomeDirectory()) && !r.stderr.contains("/root"),
      "\(name) leaked the environment")
  }

  /// Runaway code under the default limits (no instruction budget): the watchdog's deadline
  /// stops it, in coroutines and through `pcall` and `xpcall` handlers as well.
  @Test(
    "runaway attempts stop at the deadline alone",
    arguments: [
      "loop", "pcall_loop", "xpcall_handler", "coroutine_loop", "coroutine_yield_catch",
      "lua_pattern_catastrophic", "lua_gsub_catastrophic",
    ])
  func runawayAtDeadline(_ name: String) throws {
    let start = Date()
    let r = try CLI.run([
      "run", "Examples/news/000_45508004cb4e5294.txt", "-p",
      "Tests/FolioCLITests/plugins/escape:attempt=\(name),sentinel=/nonexistent/folio-escape",
      "--timeout", "0.3", "-j", "1", "-q",
    ])
    #expect(r.status == 65, "\(name): exit \(r.status)\n\(r.stderr)")
    #expect(r.stderr.contains("time limit exceeded (0.3 s)"), "\(name): \(r.stderr)")
    #expect(Date().timeIntervalSince(start) < 5, "\(name) ran long")
  }

  @Test("there are at least 25 attempts")
  func count() { #expect(Self.attempts.count >= 25) }
}
