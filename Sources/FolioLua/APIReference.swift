/// One documented name of Folio's Lua API: the source of `folio doc NAME`, `?name` in the REPL and the LuaCATS stub `Plugins/_meta/folio.lua`.
public struct APIEntry: Sendable, Equatable {
  /// How Lua code names it: `folio.re.compile`, `Document:spans`, `Document.text`, `kwic`.
  public var name: String
  /// The call as written, with optional parts in brackets: `doc:spans(layer)`.
  public var signature: String
  /// What it returns (empty for nothing).
  public var returns: String
  /// One sentence.
  public var summary: String
  /// More: options, positions, costs.
  public var details: String
  /// A line of Lua that shows it in use.
  public var example: String
  /// LuaCATS annotation lines for the stub (`---@param ...`, `---@return ...`), or empty.
  public var annotations: [String]

  public init(
    _ name: String, _ signature: String, returns: String = "", _ summary: String,
    details: String = "", example: String = "", annotations: [String] = []
  ) {
    self.name = name
    self.signature = signature
    self.returns = returns
    self.summary = summary
    self.details = details
    self.example = example
    self.annotations = annotations
  }

  /// The entry as `folio doc` prints it.
  public var text: String {
    var out = signature + (returns.isEmpty ? "" : " → " + returns) + "\n\n" + summary + "\n"
    if !details.isEmpty { out += "\n" + details + "\n" }
    if !example.isEmpty { out += "\nExample:\n    " + example + "\n" }
    return out
  }
}

