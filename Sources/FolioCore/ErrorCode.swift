/// Every error code Folio raises, one meaning each: the source of the table in
/// `Documentation.docc/ErrorCodes.md` (generated) and of the `[Fnnn]` tags in messages.
///
/// A code names one situation, so that a message can be looked up and a script can test for it.
public enum ErrorCode: String, CaseIterable, Sendable {
  case f100 = "F100"
  case f101 = "F101"
  case f102 = "F102"
  case f103 = "F103"
  case f104 = "F104"
  case f105 = "F105"
  case f106 = "F106"
  case f107 = "F107"
  case f108 = "F108"
  case f110 = "F110"
  case f111 = "F111"
  case f112 = "F112"
  case f120 = "F120"
  case f121 = "F121"
  case f122 = "F122"
  case f123 = "F123"
  case f124 = "F124"
  case f125 = "F125"
  case f126 = "F126"
  case f127 = "F127"
  case f128 = "F128"
  case f130 = "F130"
  case f131 = "F131"
  case f137 = "F137"
  case f132 = "F132"
  case f133 = "F133"
  case f134 = "F134"
  case f135 = "F135"
  case f136 = "F136"
  case f140 = "F140"
  case f141 = "F141"
  case f201 = "F201"

  /// The tag that starts a message: `[F103]`.
  public var tag: String { "[\(rawValue)]" }

  /// What the code means, as the table says it.
  public var meaning: String {
    switch self {
    case .f100: "a TOML file (`plugin.toml`, `folio.toml`, `folio.lock`) does not parse"
    case .f101: "`plugin.toml` has a field missing or of the wrong kind"
    case .f102: "no plugin of that name is installed"
    case .f103: "the plugin has no option of that name (the closest is suggested)"
    case .f104: "an option's value has the wrong type or is out of the declared range"
    case .f105: "a plugin reads a layer that no earlier plugin of the pipeline writes"
    case .f106: "a `folio.toml` pipeline step names no plugin"
    case .f107: "the plugin needs a Lua API version this Folio does not have"
    case .f108:
      "a `file` option names a file that cannot be read, or one outside the plugin's folder"
    case .f110: "the plugin's code does not return a table (its module)"
    case .f111: "the module defines none of `keep`, `edit`, `tag`, `each`, `finish`"
    case .f112: "the module lacks the function its kind needs (a report's `finish`)"
    case .f120: "a report's `finish` returned something that is not a table of columns and rows"
    case .f121: "a value passed between states (report state, scan result) cannot be copied as data"
    case .f122: "saved states cannot be merged: they come from another pipeline or part count"
    case .f123: "a shard's state is given twice to `folio merge`"
    case .f124: "`folio merge` lacks the state of a shard (`--shard I/N` of N parts)"
    case .f125:
      "a part of a corpus (`--shard`, `--part`) runs alone through a plugin with a scan pass; run `--save-scan-state` first"
    case .f126:
      "a state file of the wrong kind: reports' states where a scan's are needed, or the reverse"
    case .f127: "a plugin's version differs from the one that wrote the saved states"
    case .f128:
      "a plugin defines no `merge(a, b)` (or `scan.merge`), so its states from parts cannot be merged"
    case .f130: "`folio.toml` and `folio.lock` disagree (`plugin sync --frozen`)"
    case .f131: "an installed plugin's files were changed since `folio.lock` pinned them"
    case .f137:
      "a plugin's source holds other content than `folio.lock` pinned under the same version"
    case .f132: "no version of the plugin's source matches the requested range"
    case .f133: "the plugin's source cannot be fetched (git clone, ref or commit)"
    case .f134: "the source given to `plugin add` holds no `plugin.toml`"
    case .f135: "`plugin new`: the name is not a plugin name (lower-case letters, digits, `-`)"
    case .f136: "`plugin new`: the plugin's folder exists already"
    case .f140: "a plugin asks for a permission that was not granted with `--allow`"
    case .f141: "an `--allow` grant that no plugin of the pipeline asks for"
    case .f201:
      "a plugin writes a layer or token attribute its manifest does not declare in `writes`"
    }
  }

  /// The process exit code the error ends a run with (sysexits: 64 usage, 65 data, 78 config).
  public var exitCode: Int32 {
    switch self {
    case .f100, .f101, .f102, .f103, .f104, .f105, .f106, .f107, .f108, .f110, .f111, .f112, .f130,
      .f131, .f137, .f132, .f133, .f134, .f140:
      78
    case .f120, .f121, .f122, .f123, .f124, .f126, .f127, .f128, .f201: 65
    default: 64
    }
  }

  /// The Markdown table of every code (`ErrorCodes.md`, between its generated markers).
  public static func markdownTable() -> String {
    var out = "| code | meaning | exit |\n|---|---|---|\n"
    for code in allCases { out += "| \(code.rawValue) | \(code.meaning) | \(code.exitCode) |\n" }
    return out
  }
}
