extension FolioLua {
  /// `folio.table{title, columns, types}`: a report table whose rows are checked against
  /// typed columns as they are added; `finish` can return it as it is (its fields are the
  /// plain report table: title, columns, rows).
  static let tableSource = String(decoding: PackageResources.table_lua, as: UTF8.self)

  static let tableMethodsSource = String(
    decoding: PackageResources.table_methods_lua, as: UTF8.self)
}