extension FolioLua {
  /// Every documented name of the Lua API, in reading order.
  ///
  /// A test walks the live `folio` table and the host types and checks that each function has an entry here and each entry names something real.
  public static let reference: [APIEntry] = [
    // MARK: folio
    APIEntry(
      "folio.version", "folio.version", returns: "string",
      "The version of the Lua API (`0.1.0`), the one plugins name a range against in `plugin.toml`."
    ),
    APIEntry(
      "folio.log", "folio.log(...)",
      "Writes its arguments to stderr, tab-separated, prefixed with the plugin's name.",
      example: #"folio.log("skipping", doc.id)"#,
      annotations: ["---@param ... any"]),
    APIEntry(
      "folio.read_file", "folio.read_file(path)", returns: "string",
      "The bytes of a file under the plugin's own folder (`path` relative to it, no `..`).",
      details:
        "Needs `permissions = [\"read\"]` in plugin.toml and `--allow NAME:read` from the user; otherwise an error says which is missing. A symbolic link that leads out of the folder is refused.",
      example: #"local words = folio.read_file("lists/stopwords.txt")"#,
      annotations: ["---@param path string", "---@return string"]),
    APIEntry(
      "folio.write_file", "folio.write_file(name, contents)", returns: "string",
      "Writes `contents` to `name` in the folder the user granted, atomically (a temporary file, then rename); returns the path written.",
      details:
        "Needs `permissions = [\"write\"]` in plugin.toml and `--allow NAME:write=DIR` from the user. `name` is relative (subfolders are made), without `..`; a symbolic link that leads out of DIR is refused. In a plugin's own tests the files go to a temporary folder that `folio.test.written(name)` reads.",
      example: #"folio.write_file("clusters/" .. id .. ".txt", text)"#,
      annotations: ["---@param name string", "---@param contents string", "---@return string"]),
    APIEntry(
      "folio.top", "folio.top(t, n)", returns: "List of {key, value}",
      "The `n` entries of `t` with the largest numeric values, ties broken by key.",
      details: "Runs in Swift (a partial sort); `n <= 0` gives every entry.",
      example: "for _, kv in ipairs(folio.top(counts, 10)) do print(kv[1], kv[2]) end",
      annotations: ["---@param t table<any, number>", "---@param n integer", "---@return List"]),
    APIEntry(
      "folio.minhash_clusters",
      "folio.minhash_clusters(signatures [, {threshold = 0.8, bands = 16}])",
      returns: "List of {first, similarity} or false",
      "Near-duplicate clusters of `doc:minhash()` signatures, found in Swift by LSH banding.",
      details:
        "Entry i is false when signature i starts a cluster, else `{first = j, similarity = s}`: the earliest signature of its cluster and the share of equal positions. The dedupe and duplicates plugins use it.",
      annotations: [
        "---@param signatures integer[][]", "---@param opts? {threshold?: number, bands?: integer}",
        "---@return List",
      ]),
    APIEntry(
      "folio.List", "folio.List.new([t])", returns: "List",
      "The sequence type every Folio call returns: `map`, `filter`, `find`, `each`, `count`, `sort`, `take`, `totable`, `#`.",
      example: "folio.List.new({3, 1, 2}):sort():take(2)"),
    APIEntry(
      "List:map", "list:map(f)", returns: "List",
      "A new List of `f(item, i)` for each item.",
      example: "doc:tokens():map(function(t) return t.text end)",
      annotations: ["---@param f fun(item: any, i: integer): any", "---@return List"]),
    APIEntry(
      "List:filter", "list:filter(f)", returns: "List",
      "A new List of the items for which `f(item, i)` is true (rows keep their columns).",
      example: "kwic('Moscow'):filter(function(r) return r.doc:find('^world') end)",
      annotations: ["---@param f fun(item: any, i: integer): boolean", "---@return List"]),
    APIEntry(
      "List:find", "list:find(f)", returns: "item, index",
      "The first item for which `f(item, i)` is true, and its index; nil when none.",
      annotations: [
        "---@param f fun(item: any, i: integer): boolean", "---@return any", "---@return integer?",
      ]),
    APIEntry(
      "List:each", "list:each(f)", "Calls `f(item, i)` for each item.",
      annotations: ["---@param f fun(item: any, i: integer)"]),
    APIEntry(
      "List:count", "list:count([f])", returns: "integer",
      "How many items there are, or how many satisfy `f`.",
      annotations: ["---@param f? fun(item: any, i: integer): boolean", "---@return integer"]),
    APIEntry(
      "List:sort", "list:sort([cmp])", returns: "List",
      "Sorts in place (as `table.sort`) and returns the list.",
      annotations: ["---@param cmp? fun(a: any, b: any): boolean", "---@return List"]),
    APIEntry(
      "List:take", "list:take(n)", returns: "List", "A new List of the first `n` items.",
      annotations: ["---@param n integer", "---@return List"]),
    APIEntry(
      "List:totable", "list:totable()", returns: "table", "A plain table copy of the items.",
      annotations: ["---@return table"]),
    APIEntry(
      "List.new", "List.new([t])", returns: "List", "Makes `t` (or a new table) a List.",
      annotations: ["---@param t? table", "---@return List"]),

    // MARK: folio.text
    APIEntry(
      "folio.text.lower", "folio.text.lower(s [, language])", returns: "string",
      "Unicode-aware lowercase (`ÉTÉ` → `été`, `ΟΔΟΣ` → `οδος` with a final sigma), unlike `string.lower`.",
      details: "With language `tr` or `az`, I → ı and İ → i (Turkish and Azeri); otherwise İ → i̇.",
      example: #"folio.text.lower("DİYARBAKIR", "tr") --> "diyarbakır""#,
      annotations: ["---@param s string", "---@param language? string", "---@return string"]),
    APIEntry(
      "folio.text.upper", "folio.text.upper(s [, language])", returns: "string",
      "Unicode-aware uppercase (`ß` → `SS`); with language `tr` or `az`, i → İ and ı → I.",
      annotations: ["---@param s string", "---@param language? string", "---@return string"]),
    APIEntry(
      "folio.text.casefold", "folio.text.casefold(s)", returns: "string",
      "Full Unicode case folding for caseless comparison: `Straße` → `strasse`, `ς` and `Σ` → `σ`.",
      annotations: ["---@param s string", "---@return string"]),
    APIEntry(
      "folio.text.normalize", "folio.text.normalize(s [, form])", returns: "string",
      "Unicode normalisation: form `NFC` (the default), `NFD`, `NFKC` or `NFKD`.",
      example: #"folio.text.normalize("ﬁ①", "NFKC") --> "fi1""#,
      annotations: ["---@param s string", "---@param form? string", "---@return string"]),
    APIEntry(
      "folio.text.sub", "folio.text.sub(s, i [, j])", returns: "string",
      "Characters (grapheme clusters) i to j, with `string.sub`'s rules for negative and missing positions.",
      example: #"folio.text.sub("東京タワー", 2, -2) --> "京タワ""#,
      annotations: [
        "---@param s string", "---@param i integer", "---@param j? integer", "---@return string",
      ]),
    APIEntry(
      "folio.text.len", "folio.text.len(s)", returns: "integer",
      "Length in characters (grapheme clusters), where `#s` counts bytes.",
      example: #"folio.text.len("東京") --> 2"#,
      annotations: ["---@param s string", "---@return integer"]),

    // MARK: folio.table
    APIEntry(
      "folio.table", "folio.table{title, columns = {...}, types = {...}}", returns: "folio.table",
      "A report table with typed columns (string, integer, number, boolean): rows are checked as they are added, so a wrong value fails at the line that adds it.",
      details:
        "Methods: `t:add(row)` (an array in column order or a table keyed by column names; nil leaves a cell empty), `t:sort(column [, descending])` (stable), `t:top(n)`, `#t`. A report's `finish` can return `t` itself.",
      example:
        #"local t = folio.table{title = "words", columns = {"word", "count"}, types = {"string", "integer"}}; t:add{"the", 10}; return t:sort("count", true):top(20)"#,
      annotations: [
        "---@param spec {title?: string, columns: string[], types?: string[], formulas?: table}",
        "---@return table",
      ]),

    // MARK: folio.json
    APIEntry(
      "folio.json.decode", "folio.json.decode(s [, {null = value}])", returns: "any",
      "Parses JSON text: objects become tables, arrays Lists, integers integers; JSON null becomes `null` (nil unless given).",
      details:
        "Strict RFC 8259, nesting up to 512 deep; malformed text is an argument error naming the byte.",
      example: #"folio.json.decode('{"a": [1, 2]}').a[2] --> 2"#,
      annotations: ["---@param s string", "---@param opts? {null?: any}", "---@return any"]),
    APIEntry(
      "folio.json.encode", "folio.json.encode(value [, {indent = 2}])", returns: "string",
      "JSON text of plain data: tables with keys 1..n (and empty tables) are arrays, other tables objects with sorted keys, so the bytes are the same every run.",
      details:
        "Read raw, without metamethods. Functions, userdata, NaN, infinities and strings that are not UTF-8 are argument errors naming where they are.",
      example: #"folio.json.encode({b = 1, a = {1, 2}}) --> {"a":[1,2],"b":1}"#,
      annotations: [
        "---@param value any", "---@param opts? {indent?: integer}", "---@return string",
      ]),

    // MARK: folio.stats
    APIEntry(
      "folio.stats.pmi", "folio.stats.pmi(o11, r1, c1, n)", returns: "number",
      "Pointwise mutual information in bits: log2(o11 / e11), e11 = r1 * c1 / n.",
      details: "o11 = pair count, r1 = count of the first word, c1 = of the second, n = tokens.",
      annotations: statsParams),
    APIEntry(
      "folio.stats.t_score", "folio.stats.t_score(o11, r1, c1, n)", returns: "number",
      "t-score: (o11 - e11) / sqrt(o11).", annotations: statsParams),
    APIEntry(
      "folio.stats.log_likelihood", "folio.stats.log_likelihood(o11, r1, c1, n)",
      returns: "number",
      "Log-likelihood G² (Dunning 1993): 2 * sum(o_ij * ln(o_ij / e_ij)) over the 2×2 table, negative when the pair occurs less often than expected (o11 < e11).",
      annotations: statsParams),
    APIEntry(
      "folio.stats.chi2", "folio.stats.chi2(o11, r1, c1, n)", returns: "number",
      "Pearson's chi² of the 2×2 table: n * (o11*o22 - o12*o21)² / (r1*r2*c1*c2), negative when o11 < e11.",
      annotations: statsParams),
    APIEntry(
      "folio.stats.log_dice", "folio.stats.log_dice(o11, r1, c1)", returns: "number",
      "log-Dice (Rychlý 2008): 14 + log2(2 * o11 / (r1 + c1)); at most 14, independent of corpus size.",
      annotations: [
        "---@param o11 number", "---@param r1 number", "---@param c1 number", "---@return number",
      ]),
    APIEntry(
      "folio.stats.log_ratio", "folio.stats.log_ratio(a, na, b, nb)", returns: "number",
      "Log ratio (Hardie 2014) for keyness: log2((a / na) / (b / nb)), zero counts taken as 0.5.",
      annotations: [
        "---@param a number", "---@param na number", "---@param b number", "---@param nb number",
        "---@return number",
      ]),
    APIEntry(
      "folio.stats.p_value", "folio.stats.p_value(x)", returns: "number",
      "The p-value of a G² or chi² of a 2×2 table (either sign): the chi-square upper tail with 1 degree of freedom.",
      details:
        "3.84 gives 0.05, 6.63 gives 0.01, 10.83 gives 0.001. For a cut-off over many tests, divide it by their number (Bonferroni).",
      example: "folio.stats.p_value(folio.stats.log_likelihood(30, 1000, 200, 1e6)) < 0.001",
      annotations: ["---@param x number", "---@return number"]),
    APIEntry(
      "folio.stats.formulas", "folio.stats.formulas", returns: "table",
      "Each measure's formula by name, for a report's provenance."),

    // MARK: folio.counter
    APIEntry(
      "folio.counter", "folio.counter([from])", returns: "Counter",
      "A counter of strings kept in Swift: the bulk state of word lists and collocations.",
      details:
        "It travels between workers and shards as one string; `from` is such a string or another counter. From a worker to the merging VM of the same run that string is a ticket: the counter's keys move with no copy, and `folio.counter(s)` or `c:merge(s)` takes them, once. To a state file (`--save-state`), the string is the counter's bytes.",
      example: "local c = folio.counter(); c:add_tokens(doc, {lower = true})",
      annotations: ["---@param from? Counter|string", "---@return Counter"]),
    APIEntry(
      "Counter:add", "c:add(key [, n])", "Adds `n` (default 1) to `key`.",
      annotations: ["---@param key string", "---@param n? integer"]),
    APIEntry(
      "Counter:add_tokens",
      "c:add_tokens(doc [, {lower, kinds, ngram, breaks, distinct, attr, pos}])",
      returns: "integer",
      "Counts the document's tokens (or with `ngram = n`, 2 to 6, sequences `\"a b c\"`) in Swift; returns how many were added.",
      details:
        "With `distinct = true` each different token counts once per document: document frequencies. Tokens of other kinds than `kinds` are skipped; with `breaks` (token kinds, and `\"sentence\"` for sentence ends) a sequence never spans one: `breaks = {\"punct\", \"number\", \"sentence\"}` keeps n-grams inside runs of words. After a tagger (`-p pos`), `attr = \"lemma\"` (or `\"pos\"`, `\"tag\"`) counts that attribute instead of the text and `pos = \"NOUN,VERB\"` (or a list) only the tokens with one of those parts of speech; without a tagger either is an error that says so.",
      annotations: [
        "---@param doc Document",
        "---@param opts? {lower?: boolean, kinds?: string[], ngram?: integer, breaks?: string[], distinct?: boolean, attr?: string, pos?: string|string[]}",
        "---@return integer",
      ]),
    APIEntry(
      "Counter:add_hits", "c:add_hits(doc, cql [, {by, strategy}])", returns: "integer, integer",
      "Counts the hits of a CQL query in the document under their group, in Swift; returns the number of hits and of the document's words.",
      details:
        "`by` lists what makes a group, joined by tabs in the key: an attribute over the hit's tokens (`lemma`, `pos`, `word`, `lower`: values joined by spaces), one at a label (`a.lemma`, `match.word`, `matchend.pos`) or `meta.FIELD`. Without `by` every hit counts under \"\". The `hits` report is built on it.",
      example: #"c:add_hits(doc, '[pos="ADJ"] [pos="NOUN"]', {by = {"lemma"}})"#,
      annotations: [
        "---@param doc Document", "---@param cql string",
        "---@param opts? {by?: string[], strategy?: string}", "---@return integer, integer",
      ]),
    APIEntry(
      "Counter:merge", "c:merge(other)", "Adds another counter (or the string it travels as).",
      annotations: ["---@param other Counter|string"]),
    APIEntry(
      "Counter:get", "c:get(key)", returns: "integer", "The count of `key` (0 when never added).",
      annotations: ["---@param key string", "---@return integer"]),
    APIEntry(
      "Counter:total", "c:total()", returns: "integer", "Everything added, distinct or not.",
      annotations: ["---@return integer"]),
    APIEntry(
      "Counter:associations",
      "c:associations(words [, {measure = \"pmi\", min = 1, n = words:total(), top = 0, negative = true}])",
      returns: "List of {pair, count, first, second, score}",
      "Scores the pairs `\"a b\"` of this counter (from `add_tokens` with `ngram = 2`) by a `folio.stats` measure, in Swift; the `top` best (`0`: all), by score then pair.",
      details:
        "o11 = the pair's count (at least `min`), r1 and c1 = the counts of `a` and `b` in `words`, n = `n`. `measure` is pmi, t_score, log_likelihood, chi2 or log_dice; every score but log_dice is negative for a pair seen less often than expected (o11 < e11), and `negative = false` leaves such pairs out. A key that is not two words joined by a space is left out.",
      example:
        "state.bi:associations(state.uni, {measure = \"log_likelihood\", min = 5, top = 20})",
      annotations: [
        "---@param words Counter",
        "---@param opts? {measure?: string, min?: integer, n?: number, top?: integer}",
        "---@return List",
      ]),
    APIEntry(
      "Counter:top", "c:top(n [, {min = 1}])", returns: "List of {key, count}",
      "The `n` most frequent keys, by count then key (`n <= 0`: all).",
      annotations: ["---@param n integer", "---@param opts? {min?: integer}", "---@return List"]),
    APIEntry(
      "Counter:items", "c:items([{min = 1}])", returns: "table",
      "A plain table `{[key] = count}` of the keys counted at least `min` times.",
      annotations: ["---@param opts? {min?: integer}", "---@return table<string, integer>"]),

    // MARK: folio.gazetteer
    APIEntry(
      "folio.gazetteer", "folio.gazetteer(entries [, {ignore_case, label}])", returns: "Gazetteer",
      "A compiled matcher for many names at once, over a document's tokens (a token trie, in Swift).",
      details:
        "`entries`: a list of names, a table of name → label, or text with one `name` or `name<TAB>label` a line.",
      example: #"local g = folio.gazetteer({["Kremlin"] = "ORG", ["Moscow"] = "LOC"})"#,
      annotations: [
        "---@param entries string[]|table<string, string>|string",
        "---@param opts? {ignore_case?: boolean, label?: string}", "---@return Gazetteer",
      ]),
    APIEntry(
      "Gazetteer:find", "g:find(doc)", returns: "List of {first, last, text, label}",
      "Every longest, leftmost match in the document's tokens.",
      annotations: ["---@param doc Document", "---@return List"]),
    APIEntry(
      "Gazetteer:tag", "g:tag(doc, layer)", returns: "integer",
      "Adds a span per match to `layer` (label = the entry's label); returns how many.",
      annotations: ["---@param doc Document", "---@param layer string", "---@return integer"]),

    // MARK: folio.tagger
    APIEntry(
      "folio.tagger.load", "folio.tagger.load(model)", returns: "Tagger",
      "A part-of-speech tagger and lemmatiser from a model's bytes (`folio train pos` makes them).",
      details:
        "`model` is the model file's contents: from a plugin option of type `file` (`ctx.files.model`) or `folio.read_file`. A model read once is kept for the process, so each worker's plugin loads it at no cost.",
      example: "local tagger = folio.tagger.load(ctx.files.model)",
      annotations: ["---@param model string", "---@return Tagger"]),
    APIEntry(
      "Tagger:tag", "tagger:tag(doc)", returns: "integer",
      "Tags the document: its tokens become the model's words (clitics split: `do` `n't`), each with `t.pos`, `t.tag`, `t.lemma` and, when the model has them, `t.feats`; returns the number of words.",
      details:
        "A plugin that calls it declares `writes = [\"token:pos\", \"token:tag\", \"token:lemma\", \"token:feats\"]` (`token:feats` only for a model with features). Token lists made before it end: `doc:tokens()` gives the words.",
      annotations: ["---@param doc Document", "---@return integer"]),

    // MARK: folio.re
    APIEntry(
      "folio.re.compile", "folio.re.compile(pattern [, flags])", returns: "Regex",
      "Compiles a PCRE2 regular expression (JIT, UTF-8, Unicode classes, named groups).",
      details:
        "flags: `i` ignore case, `m` multi-line, `s` dot matches newline, `x` extended. Positions are bytes, 1-based and inclusive, as `string.find` gives them.",
      example: #"local date = folio.re.compile([[\b(\d{4})-(\d\d)-(\d\d)\b]])"#,
      annotations: ["---@param pattern string", "---@param flags? string", "---@return Regex"]),
    APIEntry(
      "folio.re.find", "folio.re.find(s, pattern [, init [, flags]])",
      returns: "first, last, captures...",
      "`string.find` with a PCRE2 pattern (compiled once and cached).",
      annotations: [
        "---@param s string", "---@param pattern string", "---@param init? integer",
        "---@param flags? string", "---@return integer?", "---@return integer?",
      ]),
    APIEntry(
      "folio.re.match", "folio.re.match(s, pattern [, init [, flags]])", returns: "captures...",
      "`string.match` with a PCRE2 pattern.",
      annotations: [
        "---@param s string", "---@param pattern string", "---@param init? integer",
        "---@param flags? string", "---@return string?",
      ]),
    APIEntry(
      "folio.re.gmatch", "folio.re.gmatch(s, pattern [, flags])", returns: "iterator",
      "`string.gmatch` with a PCRE2 pattern.",
      annotations: [
        "---@param s string", "---@param pattern string", "---@param flags? string",
        "---@return fun(): string?",
      ]),
    APIEntry(
      "folio.re.gsub", "folio.re.gsub(s, pattern, repl [, n [, flags]])",
      returns: "string, integer",
      "`string.gsub` with a PCRE2 pattern; `repl` is a string (`%1`), a table or a function.",
      annotations: [
        "---@param s string", "---@param pattern string", "---@param repl string|table|function",
        "---@param n? integer", "---@param flags? string", "---@return string",
        "---@return integer",
      ]),
    APIEntry(
      "Regex:find", "re:find(s [, init])", returns: "first, last, captures...",
      "Like `string.find`: byte positions and the captures.",
      annotations: [
        "---@param s string", "---@param init? integer", "---@return integer?",
        "---@return integer?",
      ]),
    APIEntry(
      "Regex:match", "re:match(s [, init])", returns: "captures...", "Like `string.match`.",
      annotations: ["---@param s string", "---@param init? integer", "---@return string?"]),
    APIEntry(
      "Regex:gmatch", "re:gmatch(s)", returns: "iterator", "Like `string.gmatch`.",
      annotations: ["---@param s string", "---@return fun(): string?"]),
    APIEntry(
      "Regex:gsub", "re:gsub(s, repl [, n])", returns: "string, integer", "Like `string.gsub`.",
      annotations: [
        "---@param s string", "---@param repl string|table|function", "---@param n? integer",
        "---@return string", "---@return integer",
      ]),
    APIEntry(
      "Regex:exec", "re:exec(s [, init])", returns: "table",
      "The match as `{first, last, [1..n] = captures, name = capture}`, or nil.",
      annotations: ["---@param s string", "---@param init? integer", "---@return table?"]),
    APIEntry(
      "Regex:tag", "re:tag(doc, layer [, label])", returns: "integer",
      "Adds a span to `layer` for every match in the document, in Swift; returns how many.",
      example: #"date:tag(doc, "date", "DATE")"#,
      annotations: [
        "---@param doc Document", "---@param layer string", "---@param label? string",
        "---@return integer",
      ]),

    // MARK: Document
    APIEntry(
      "Document.id", "doc.id", returns: "string",
      "Stable identifier: the path relative to the corpus root, or `path#record`."),
    APIEntry(
      "Document.text", "doc.text", returns: "string",
      "The decoded UTF-8 text (no BOM, LF line ends, invalid bytes replaced by U+FFFD)."),
    APIEntry(
      "Document.meta", "doc.meta", returns: "Meta",
      "Metadata, read and write: `doc.meta.date = \"2024-06-27\"`; strings, numbers, booleans and lists; `pairs(doc.meta)` walks it."
    ),
    APIEntry(
      "Document:tokens", "doc:tokens([{pos}])",
      returns: "List of Token",
      "The document's tokens (UAX #29 words): `t.text`, `t.first`, `t.last` (byte positions as `string.find` gives them), `t.kind` (word, number, punct, symbol, url, email, handle, hashtag, emoji) and `t.norm` (NFKC, case-folded: `Straße` → `strasse`); after a tagger, also `t.pos`, `t.tag` and `t.lemma`, and `{pos = \"NOUN,VERB\"}` keeps the tokens with one of those parts of speech.",
      details:
        "Tokens are views, not tables: each is a light userdata naming its document's token list and its place in it, and each field is read in C when asked for, so a loop over every token of a corpus makes no table per token (about 4× faster than tables in Lua 5.4, at under a third of the memory). They compare equal when they are the same token and can be table keys. They are read-only (`t:totable()` gives a plain copy) and live as long as their document: in a plugin, during the call that received it; in scripts and the REPL, for the session (once views hold 256 MiB, the oldest go first). Reading one later is an error that says so; keep `t.text`, or `t:totable()`, instead. A list is a snapshot: after `doc:cut` its tokens still describe the text as it was (so cutting from the last token back works) and `doc:tokens()` gives the new ones. In a report state or `folio.json.encode`, a token becomes its fields. The `{norm = true}` option of earlier versions is accepted and no longer needed.",
      example: #"for _, t in ipairs(doc:tokens()) do if t.kind == "word" then n = n + 1 end end"#,
      annotations: ["---@param opts? {norm?: boolean, pos?: string|string[]}", "---@return List"]),
    APIEntry(
      "Token:next", "t:next()", returns: "Token or nil",
      "The next token of the document, or nil after the last.",
      details:
        "Tokens have the span methods too: `t:prev()`, `t:covering(layer)` (`t:covering(\"sentence\")[1]`), `t:within(layer)`; `tostring(t)` shows `Token(5-9 word \"money\")`.",
      annotations: ["---@return Token?"]),
    APIEntry(
      "Token:prev", "t:prev()", returns: "Token or nil",
      "The previous token of the document, or nil before the first.",
      annotations: ["---@return Token?"]),
    APIEntry(
      "Token:covering", "t:covering(layer)", returns: "List",
      "The spans of `layer` that contain this token: its sentence (`t:covering(\"sentence\")[1]`), its entity.",
      annotations: ["---@param layer string", "---@return List"]),
    APIEntry(
      "Token:within", "t:within(layer)", returns: "List",
      "The spans of `layer` inside this token (rarely any but the token itself with `\"token\"`).",
      annotations: ["---@param layer string", "---@return List"]),
    APIEntry(
      "Token:totable", "t:totable()", returns: "{text, first, last, kind}",
      "A plain table of the token's fields, to keep after its document's call.",
      annotations: ["---@return table"]),
    APIEntry(
      "Document:counts", "doc:counts([{lower = false, kinds = {\"word\"}, ngram = 1, breaks}])",
      returns: "table, integer",
      "Token texts (or sequences of `ngram` tokens, 2 to 6) counted in Swift: `{[text] = count}` and the total.",
      details:
        "`breaks` lists token kinds (and `\"sentence\"`) that a sequence may not span, as for `c:add_tokens`.",
      example:
        "local trigrams = doc:counts({ngram = 3, lower = true, breaks = {\"punct\", \"number\", \"sentence\"}})",
      annotations: [
        "---@param opts? {lower?: boolean, kinds?: string[], ngram?: integer, breaks?: string[]}",
        "---@return table<string, integer>", "---@return integer",
      ]),
    APIEntry(
      "Document:find_tokens", "doc:find_tokens(word [, {ignore_case, possessive}])",
      returns: "List of {text, first, last, kind}",
      "The tokens equal to `word`, found in Swift without tokenising the whole text, as plain tables.",
      annotations: [
        "---@param word string", "---@param opts? {ignore_case?: boolean, possessive?: boolean}",
        "---@return List",
      ]),
    APIEntry(
      "Document:query", "doc:query(cql [, {strategy, limit}])",
      returns: "List of {doc, first, last, text, from, to, labels}",
      "The hits of a CQL query in the document, matched in Swift: byte positions as `string.find` gives them, token positions `from`..`to` (from 1) and each label's token position (`labels.a`).",
      details:
        "The query language is CQP's (Sources/FolioCore/Query/README.md): `[lemma=\"say\"] []{0,3} \"that\" within s`, layers as `<entity label=\"PERSON\"/>`. A syntax error points at the column. Token attributes other than word, lower, norm and kind need a tagger first. strategy: standard (CQP's default: the shortest hit from each start, one hit per end token), longest or shortest.",
      example: #"for _, h in ipairs(doc:query('[pos="ADJ"] "money"')) do print(h.text) end"#,
      annotations: [
        "---@param cql string",
        "---@param opts? {strategy?: \"standard\"|\"longest\"|\"shortest\", limit?: integer}",
        "---@return List",
      ]),
    APIEntry(
      "Document:add", "doc:add(layer, first, last [, label [, attrs]])",
      "Adds a span over bytes first..last (as `string.find` gives them) to `layer`.",
      details: "A plugin may only write the layers its manifest declares in `writes`.",
      example: #"doc:add("entity", 1, 6, "PERSON", {source = "list"})"#,
      annotations: [
        "---@param layer string", "---@param first integer", "---@param last integer",
        "---@param label? string", "---@param attrs? table<string, string|number|boolean>",
      ]),
    APIEntry(
      "Document:spans",
      "doc:spans(layer [, {label, within = {first, last}, covering = {first, last}}])",
      returns: "List of {first, last, text, label, layer, attrs}",
      "The spans of a layer in text order, optionally only one label, those inside a range or those covering it.",
      details:
        "`within` gives the entities of a sentence, `covering` the sentence of an entity: `doc:spans(\"sentence\", {covering = {e.first, e.last}})`. The `sentence` layer is computed from the text unless a plugin stored one; `token` gives the tokens (as `doc:tokens()`, with `label` picking a kind: `doc:spans(\"token\", {label = \"word\", within = {s.first, s.last}})`).",
      annotations: [
        "---@param layer string",
        "---@param opts? {label?: string, within?: integer[], covering?: integer[]}",
        "---@return List",
      ]),
    APIEntry(
      "Document:next", "doc:next(span)", returns: "span or nil",
      "The span after `span` in its layer (spans are ordered by first, then last), or nil after the last.",
      example: #"local s = doc:sentences()[1]; local second = doc:next(s)"#,
      annotations: ["---@param span table", "---@return table?"]),
    APIEntry(
      "Document:prev", "doc:prev(span)", returns: "span or nil",
      "The span before `span` in its layer, or nil before the first.",
      annotations: ["---@param span table", "---@return table?"]),
    APIEntry(
      "Span:next", "span:next()", returns: "span or nil",
      "The next span of the same layer (as `doc:next(span)`).",
      details:
        "Spans and sentences are plain tables ({first, last, text, label, layer, attrs}) with these methods; `tostring` shows `Span(entity 11-21 PERSON \"Kolokoltsev\")`. They copy into report states and JSON as plain data (without the methods). The methods work while their document does: during the call that received it. Tokens have the same methods (`Token:next`).",
      example: #"local s = doc:sentences()[1]; print(s:next())"#,
      annotations: ["---@return table?"]),
    APIEntry(
      "Span:prev", "span:prev()", returns: "span or nil",
      "The previous span of the same layer.",
      annotations: ["---@return table?"]),
    APIEntry(
      "Span:covering", "span:covering(layer)", returns: "List",
      "The spans of `layer` that contain this one: the sentence of an entity (`e:covering(\"sentence\")[1]`).",
      example: #"local sentence = entity:covering("sentence")[1]"#,
      annotations: ["---@param layer string", "---@return List"]),
    APIEntry(
      "Span:within", "span:within(layer)", returns: "List",
      "The spans of `layer` inside this one: the entities of a sentence, or its tokens with `\"token\"`.",
      example: #"for t in sentence:within("token"):each() do print(t.text) end"#,
      annotations: ["---@param layer string", "---@return List"]),
    APIEntry(
      "Document:token_columns", "doc:token_columns([{norm = true}])",
      returns: "{text, first, last, kind [, norm]}",
      "The tokens as parallel arrays: `c.text[i]`, `c.first[i]`, `c.last[i]`, `c.kind[i]` (and `c.norm[i]`).",
      details:
        "Columns of plain values, for code that wants arrays (`table.concat(c.text, \" \")`) or the last bit of speed: a scan of `c.kind` reads one array. Each column is made when it is first read, so a scan of `c.kind` makes no strings of texts; `pairs(c)` makes them all. Read the columns during the call that received the document. Counting and matching need no loop at all: `doc:counts`, `folio.counter`, `doc:find_tokens`.",
      example:
        #"local c = doc:token_columns(); for i = 1, #c.text do if c.kind[i] == "word" then n = n + 1 end end"#,
      annotations: ["---@param options? {norm: boolean}", "---@return table"]),
    APIEntry(
      "Document:original", "doc:original(first [, last])", returns: "integer, integer",
      "Where positions first..last of the current text were in the text as read, before any `doc:cut`.",
      details:
        "Filters cut text (boilerplate, dates); a tagger after them still reports positions in the file as it was: `doc:original(e.first, e.last)`.",
      annotations: [
        "---@param first integer", "---@param last? integer", "---@return integer, integer",
      ]),
    APIEntry(
      "Document:sentences", "doc:sentences()", returns: "List of {first, last, text, layer}",
      "The document's sentences: the `sentence` layer, computed from the text unless a plugin stored one.",
      details:
        "Breaks follow UAX #29's terminators and closing punctuation, plus what running text needs: no break after abbreviations (\"Mr.\", \"Inc.\", \"Jan.\"), initials (\"J. K.\"), \"U.S.\" before a word that does not usually start a sentence, a lowercase word, or a single line break inside a paragraph; a break at every blank line and after CJK full stops.",
      example: #"for s in doc:sentences():each() do print(s.first, s.text) end"#,
      annotations: ["---@return List"]),
    APIEntry(
      "Document:remove", "doc:remove(layer [, first, last])", returns: "integer",
      "Removes a whole layer, or its spans that lie inside first..last; returns how many spans went.",
      details: "A plugin may remove only from the layers it declares in `writes`.",
      annotations: [
        "---@param layer string", "---@param first? integer", "---@param last? integer",
        "---@return integer",
      ]),
    APIEntry(
      "Document:layers", "doc:layers()", returns: "List of string",
      "The names of the document's layers.",
      annotations: ["---@return List"]),
    APIEntry(
      "Document:cut", "doc:cut(first, last)",
      "Removes bytes first..last from the text; later spans move, spans inside are dropped.",
      annotations: ["---@param first integer", "---@param last integer"]),
    APIEntry(
      "Document:text_of", "doc:text_of(first, last)", returns: "string",
      "The text between two byte positions (like `doc.text:sub(first, last)`).",
      annotations: ["---@param first integer", "---@param last integer", "---@return string"]),

    APIEntry(
      "Document:minhash", "doc:minhash([{shingle = 5, size = 64}])", returns: "List of integers",
      "A MinHash signature of the document's word shingles, computed in Swift, for near-duplicate detection.",
      details:
        "Two documents agree at a position with probability equal to the Jaccard similarity of their sets of `shingle`-word sequences (lowercased). See the dedupe plugin for LSH banding.",
      annotations: ["---@param opts? {shingle?: integer, size?: integer}", "---@return List"]),

    // MARK: Corpus
    APIEntry(
      "Corpus", "corpus[i], #corpus", returns: "Document",
      "A corpus held in memory (the REPL's `corpus`, `folio script`'s argument): documents by position, 1-based."
    ),
    APIEntry(
      "Corpus:get", "corpus:get(id)", returns: "Document", "The document with this id, or nil.",
      annotations: ["---@param id string", "---@return Document?"]),
    APIEntry(
      "Corpus:docs", "corpus:docs()", returns: "iterator", "Iterates the documents in order.",
      example: "for doc in corpus:docs() do print(doc.id) end",
      annotations: ["---@return fun(): Document?"]),
    APIEntry(
      "Corpus:filter", "corpus:filter(fn)", returns: "Corpus",
      "The sub-corpus of the documents for which `fn(doc, i)` is true.",
      example: #"corpus:filter(function(d) return d.meta.folder == "sport" end)"#,
      annotations: ["---@param fn fun(doc: Document, i: integer): boolean", "---@return Corpus"]),
    APIEntry(
      "Corpus:sample", "corpus:sample(n [, seed])", returns: "Corpus",
      "`n` documents drawn at random, the same ones for the same seed, in corpus order.",
      annotations: ["---@param n integer", "---@param seed? integer", "---@return Corpus"]),
    APIEntry(
      "Corpus:kwic", "corpus:kwic(word_or_regex [, {width = 40, ignore_case, regex, limit}])",
      returns: "List of rows {doc, left, match, right, first, last, n}",
      "A concordance: each occurrence with `width` characters of context either side, found in Swift.",
      details:
        "A string is a whole word (`Kolokoltsev` also finds `Kolokoltsev’s`); a `folio.re` pattern, or a string with `regex = true`, matches anywhere.",
      example: #"corpus:kwic("Kolokoltsev")"#,
      annotations: [
        "---@param pattern string|Regex",
        "---@param opts? {width?: integer, ignore_case?: boolean, regex?: boolean, limit?: integer}",
        "---@return List",
      ]),
    APIEntry(
      "Corpus:query", "corpus:query(cql [, {width = 40, limit, strategy}])",
      returns: "List of rows {doc, left, match, right, first, last, n}",
      "A concordance of the hits of a CQL query (see Document:query), as `corpus:kwic` gives it. A corpus opened with an index beside it (`folio index CORPUS`) is answered from the index while no document changes: attributes the index holds (`-p pos`) need no tagger in the session.",
      example: #"corpus:query('[lemma="say"] []{0,3} "that" within s', {limit = 20})"#,
      annotations: [
        "---@param cql string",
        "---@param opts? {width?: integer, limit?: integer, strategy?: string}",
        "---@return List",
      ]),
    APIEntry(
      "Corpus:freq", "corpus:freq([{n = 20, lower = true, kinds = {\"word\"}}])",
      returns: "List of rows {word, count, per_million}",
      "The corpus's most frequent tokens (`n = 0`: all), counted in Swift and kept until a text changes.",
      example: "corpus:freq({n = 10})",
      annotations: [
        "---@param opts? {n?: integer, lower?: boolean, kinds?: string[]}", "---@return List",
      ]),
    APIEntry(
      "Corpus:search", "corpus:search(pattern [, flags])", returns: "Corpus",
      "The sub-corpus of documents whose text matches a regular expression.",
      example: #"corpus:search("(?i)ceasefire")"#,
      annotations: [
        "---@param pattern string|Regex", "---@param flags? string", "---@return Corpus",
      ]),

    // MARK: plugins
    APIEntry(
      "ctx", "ctx", returns: "table",
      "What a plugin's functions receive: `ctx.options` (validated against plugin.toml), `ctx.files` (options of type file, read), `ctx.plugin` ({name, version, kind}), `ctx.scan` (the first pass's result), `ctx.log(...)`."
    ),
    APIEntry(
      "folio.test", "local test = require('folio.test') -- in tests/*_test.lua",
      "The plugin test module: `test.run`, `test.fixture`, `test.fixture_path`, `test.golden`, `test.written` (a file the plugin wrote with `folio.write_file`), `assert.equal`, `assert.truthy`, `assert.error_matches`.",
      details: "`folio plugin test NAME` runs each tests/*_test.lua in a fresh VM."),
  ]

