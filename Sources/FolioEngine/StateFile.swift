import FolioCore
import FolioLua
import Foundation
import LuaRuntime

/// The reports' states of one shard (`folio run --shard I/N --save-state FILE`), merged into
/// the final reports by `folio merge FILE...`.
///
/// Format: a line `FOLIO-STATE 1`, a line of JSON (the pipeline, the shard, the counts), then
/// per report a line with the byte length of its state followed by the state's bytes.
public struct StateFile: Sendable {
  public struct Plugin: Sendable, Equatable {
    public var target: String
    public var name: String
    public var version: String
    public var options: [PluginReference.Option]
  }

  public var shard: Shard
  public var plugins: [Plugin]
  /// The copied state of each report plugin, in pipeline order (nil for the others).
  public var states: [LuaData?]
  public var read: Int
  public var kept: Int
  public var dropped: Int
  public var failed: Int
  /// The run's provenance (the shard's corpus and documents) and the documents each plugin saw.
  public var provenance: RunProvenance?
  public var seen: [Int] = []
  /// The states are those of the first pass (`--save-scan-state`): `scan` states of the
  /// plugins that have one, for `folio run --scan-states`.
  public var scan = false

  static let magic = "FOLIO-STATE 1\n"

  public func encoded() -> [UInt8] {
    var meta: [String: Any] = [
      "folio": FolioLua.apiVersion,
      "shard": [shard.index, shard.count],
      "plugins": plugins.map {
        [
          "target": $0.target, "name": $0.name, "version": $0.version,
          "options": $0.options.map { [$0.key, $0.value] },
        ] as [String: Any]
      },
      "counts": ["read": read, "kept": kept, "dropped": dropped, "failed": failed],
      "reports": states.map { $0 != nil },
    ]
    if scan { meta["pass"] = "scan" }
    if let p = provenance {
      meta["provenance"] =
        [
          "corpus": p.corpus, "reading": p.reading, "fingerprint": p.fingerprint.text,
          "pipeline": p.pipeline, "seen": seen,
        ] as [String: Any]
    }
    var out = Array(Self.magic.utf8)
    let json = (try? JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys])) ?? Data()
    out += json
    out.append(0x0A)
    for state in states {
      guard let state else { continue }
      out += Array("\(state.bytes.count)\n".utf8)
      out += state.bytes
    }
    return out
  }

  /// The states written one after another (`--save-state -` of several processes, into one
  /// pipe or file), in the order they come.
  public static func decodeAll(_ data: [UInt8], path: String) throws(FolioError) -> [StateFile] {
    var files: [StateFile] = []
    var i = 0
    while i < data.count {
      let (file, end) = try decode(data, from: i, path: path)
      files.append(file)
      i = end
    }
    return files
  }

  /// The state starting at byte `start` of `data`, and where it ends.
  static func decode(_ data: [UInt8], from start: Int, path: String) throws(FolioError) -> (
    StateFile, Int
  ) {
    func bad(_ why: String) -> FolioError {
      FolioError(
        "\(path) is not a Folio state file (\(why)\(start > 0 ? " at byte \(start)" : ""))",
        while: "reading states",
        help: "state files come from folio run --shard I/N --save-state FILE", exit: .data)
    }
    let magic = Array(magic.utf8)
    guard data[start...].starts(with: magic) else { throw bad("no FOLIO-STATE header") }
    var i = start + magic.count
    guard let eol = data[i...].firstIndex(of: 0x0A) else { throw bad("no metadata") }
    guard
      let meta = (try? JSONSerialization.jsonObject(with: Data(data[i..<eol]))) as? [String: Any],
      let shard = meta["shard"] as? [Int], shard.count == 2,
      let plugins = meta["plugins"] as? [[String: Any]],
      let reports = meta["reports"] as? [Bool],
      let counts = meta["counts"] as? [String: Int]
    else { throw bad("unreadable metadata") }
    i = eol + 1
    var states: [LuaData?] = []
    for isReport in reports {
      guard isReport else {
        states.append(nil)
        continue
      }
      guard let nl = data[i...].firstIndex(of: 0x0A),
        let n = Int(String(decoding: data[i..<nl], as: UTF8.self)), n >= 0,
        n <= data.count - nl - 1
      else { throw bad("truncated") }
      states.append(LuaData(bytes: Array(data[(nl + 1)..<(nl + 1 + n)])))
      i = nl + 1 + n
    }
    let list = plugins.map { p in
      Plugin(
        target: p["target"] as? String ?? "", name: p["name"] as? String ?? "",
        version: p["version"] as? String ?? "",
        options: ((p["options"] as? [[String]]) ?? []).compactMap {
          $0.count == 2 ? PluginReference.Option(key: $0[0], value: $0[1]) : nil
        })
    }
    var file = StateFile(
      shard: Shard(index: shard[0], count: shard[1]), plugins: list, states: states,
      read: counts["read"] ?? 0, kept: counts["kept"] ?? 0, dropped: counts["dropped"] ?? 0,
      failed: counts["failed"] ?? 0)
    file.scan = meta["pass"] as? String == "scan"
    if let p = meta["provenance"] as? [String: Any],
      let fingerprint = (p["fingerprint"] as? String).flatMap(Fingerprint.init(text:))
    {
      file.provenance = RunProvenance(
        corpus: p["corpus"] as? [String] ?? [], reading: p["reading"] as? String ?? "",
        read: file.read, fingerprint: fingerprint, pipeline: p["pipeline"] as? [String] ?? [])
      file.seen = p["seen"] as? [Int] ?? []
    }
    return (file, i)
  }
}

