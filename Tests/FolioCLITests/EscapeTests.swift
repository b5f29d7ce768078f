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
    ("minhash_quadratic", "limit exceeded"),
    ("regex_tag_slow", "limit exceeded"),
    ("regex_bitmap_slow", "limit exceeded"),
    ("unpack_huge", "too many results to unpack"),
    ("unpack_minmax", "too many results to unpack"),
    ("insert_far", "bad argument #2 to 'insert' (position out of bounds)"),
    ("remove_far", "bad argument #1 to 'remove' (position out of bounds)"),
    ("codepoint_long", "stack overflow (string slice too long)"),
    ("utf8_char_huge", "bad argument #1 to 'char' (value out of range)"),
    ("format_width", "invalid conversion specification: '%099999d'"),
    ("pack_huge", "integral size (17) out of limits [1,16]"),
    ("rep_sep_huge", "resulting string too large"),
    ("os_time_far", "field 'year' is out-of-bound"),
    ("os_date_bad", "bad argument #1 to 'date' (invalid conversion specifier '%Ez')"),
    ("index_loop", "'__index' chain too long; possible loop"),
    ("tostring_loop", "limit exceeded"),
    ("load_huge", "C stack overflow"),
    ("json_deep", "not JSON: nested more than 512 deep at byte 513"),
    ("json_cycle", "bad argument #1 to 'encode' (cannot encode: [\"self\"][\"self\"]"),
    ("state_cycle", "bad argument #1 to 'encode' (cannot encode: [2][2]"),
    ("gazetteer_huge", "not enough memory (limit 64 MiB)"),
    ("gc_via_index", "no finalizer ran"),
    (
      "collect_incremental",
      "collectgarbage('incremental') is not allowed in plugins (only 'count')"
    ),
    ("find_init_extreme", "positions clamped"),
    ("gsub_repl_huge", "not enough memory (limit 64 MiB)"),
    ("coroutine_close_loop", "limit exceeded"),
    ("hoard_counter", "not enough memory (limit 64 MiB)"),
    ("hoard_counters", "not enough memory (limit 64 MiB)"),
    ("hoard_spans", "not enough memory (limit 64 MiB)"),
    ("hoard_meta", "not enough memory (limit 64 MiB)"),
    ("hoard_after_pcall", "limit exceeded"),
    ("hoard_merge", "not enough memory (limit 64 MiB)"),
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
      "table_move_huge", "table_concat_huge", "minhash_quadratic", "regex_tag_slow",
      "regex_bitmap_slow",
      "tostring_loop", "coroutine_close_loop",
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

  /// Runs `folio run` with `arguments` and returns its exit status and peak resident memory.
  static func peakMemory(_ arguments: [String]) -> (status: Int32, kib: Int) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([CLI.binary.path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, CLI.binary.path, &actions, nil, argv, environ) == 0 else {
      return (-1, 0)
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    return ((status >> 8) & 0xFF, usage.ru_maxrss)
  }

  /// What a plugin makes the host hold counts against --max-memory: a plugin hoarding
  /// counters, spans or metadata peaks at 64 MiB above Folio's own baseline, not gigabytes.
  @Test(
    "hoarding plugins stay within --max-memory plus the baseline",
    arguments: ["hoard_counter", "hoard_counters", "hoard_spans", "hoard_meta", "hoard_merge"])
  func hoarding(_ name: String) {
    func run(_ attempt: String) -> (status: Int32, kib: Int) {
      Self.peakMemory([
        "run", CLI.root.appendingPathComponent("Examples/news/000_45508004cb4e5294.txt").path,
        "-p",
        CLI.root.appendingPathComponent("Tests/FolioCLITests/plugins/escape").path
          + ":attempt=\(attempt),sentinel=/nonexistent/x",
        "--max-memory", "64", "--timeout", "10", "-j", "1", "-q",
      ])
    }
    let baseline = run("gc_by_hand")
    let hoard = run(name)
    #expect(baseline.status == 65 && hoard.status == 65)
    #expect(
      hoard.kib <= baseline.kib + 64 * 1024,
      "\(name): \(hoard.kib) KiB, baseline \(baseline.kib) KiB")
  }

  /// PCRE2's match limit counts one start position at a time; Folio's search asks the deadline
  /// before each, so a slow pattern over a 12 KB document stops at --timeout (it ran 30 s).
  @Test("the shipped regex plugin stops at --timeout on a slow pattern")
  func slowRegexTag() throws {
    let dir = try CLI.workspace(["corpus/long.txt": String(repeating: "a", count: 12_000)])
    defer { try? FileManager.default.removeItem(at: dir) }
    let start = Date()
    let r = try CLI.run(
      [
        "run", "corpus/long.txt", "-p", #"regex:pattern="\w{0,60}\w{0,60}\w{0,60}\d""#,
        "--timeout", "1", "-q",
      ], in: dir)
    #expect(r.status == 65)
    #expect(
      r.stderr.hasPrefix(
        "Error: plugin 'regex': Plugins/regex/init.lua:14: time limit exceeded (1 s)")
        || r.stderr.contains("time limit exceeded (1 s) - while tagging document long.txt"),
      "\(r.stderr)")
    #expect(Date().timeIntervalSince(start) < 3)
  }

  @Test("there are at least 100 attempts")
  func count() { #expect(Self.attempts.count >= 100) }
}
