import FolioCore
import Foundation
import LuaRuntime

extension PluginInstance {
  // MARK: Calls

  func call(_ ref: Int32, _ activity: String, document: Document, results: Int32)
    throws(PluginError)
  {
    vm.push(ref: ref)
    pushDocument(document)
    vm.push(ref: ctxRef)
    try protected(activity, arguments: 2, results: results)
  }

  func protected(_ activity: String, arguments: Int32, results: Int32) throws(PluginError) {
    do {
      try vm.call(arguments: arguments, results: results)
    } catch {
      var limit = false
      var message = error.message
      switch error.kind {
      case .limit: limit = true
      case .memory:
        limit = true
        message = "not enough memory (limit \(vm.limits.memory >> 20) MiB)"
      default: break
      }
      throw PluginError(
        plugin: spec.name, message: message, traceback: error.traceback, activity: activity,
        limit: limit)
    }
  }

  /// Builds `ctx`: `{options = {...}, plugin = {name, version, kind}, log = folio.log}`.
  func makeContext() {
    let L = vm.state
    L.newTable(hash: 4)
    L.newTable(hash: Int32(options.count))
    for (key, value) in options {
      FolioLua.push(value, L)
      L.rawSet(-2, key)
    }
    L.rawSet(-2, "options")
    L.newTable(hash: Int32(files.count))
    for (key, bytes) in files {
      bytes.withUnsafeBytes { L.pushBytes($0) }
      L.rawSet(-2, key)
    }
    L.rawSet(-2, "files")
    L.newTable(hash: 3)
    L.pushString(spec.name)
    L.rawSet(-2, "name")
    L.pushString(spec.version)
    L.rawSet(-2, "version")
    L.pushString(spec.kind?.rawValue ?? "")
    L.rawSet(-2, "kind")
    L.rawSet(-2, "plugin")
    if L.getGlobal("folio") == .table {
      L.rawGet(-1, "log")
      L.remove(-2)
    }
    L.rawSet(-2, "log")
    ctxRef = vm.ref()
  }
}
