import FolioCore
import FolioLua
import Foundation
import LuaRuntime

/// What `folio run` does: which corpus, which plugins in which order, with which limits.
public struct RunConfiguration: Sendable {
  public var corpus: [String]
  public var plugins: [PluginReference]
  public var limits: LuaLimits
  public var failFast: Bool

  public init(
    corpus: [String], plugins: [PluginReference], limits: LuaLimits = .plugin,
    failFast: Bool = false
  ) {
    self.corpus = corpus
    self.plugins = plugins
    self.limits = limits
    self.failFast = failFast
  }
}

/// The outcome of a run.
public struct RunSummary: Sendable {
  public var read = 0
  public var kept = 0
  public var dropped = 0
  public var failed = 0
  public var skipped = 0
  public var warnings = 0
  public var reports: [ReportTable] = []
  /// Seconds spent in each plugin, in pipeline order.
  public var pluginSeconds: [(String, Double)] = []
  public var seconds = 0.0

  /// The exit code: 0 when nothing failed, 65 when some documents failed.
  public var exitCode: Int32 { failed > 0 ? FolioError.Exit.data.rawValue : 0 }

  public var line: String {
    var s =
      "\(read) document\(read == 1 ? "" : "s") read, \(kept) kept, \(dropped) dropped, \(failed) failed"
    if skipped > 0 { s += ", \(skipped) skipped" }
    s += " in " + String(format: "%.2f s", seconds)
    if !pluginSeconds.isEmpty {
      s +=
        " ("
        + pluginSeconds.map { "\($0.0) " + String(format: "%.2f s", $0.1) }.joined(separator: ", ")
        + ")"
    }
    return s
  }
}

/// Runs a pipeline of plugins over a corpus, one document at a time, in input order.
public final class Runner {
  public let configuration: RunConfiguration
  public let resolver: PluginResolver
  /// Receives each diagnostic line (warnings, document errors) as it happens.
  public var diagnostic: (String) -> Void

  public init(
    _ configuration: RunConfiguration, resolver: PluginResolver = PluginResolver(),
    diagnostic: @escaping (String) -> Void = { _ in }
  ) {
    self.configuration = configuration
    self.resolver = resolver
    self.diagnostic = diagnostic
  }

  /// Loads every plugin (checking manifests and options) before any document is read.
  public func loadPlugins() throws(FolioError) -> [PluginInstance] {
    if configuration.plugins.isEmpty {
      throw FolioError(
        "no plugin given - while starting the run",
        help: "add -p PLUGIN, e.g. -p wordfreq (folio run --list-plugins lists them)",
        exit: .usage)
    }
    var instances: [PluginInstance] = []
    for reference in configuration.plugins {
      let (spec, source) = try resolver.resolve(reference.target)
      do {
        instances.append(
          try PluginInstance(
            spec: spec, source: source, rawOptions: reference.options.map { ($0.key, $0.value) },
            limits: configuration.limits))
      } catch {
        throw FolioError(error)
      }
    }
    return instances
  }

  public func run() throws(FolioError) -> RunSummary {
    let start = Date()
    let plugins = try loadPlugins()
    let entries: [CorpusEntry]
    do { entries = try CorpusReader().list(configuration.corpus) } catch { throw FolioError(error) }

    var summary = RunSummary()
    var seconds = Array(repeating: 0.0, count: plugins.count)
    var seenErrors: [String: Int] = [:]
    var order: [String] = []
    let reader = CorpusReader()

    for plugin in plugins where plugin.spec.kind == .report {
      do { try plugin.startReport() } catch { throw FolioError(error, exit: .failure) }
    }

    documents: for entry in entries {
      let document: Document?
      do {
        document = try reader.read(entry) { warning in
          summary.warnings += 1
          diagnostic("Warning: \(warning)")
        }
      } catch {
        summary.failed += 1
        diagnostic("Error: \(error) - while reading the corpus")
        continue
      }
      guard let document else {
        summary.skipped += 1
        continue
      }
      summary.read += 1
      for (index, plugin) in plugins.enumerated() {
        let t0 = DispatchTime.now().uptimeNanoseconds
        defer { seconds[index] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        do {
          switch plugin.spec.kind ?? .report {
          case .filter:
            if try !plugin.filter(document) {
              summary.dropped += 1
              continue documents
            }
          case .tagger:
            try plugin.tag(document)
          case .report:
            try plugin.each(document)
          }
        } catch {
          summary.failed += 1
          let key = error.description
          if let n = seenErrors[key] {
            seenErrors[key] = n + 1
          } else {
            seenErrors[key] = 0
            order.append(key)
            diagnostic("Error: \(error)")
          }
          if configuration.failFast {
            throw FolioError(
              error.description, help: "the run stopped at the first failure (--fail-fast)",
              exit: .data)
          }
          continue documents
        }
      }
      summary.kept += 1
    }
    for key in order where (seenErrors[key] ?? 0) > 0 {
      let n = seenErrors[key] ?? 0
      diagnostic("(the error above happened in \(n) more document\(n == 1 ? "" : "s"))")
    }
    for plugin in plugins where plugin.spec.kind == .report {
      do { summary.reports.append(try plugin.finish()) } catch {
        throw FolioError(error, exit: .failure)
      }
    }
    summary.pluginSeconds = zip(plugins.map(\.spec.name), seconds).map { ($0, $1) }
    summary.seconds = Date().timeIntervalSince(start)
    return summary
  }
}
