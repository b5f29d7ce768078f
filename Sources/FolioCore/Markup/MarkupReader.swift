/// HTML pages and SGML/XML record collections into documents.
enum MarkupReader {
  /// One HTML page: the article text and the page's metadata.
  ///
  /// A page whose article comes out empty gives its visible text instead, with
  /// `extraction = fallback` in its metadata (the caller warns).
  static func page(_ text: String) -> (text: String, meta: [(String, String)]) {
    let tree = MarkupTree(text)
    var extractor = HTMLExtractor(tree)
    var meta = extractor.metadata()
    var article = extractor.articleText()
    if CorpusReader.isBlank(article) {
      let visible = extractor.visibleText()
      if !CorpusReader.isBlank(visible) {
        article = visible
        meta.append(("extraction", "fallback"))
      }
    }
    return (article, meta)
  }

  /// One record of an SGML/XML collection.
  struct Record {
    var id: String?
    var text: String
    var meta: [(String, MetaValue)]
  }

  /// Splits a collection into records of element `record` (auto: the element that repeats at
  /// the top level or under the root, as `REUTERS` in Reuters-21578 or `doc` in many corpora;
  /// else the whole file is one record).
  ///
  /// A named record element found inside a record stays part of that record's text and fields;
  /// an auto-detected tie between two repeated names goes to the one seen first.
  ///
  /// `textFields` names the elements whose text makes the document's text (every element of
  /// those names, in document order, joined by blank lines; default: `title` and `body` where
  /// present, else a `text` element, else all the record's text); `idField`
  /// an attribute or element holding the id (default: `newid`, `id`, `xml:id` or `n`). Other
  /// attributes and leaf elements go to meta; an element holding only repeated leaves (Reuters'
  /// `<TOPICS><D>grain</D><D>wheat</D></TOPICS>`) becomes a list. Block elements' texts are
  /// separated by line breaks where nothing separated them (`<head>Title</head><p>Text</p>`).
  static func records(_ text: String, record: String?, textFields: [String]?, idField: String?)
    -> [Record]
  {
    var text = text
    return text.withUTF8 { b in
      var scanner = RecordScanner(
        b, textFields: textFields?.map { $0.lowercased() }, idField: idField?.lowercased())
      if let record { return scanner.records(scanner.named(record)).records }
      // One pass when the guess from the file's start holds (it does for every collection
      // seen so far), two when the rest of the file changes the answer.
      let guess = scanner.guess()
      let (records, census) = scanner.records(guess)
      return census == guess ? records : scanner.records(census).records
    }
  }

  /// Elements that are blocks of text whatever their parent: their text is set off from
  /// their neighbours' by a line break (HTML, TEI, DocBook and common corpus formats).
  static let blockElements = [
    "p", "head", "title", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "para", "l",
    "lg", "line", "lb", "br", "s", "sp", "speaker", "stage", "li", "item", "list", "note",
    "table", "row", "cell", "tr", "td", "th", "entry", "text", "body", "front", "back", "doc",
    "document", "article", "abstract", "caption", "dateline", "byline", "blockquote", "u",
  ]

  /// Elements that are words or tokens: set off from their neighbours by a space
  /// (`<w>The</w><w>cat</w>`).
  static let wordElements = ["w", "c", "pc", "tok", "token"]

  /// Element names that mark list items even when a list has one (`<D>` in Reuters).
  static let itemNames = ["d", "li", "item", "value", "entry"]

  /// Elements that hold lists in Reuters-21578; empty, they are empty lists, not "".
  static let listElements = ["topics", "places", "people", "orgs", "exchanges", "companies"]
}