  static let statsParams = [
    "---@param o11 number", "---@param r1 number", "---@param c1 number", "---@param n number",
    "---@return number",
  ]

  /// The entries matching `query`: the exact name, else names ending in `.query` or `:query`, else names containing it.
  public static func lookup(_ query: String, in entries: [APIEntry] = reference) -> [APIEntry] {
    let q = query.lowercased()
    if let exact = entries.first(where: { $0.name.lowercased() == q }) { return [exact] }
    let suffix = entries.filter {
      let n = $0.name.lowercased()
      return n.hasSuffix("." + q) || n.hasSuffix(":" + q)
    }
    if !suffix.isEmpty { return suffix }
    // A namespace or type: its members (`folio.re` lists folio.re.*, not folio.read_file).
    let members = entries.filter {
      let n = $0.name.lowercased()
      return n.hasPrefix(q + ".") || n.hasPrefix(q + ":")
    }
    if !members.isEmpty { return members }
    return entries.filter { $0.name.lowercased().contains(q) }
  }

  /// The Markdown reference (`Plugins/_meta/API.md`), generated from `entries`: one section per area, one entry per name.
  public static func markdownReference(_ entries: [APIEntry]) -> String {
    var out = """
      # Folio's Lua API

      Generated by `folio doc --markdown` from the reference in
      `Sources/FolioLua/APIReference.swift` and `Sources/FolioREPL/REPLSession+Plugins.swift`;
      a test keeps this file equal to it. At a terminal: `folio doc NAME`, or `?NAME` in the REPL.

      """
    let moved = ["folio.List": "List", "folio.counter": "Counter", "folio.gazetteer": "Gazetteer"]
    func section(_ entry: APIEntry) -> String {
      let parts = entry.name.split(whereSeparator: { $0 == "." || $0 == ":" }).map(String.init)
      if let s = moved[entry.name] { return s }
      if entry.name.hasPrefix("folio.") {
        return parts.count > 2
          ? "folio.\(parts[1])" : entry.name == "folio.test" ? "folio.test" : "folio"
      }
      if ["kwic", "freq", "grep", "sample", "show", "corpus"].contains(entry.name) {
        return "REPL and script helpers"
      }
      return parts.first ?? entry.name
    }
    var order: [String] = []
    var grouped: [String: [APIEntry]] = [:]
    for entry in entries {
      let s = section(entry)
      if grouped[s] == nil { order.append(s) }
      grouped[s, default: []].append(entry)
    }
    for area in order {
      out += "\n## \(area)\n"
      for entry in grouped[area] ?? [] {
        let returns = entry.returns.isEmpty ? "" : "  --> " + entry.returns
        out +=
          "\n### `\(entry.name)`\n\n```lua\n\(entry.signature)\(returns)\n```\n\n\(entry.summary)\n"
        if !entry.details.isEmpty { out += "\n\(entry.details)\n" }
        if !entry.example.isEmpty { out += "\n```lua\n\(entry.example)\n```\n" }
      }
    }
    return out
  }

