import FolioCore
import Foundation
import LuaRuntime

/// What a plugin may do outside its sandbox: asked for in `plugin.toml`
/// (`permissions = ["read", "write"]`) and granted by the user with `--allow NAME:read` or
/// `--allow NAME:write=DIR`.
public enum Permission: String, Sendable, CaseIterable {
  /// Read files under the plugin's own folder (`folio.read_file`).
  case read
  /// Write files into a folder the user names (`folio.write_file`).
  case write

  /// What the permission allows, for messages.
  public var meaning: String {
    switch self {
    case .read: "read files under its own folder"
    case .write: "write files into a folder you name"
    }
  }

  /// How the user grants it to plugin `name`.
  public func grantHint(_ name: String) -> String {
    switch self {
    case .read: "--allow \(name):read"
    case .write: "--allow \(name):write=DIR"
    }
  }
}

/// The permissions the user granted one plugin.
public struct Grants: Sendable, Equatable {
  public var read: Bool
  /// The folder `folio.write_file` writes into (absolute), when `write` is granted.
  public var writeFolder: String?

  public init(read: Bool = false, writeFolder: String? = nil) {
    self.read = read
    self.writeFolder = writeFolder
  }

  /// The permissions granted, in a fixed order.
  public var granted: [Permission] {
    (read ? [.read] : []) + (writeFolder != nil ? [.write] : [])
  }

  /// Parses the part after `NAME:` of `--allow`: `read`, `write=DIR` or both, comma-separated.
  ///
  /// A relative folder is taken from the current folder. Returns a message saying what is
  /// wrong when the text does not parse.
  public static func parse(_ text: String) -> Result<Grants, Failure> {
    var grants = Grants()
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let item = part.trimmingCharacters(in: .whitespaces)
      if item == "read" {
        grants.read = true
      } else if item.hasPrefix("write=") && item.count > "write=".count {
        let folder = String(item.dropFirst("write=".count))
        grants.writeFolder = URL(fileURLWithPath: folder).standardizedFileURL.path
      } else if item == "write" {
        return .failure(Failure(message: "'write' needs the folder to write into: write=DIR"))
      } else {
        return .failure(Failure(message: "'\(item)' is no permission; they are read and write=DIR"))
      }
    }
    return .success(grants)
  }

  /// Why a grant could not be read.
  public struct Failure: Error, Sendable {
    public var message: String
  }
}

extension FolioLua {
  /// `folio.read_file(path)`: the bytes of a file under the plugin's folder.
  static func readFile(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32 {
    let path = try L.checkString(1)
    try context.require(.read)
    guard let folder = context.pluginFolder else {
      throw .message("plugin '\(context.pluginName)' has no folder to read from")
    }
    let relative = try checkRelative(path, 1)
    guard let root = realPath(folder),
      let target = realPath(URL(fileURLWithPath: root).appendingPathComponent(relative).path)
    else {
      throw .message("cannot read '\(path)': no such file in the plugin's folder")
    }
    guard target.hasPrefix(root + "/") else {
      throw .message("cannot read '\(path)': it leads out of the plugin's folder")
    }
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: target, isDirectory: &isFolder),
      !isFolder.boolValue,
      let data = FileManager.default.contents(atPath: target)
    else {
      throw .message("cannot read '\(path)': not a readable file")
    }
    data.withUnsafeBytes { L.pushBytes($0) }
    return 1
  }

  /// `folio.write_file(name, contents)`: writes a file into the granted folder, atomically.
  static func writeFile(_ L: LuaState, _ context: FolioLuaContext) throws(LuaHostError) -> Int32 {
    let name = try L.checkString(1)
    guard L.type(at: 2) == .string, let bytes = L.bytes(at: 2) else {
      throw .type(2, expected: "string")
    }
    try context.require(.write)
    guard let folder = context.grants.writeFolder else {
      throw .message("permission 'write' was not granted")
    }
    let relative = try checkRelative(name, 1)
    // The granted folder itself is the user's to have made; a subfolder is made one step at a
    // time, each step checked first, so no folder is ever made outside the granted one (a
    // symbolic link on the way that leads out is refused before anything is made).
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw .message("cannot write '\(name)': cannot make the folder \(folder)")
    }
    guard let root = realPath(folder) else {
      throw .message("cannot write '\(name)': cannot make the folder \(folder)")
    }
    var parts = relative.split(separator: "/").map(String.init)
    let fileName = parts.removeLast()
    var realParent = root
    for part in parts {
      let next = realParent + "/" + part
      if mkdir(next, 0o777) != 0 && errno != EEXIST {
        throw .message("cannot write '\(name)': cannot make the folder \(next)")
      }
      guard let real = realPath(next), real.hasPrefix(root + "/") else {
        throw .message("cannot write '\(name)': it leads out of \(folder)")
      }
      var info = stat()
      guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
        throw .message("cannot write '\(name)': \(part) is not a folder")
      }
      realParent = real
    }
    let path = realParent + "/" + fileName
    // An existing file must be a plain file inside the folder, not a link leading out of it.
    var info = stat()
    if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
      throw .message("cannot write '\(name)': it exists and is not a plain file")
    }
    do throws(AtomicFile.Failure) {
      let file = try AtomicFile(path: path)
      try file.write(bytes)
      try file.commit()
    } catch {
      throw .message(error.description)
    }
    L.pushString(path)
    return 1
  }

  /// `path` as relative components with no `..`, or a `bad argument` error.
  private static func checkRelative(_ path: String, _ arg: Int32) throws(LuaHostError) -> String {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0"),
      !parts.contains(where: { $0 == ".." || $0.isEmpty })
    else {
      throw .argument(arg, "a relative path without '..' expected, got '\(path)'")
    }
    return path
  }

  static func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }
}

extension FolioLuaContext {
  /// Throws unless the plugin asked for `permission` and the user granted it.
  func require(_ permission: Permission) throws(LuaHostError) {
    guard asked.contains(permission) else {
      throw .message(
        "plugin '\(pluginName)' may not \(permission.meaning): its plugin.toml must ask for it with permissions = [\"\(permission.rawValue)\"]"
      )
    }
    guard grants.granted.contains(permission) else {
      throw .message(
        "plugin '\(pluginName)' may not \(permission.meaning): the permission was not granted (run with \(permission.grantHint(pluginName)))"
      )
    }
  }
}
