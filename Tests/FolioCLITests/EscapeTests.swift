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
    ("int_remove", "bad argument #2 to 'remove' (number out of range (-2^53 to 2^53))"),
    ("int_add_span", "bad argument #2 to 'add' (number out of range (-2^53 to 2^53))"),
    ("int_add_nan", "bad argument #2 to 'add' (number has no integer representation)"),
    ("int_add_inf", "bad argument #3 to 'add' (number has no integer representation)"),
    ("int_cut", "bad argument #1 to 'cut' (number out of range (-2^53 to 2^53))"),
    ("int_original", "bad argument #1 to 'original' (number out of range (-2^53 to 2^53))"),
    ("int_text_of", "bad argument #1 to 'text_of' (number out of range (-2^53 to 2^53))"),
    (
      "int_minhash_size",
      "bad argument #1 to 'minhash' ('size' must be an integer from 1 to 1024, got 9223372036854775807)"
    ),
    (
      "int_minhash_shingle",
      "bad argument #1 to 'minhash' ('shingle' must be an integer from 1 to 64, got -9223372036854775808)"
    ),
    ("int_counter_max", "bad argument #2 to 'add' (number out of range (-2^53 to 2^53))"),
    ("int_counter_min", "bad argument #2 to 'add' (number out of range (-2^53 to 2^53))"),
    ("int_counter_sum", "bad argument #2 to 'add' (the count would leave the range -2^53 to 2^53)"),
    ("int_counter_top", "bad argument #1 to 'top' (number out of range (-2^53 to 2^53))"),
    (
      "int_counter_min_option",
      "bad argument #1 to 'items' ('min' must be an integer from -9007199254740992 to 9007199254740992, got 9.2233720368548e+18)"
    ),
    ("int_top", "bad argument #2 to 'top' (number out of range (-2^53 to 2^53))"),
    (
      "int_clusters_bands",
      "bad argument #2 to 'minhash_clusters' ('bands' must be an integer from 1 to 1024, got 9223372036854775807)"
    ),
    ("int_re_init", "bad argument #2 to 'find' (number out of range (-2^53 to 2^53))"),
    ("int_text_sub", "bad argument #2 to 'sub' (number out of range (-2^53 to 2^53))"),
    ("int_spans_within", "'within' must be {first, last} with 1 <= first <= last + 1"),
    (
      "gc_finalizer",
      "__gc metamethods are not allowed in plugins (a finalizer runs outside the limits)"
    ),
    ("gc_false_then_set", "__gc metamethods are not allowed in plugins"),
    ("close_loop", "limit exceeded"),
    ("close_after_error", "limit exceeded"),
    ("table_move_huge", "limit exceeded"),
    ("table_concat_huge", "limit"),
    ("find_plain_long", "done in time"),
    ("nested_close", "survived: C stack overflow (coroutines nested too deeply)"),
    ("nested_wrap", "bytes in all) - while tagging document"),
    ("error_huge", "EEEE... (message cut: 10000049 bytes in all)"),
    (
      "use_closed_meta_read",
      "this Meta is closed: it was valid only during the call that received it"
    ),
    ("use_closed_meta_write", "this Meta is closed"),
    ("use_closed_meta_pairs", "this Meta is closed"),
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
    let start = Date()
    let r = try CLI.run(
      ["run"] + corpus + [
        "-p", "Tests/FolioCLITests/plugins/escape:attempt=\(name),sentinel=\(sentinel.path)",
        "--max-instructions", "50000000", "--timeout", "2", "--max-memory", "64", "-j", "1",
        "-q",
      ])
    #expect(r.status == 65, "\(name): exit \(r.status)\n\(r.stderr)")
    #expect(r.stderr.contains(expected), "\(name): \(r.stderr)")
    #expect(r.stderr.hasPrefix("Error: plugin 'escape': "), "\(name): \(r.stderr)")
    // Two documents, each stopped at its 2 s deadline at the latest: no run goes past its limit
    // by more than 1 s, and no message floods stderr.
    #expect(Date().timeIntervalSince(start) < 2 * 2 + 1, "\(name) ran past its limits")
    #expect(r.stderr.utf8.count < 16 * 1024, "\(name): \(r.stderr.utf8.count) bytes on stderr")
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
      "lua_pattern_catastrophic", "lua_gsub_catastrophic", "close_loop", "close_after_error",
      "table_move_huge", "table_concat_huge",
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

  @Test("there are at least 60 attempts")
  func count() { #expect(Self.attempts.count >= 60) }
}