/// A deterministic part of a corpus: shard `index` of `count` (1-based), a contiguous range of
/// documents in corpus order, so that merging shards in order keeps that order.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
  public var index: Int
  public var count: Int

  public init(index: Int, count: Int) {
    self.index = index
    self.count = count
  }

  /// Parses `I/N`.
  public init?(_ text: String) {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1,
      (1...n).contains(i)
    else { return nil }
    self.init(index: i, count: n)
  }

  public var description: String { "\(index)/\(count)" }

  /// This shard's entries.
  public func select<T>(_ all: [T]) -> ArraySlice<T> {
    let lower = all.count * (index - 1) / count
    let upper = all.count * index / count
    return all[lower..<upper]
  }
}

/// `folio merge`: merges shard states into the final reports.
public enum StateMerger {
  /// The bytes of each state source: a file, every file of a folder (by name, hidden ones
  /// left out), or `-` for standard input.
  static func readStates(_ paths: [String]) throws(FolioError) -> [(String, [UInt8])] {
    var out: [(String, [UInt8])] = []
    for path in paths {
      if path == "-" {
        out.append(("standard input", Array(FileHandle.standardInput.readDataToEndOfFile())))
        continue
      }
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw FolioError("no such state file: \(path)", while: "reading states", exit: .noInput)
      }
      var files = [path]
      if isDir.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        files = names.filter { !$0.hasPrefix(".") }.sorted().map {
          (path as NSString).appendingPathComponent($0)
        }
        if files.isEmpty {
          throw FolioError("no state files in \(path)", while: "reading states", exit: .noInput)
        }
      }
      for file in files {
        guard let data = FileManager.default.contents(atPath: file) else {
          throw FolioError("cannot read \(file)", while: "reading states", exit: .noInput)
        }
        out.append((file, Array(data)))
      }
    }
    return out
  }

  /// The states in `paths` (files, folders, `-`), checked to be the N parts of one run, in
  /// part order: of the first pass (`scan`) or of the reports.
  static func load(_ paths: [String], scan: Bool) throws(FolioError) -> [StateFile] {
    let activity = scan ? "while reading the scan states" : "while merging"
    var files: [StateFile] = []
    var names: [String] = []
    for (path, data) in try readStates(paths) {
      let states = try StateFile.decodeAll(data, path: path)
      files += states
      names += states.count == 1 ? [path] : states.indices.map { "\(path) (state \($0 + 1))" }
    }
    guard let first = files.first else {
      throw FolioError(
        "no state given - \(activity)",
        help: "folio merge STATE... (files, folders of them, or - for standard input)",
        exit: .usage)
    }
    for (f, path) in zip(files, names) where f.scan != scan {
      throw FolioError(
        scan
          ? "\(ErrorCode.f126.tag) \(path) holds reports' states, not a scan's - \(activity)"
          : "\(ErrorCode.f126.tag) \(path) holds the states of a scan pass (--save-scan-state) - \(activity)",
        help: scan
          ? "--scan-states takes what folio run --save-scan-state wrote"
          : "give them to each part's folio run --scan-states; folio merge takes --save-state's",
        exit: .data)
    }
    for (f, path) in zip(files, names)
    where f.plugins != first.plugins || f.shard.count != first.shard.count {
      throw FolioError(
        "\(ErrorCode.f122.tag) \(path) comes from another pipeline or shard count than \(names[0]) - \(activity)",
        help:
          "merge the states of one run: the same plugins, options and --shard I/N with the same N",
        exit: .data)
    }
    var given: [Int: String] = [:]
    for (f, name) in zip(files, names) {
      if let earlier = given[f.shard.index] {
        throw FolioError(
          "\(ErrorCode.f123.tag) shard \(f.shard) is given twice (\(earlier) and \(name)) - \(activity)",
          help: "give each part its own --shard I/N (or --part I/N)", exit: .data)
      }
      given[f.shard.index] = name
    }
    let missing = (1...first.shard.count).filter { given[$0] == nil }
    if let gap = missing.first {
      throw FolioError(
        "\(ErrorCode.f124.tag) shard \(gap)/\(first.shard.count) is missing\(missing.count > 1 ? " (and \(missing.count - 1) more)" : "") - \(activity)",
        help: "merge the states of all \(first.shard.count) parts: a report of some would be wrong",
        exit: .data)
    }
    return files.sorted { $0.shard.index < $1.shard.index }
  }

  public static func merge(
    _ paths: [String], resolver: PluginResolver, allow: [String: Grants] = [:]
  ) throws(FolioError) -> (
    [ReportTable], RunSummary
  ) {
    let ordered = try load(paths, scan: false)
    let first = ordered[0]
    var summary = RunSummary()
    var reports: [ReportTable] = []
    // The shards' provenance added up: their documents, fingerprints and what each report saw.
    var provenance = first.provenance
    provenance?.shards = ordered.count
    provenance?.read = ordered.reduce(0) { $0 + $1.read }
    var fingerprint = Fingerprint()
    for f in ordered { fingerprint.add(f.provenance?.fingerprint ?? Fingerprint()) }
    provenance?.fingerprint = fingerprint
    for (i, plugin) in first.plugins.enumerated() where first.states[i] != nil {
      let (spec, source) = try resolver.resolve(plugin.target)
      let instance: PluginInstance
      let grants = try Runner.grants(for: spec, allow)
      do {
        instance = try PluginInstance(
          spec: spec, source: source, rawOptions: plugin.options.map { ($0.key, $0.value) },
          grants: grants)
      } catch {
        throw FolioError(error)
      }
      if instance.spec.version != plugin.version {
        throw FolioError(
          "\(ErrorCode.f127.tag) plugin '\(plugin.name)' is version \(instance.spec.version) here and was \(plugin.version) in the shards",
          while: "merging",
          exit: .data)
      }
      if ordered.count > 1, !instance.canMerge() {
        throw FolioError(
          "\(ErrorCode.f128.tag) plugin '\(plugin.name)' defines no merge(a, b), so its shards cannot be merged",
          while: "merging",
          exit: .data)
      }
      do {
        try instance.startReport()
        for file in ordered {
          if let state = file.states[i] { try instance.mergeState(state) }
        }
        var report = try instance.finish()
        let seen = ordered.reduce(0) { $0 + ($1.seen.indices.contains(i) ? $1.seen[i] : 0) }
        provenance?.apply(to: &report, seen: seen)
        reports.append(report)
      } catch {
        throw FolioError(error, exit: .failure)
      }
    }
    summary.merged = ordered.count
    for f in ordered {
      summary.read += f.read
      summary.kept += f.kept
      summary.dropped += f.dropped
      summary.failed += f.failed
    }
    return (reports, summary)
  }
}