  /// The LuaCATS stub (`Plugins/_meta/folio.lua`) for the Lua language server, generated from `reference`.
  public static func luaCATSStub() -> String {
    var out = """
      ---@meta
      -- Folio's Lua API for the Lua language server (LuaLS), generated by `folio doc --luacats`.
      -- Do not edit: a test keeps it equal to the reference in Sources/FolioLua/APIReference.swift.

      ---@class List: table
      List = {}
      ---@class Counter
      Counter = {}
      ---@class Gazetteer
      Gazetteer = {}
      ---@class Regex
      Regex = {}
      ---@class Meta: table<string, any>
      ---@class Document
      ---@field id string
      ---@field text string
      ---@field meta Meta
      Document = {}
      ---@class Corpus
      Corpus = {}
      ---@class Span
      ---@field first integer
      ---@field last integer
      ---@field text string
      ---@field label string?
      ---@field layer string
      ---@field attrs table<string, any>
      Span = {}
      ---@class Token
      ---@field text string
      ---@field first integer
      ---@field last integer
      ---@field kind string word, number, punct, symbol, url, email, handle, hashtag, emoji
      ---@field norm string NFKC, case-folded text
      Token = {}

      folio = {}
      folio.version = "\(apiVersion)"
      folio.List = List
      folio.text = {}
      folio.stats = {}
      ---@type table<string, string>
      folio.stats.formulas = {}
      folio.re = {}

      """
    for entry in reference where !entry.annotations.isEmpty {
      out += "\n--- " + entry.summary.replacingOccurrences(of: "\n", with: " ") + "\n"
      for a in entry.annotations { out += a + "\n" }
      let params = entry.annotations.compactMap { line -> String? in
        guard line.hasPrefix("---@param ") else { return nil }
        let name = line.dropFirst(10).split(separator: " ").first.map(String.init) ?? "_"
        return name.hasSuffix("?") ? String(name.dropLast()) : name
      }
      out += "function \(entry.name)(\(params.joined(separator: ", "))) end\n"
    }
    return out
  }
}
