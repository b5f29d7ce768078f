import FolioCore
import LuaRuntime

extension FolioLua {
  /// The `folio` table and its modules, the List class and the Counter, Gazetteer, Tagger and
  /// Regex objects, declared in reading order.
  static let moduleAPI: [APIEntry] = [
    // MARK: folio
    APIEntry(
      value: "folio.version",
      usage: "folio.version",
      returns: "string",
      "The version of the Lua API (`0.1.0`), the one plugins name a range against in `plugin.toml`."
    ),
    APIEntry(
      "folio.log",
      params: [.init("...", "any")],
      "Writes its arguments to stderr, tab-separated, prefixed with the plugin's name.",
      example: #"folio.log("skipping", doc.id)"#,
      body: .contextual(log)),
    APIEntry(
      "folio.read_file",
      params: [.init("path", "string")],
      results: ["string"],
      "The bytes of a file under the plugin's own folder (`path` relative to it, no `..`).",
      details:
        "Needs `permissions = [\"read\"]` in plugin.toml and `--allow NAME:read` from the user; otherwise an error says which is missing. A symbolic link that leads out of the folder is refused.",
      example: #"local words = folio.read_file("lists/stopwords.txt")"#,
      body: .contextual(readFile)),
    APIEntry(
      "folio.write_file",
      params: [.init("name", "string"), .init("contents", "string")],
      results: ["string"],
      "Writes `contents` to `name` in the folder the user granted, atomically (a temporary file, then rename); returns the path written.",
      details:
        "Needs `permissions = [\"write\"]` in plugin.toml and `--allow NAME:write=DIR` from the user. `name` is relative (subfolders are made), without `..`; a symbolic link that leads out of DIR is refused. In a plugin's own tests the files go to a temporary folder that `folio.test.written(name)` reads.",
      example: #"folio.write_file("clusters/" .. id .. ".txt", text)"#,
      body: .contextual(writeFile)),
    APIEntry(
      "folio.top",
      params: [.init("t", "table<any, number>"), .init("n", "integer")],
      results: ["List"],
      returns: "List of {key, value}",
      "The `n` entries of `t` with the largest numeric values, ties broken by key.",
      details: "Runs in Swift (a partial sort); `n <= 0` gives every entry.",
      example: "for _, kv in ipairs(folio.top(counts, 10)) do print(kv[1], kv[2]) end",
      body: .host(top)),
    APIEntry(
      "folio.minhash_clusters",
      params: [
        .init("signatures", "integer[][]"),
        .init(
          "opts", "{threshold?: number, bands?: integer}?", shown: "{threshold = 0.8, bands = 16}"),
      ],
      results: ["List"],
      returns: "List of {first, similarity} or false",
      "Near-duplicate clusters of `doc:minhash()` signatures, found in Swift by LSH banding.",
      details:
        "Entry i is false when signature i starts a cluster, else `{first = j, similarity = s}`: the earliest signature of its cluster and the share of equal positions. The dedupe and duplicates plugins use it.",
      body: .host(minhashClusters)),
    APIEntry(
      value: "folio.List",
      usage: "folio.List.new([t])",
      returns: "List",
      "The sequence type every Folio call returns: `map`, `filter`, `find`, `each`, `count`, `sort`, `take`, `totable`, `#`.",
      example: "folio.List.new({3, 1, 2}):sort():take(2)"),
    APIEntry(
      "List:map",
      params: [.init("f", "fun(item: any, i: integer): any")],
      results: ["List"],
      "A new List of `f(item, i)` for each item.",
      example: "doc:tokens():map(function(t) return t.text end)",
      body: .lua),
    APIEntry(
      "List:filter",
      params: [.init("f", "fun(item: any, i: integer): boolean")],
      results: ["List"],
      "A new List of the items for which `f(item, i)` is true (rows keep their columns).",
      example: "kwic('Moscow'):filter(function(r) return r.doc:find('^world') end)",
      body: .lua),
    APIEntry(
      "List:find",
      params: [.init("f", "fun(item: any, i: integer): boolean")],
      results: ["any", "integer?"],
      returns: "item, index",
      "The first item for which `f(item, i)` is true, and its index; nil when none.",
      body: .lua),
    APIEntry(
      "List:each",
      params: [.init("f", "fun(item: any, i: integer)")],
      "Calls `f(item, i)` for each item.",
      body: .lua),
    APIEntry(
      "List:count",
      params: [.init("f", "fun(item: any, i: integer): boolean?")],
      results: ["integer"],
      "How many items there are, or how many satisfy `f`.",
      body: .lua),
    APIEntry(
      "List:sort",
      params: [.init("cmp", "fun(a: any, b: any): boolean?")],
      results: ["List"],
      "Sorts in place (as `table.sort`) and returns the list.",
      body: .lua),
    APIEntry(
      "List:take",
      params: [.init("n", "integer")],
      results: ["List"],
      "A new List of the first `n` items.",
      body: .lua),
    APIEntry(
      "List:totable",
      results: ["table"],
      "A plain table copy of the items.",
      body: .lua),
    APIEntry(
      "List.new",
      params: [.init("t", "table?")],
      results: ["List"],
      "Makes `t` (or a new table) a List.",
      body: .lua),

    // MARK: folio.text
    APIEntry(
      "folio.text.lower",
      params: [.init("s", "string"), .init("language", "string?")],
      results: ["string"],
      "Unicode-aware lowercase (`ÉTÉ` → `été`, `ΟΔΟΣ` → `οδος` with a final sigma), unlike `string.lower`.",
      details: "With language `tr` or `az`, I → ı and İ → i (Turkish and Azeri); otherwise İ → i̇.",
      example: #"folio.text.lower("DİYARBAKIR", "tr") --> "diyarbakır""#,
      body: .host(textLower)),
    APIEntry(
      "folio.text.upper",
      params: [.init("s", "string"), .init("language", "string?")],
      results: ["string"],
      "Unicode-aware uppercase (`ß` → `SS`); with language `tr` or `az`, i → İ and ı → I.",
      body: .host(textUpper)),
    APIEntry(
      "folio.text.casefold",
      params: [.init("s", "string")],
      results: ["string"],
      "Full Unicode case folding for caseless comparison: `Straße` → `strasse`, `ς` and `Σ` → `σ`.",
      body: .host(textCasefold)),
    APIEntry(
      "folio.text.normalize",
      params: [.init("s", "string"), .init("form", "string?")],
      results: ["string"],
      "Unicode normalisation: form `NFC` (the default), `NFD`, `NFKC` or `NFKD`.",
      example: #"folio.text.normalize("ﬁ①", "NFKC") --> "fi1""#,
      body: .host(textNormalize)),
    APIEntry(
      "folio.text.sub",
      params: [.init("s", "string"), .init("i", "integer"), .init("j", "integer?")],
      results: ["string"],
      "Characters (grapheme clusters) i to j, with `string.sub`'s rules for negative and missing positions.",
      example: #"folio.text.sub("東京タワー", 2, -2) --> "京タワ""#,
      body: .host(textSub)),
    APIEntry(
      "folio.text.len",
      params: [.init("s", "string")],
      results: ["integer"],
      "Length in characters (grapheme clusters), where `#s` counts bytes.",
      example: #"folio.text.len("東京") --> 2"#,
      body: .host(textLength)),

    // MARK: folio.table
    APIEntry(
      "folio.table",
      params: [
        .init(
          "spec", "{title?: string, columns: string[], types?: string[], formulas?: table}",
          shown: "{title, columns = {...}, types = {...}}")
      ],
      results: ["table"],
      returns: "folio.table",
      "A report table with typed columns (string, integer, number, boolean): rows are checked as they are added, so a wrong value fails at the line that adds it.",
      details:
        "Methods: `t:add(row)` (an array in column order or a table keyed by column names; nil leaves a cell empty), `t:sort(column [, descending])` (stable), `t:top(n)`, `#t`. A report's `finish` can return `t` itself.",
      example:
        #"local t = folio.table{title = "words", columns = {"word", "count"}, types = {"string", "integer"}}; t:add{"the", 10}; return t:sort("count", true):top(20)"#,
      body: .lua),

    // MARK: folio.json
    APIEntry(
      "folio.json.decode",
      params: [.init("s", "string"), .init("opts", "{null?: any}?", shown: "{null = value}")],
      results: ["any"],
      "Parses JSON text: objects become tables, arrays Lists, integers integers; JSON null becomes `null` (nil unless given).",
      details:
        "Strict RFC 8259, nesting up to 512 deep; malformed text is an argument error naming the byte.",
      example: #"folio.json.decode('{"a": [1, 2]}').a[2] --> 2"#,
      body: .host(jsonDecode)),
    APIEntry(
      "folio.json.encode",
      params: [.init("value", "any"), .init("opts", "{indent?: integer}?", shown: "{indent = 2}")],
      results: ["string"],
      "JSON text of plain data: tables with keys 1..n (and empty tables) are arrays, other tables objects with sorted keys, so the bytes are the same every run.",
      details:
        "Read raw, without metamethods. Functions, userdata, NaN, infinities and strings that are not UTF-8 are argument errors naming where they are.",
      example: #"folio.json.encode({b = 1, a = {1, 2}}) --> {"a":[1,2],"b":1}"#,
      body: .host(jsonEncode)),

    // MARK: folio.stats
    measure(
      .pmi, "Pointwise mutual information in bits: log2(o11 / e11), e11 = r1 * c1 / n.",
      details: "o11 = pair count, r1 = count of the first word, c1 = of the second, n = tokens."),
    measure(
      .tScore, "t-score: (o11 - e11) / sqrt(o11)."),
    measure(
      .logLikelihood,
      "Log-likelihood G² (Dunning 1993): 2 * sum(o_ij * ln(o_ij / e_ij)) over the 2×2 table, negative when the pair occurs less often than expected (o11 < e11)."
    ),
    measure(
      .chi2,
      "Pearson's chi² of the 2×2 table: n * (o11*o22 - o12*o21)² / (r1*r2*c1*c2), negative when o11 < e11."
    ),
    measure(
      .logDice,
      "log-Dice (Rychlý 2008): 14 + log2(2 * o11 / (r1 + c1)); at most 14, independent of corpus size."
    ),
    APIEntry(
      "folio.stats.log_ratio",
      params: [
        .init("a", "number"), .init("na", "number"), .init("b", "number"), .init("nb", "number"),
      ],
      results: ["number"],
      "Log ratio (Hardie 2014) for keyness: log2((a / na) / (b / nb)), zero counts taken as 0.5.",
      body: .host(logRatio)),
    APIEntry(
      "folio.stats.p_value",
      params: [.init("x", "number")],
      results: ["number"],
      "The p-value of a G² or chi² of a 2×2 table (either sign): the chi-square upper tail with 1 degree of freedom.",
      details:
        "3.84 gives 0.05, 6.63 gives 0.01, 10.83 gives 0.001. For a cut-off over many tests, divide it by their number (Bonferroni).",
      example: "folio.stats.p_value(folio.stats.log_likelihood(30, 1000, 200, 1e6)) < 0.001",
      body: .host(pValue)),
    APIEntry(
      value: "folio.stats.formulas",
      usage: "folio.stats.formulas",
      returns: "table",
      "Each measure's formula by name, for a report's provenance."),

    // MARK: folio.counter
    APIEntry(
      "folio.counter",
      params: [.init("from", "Counter|string?")],
      results: ["Counter"],
      "A counter of strings kept in Swift: the bulk state of word lists and collocations.",
      details:
        "It travels between workers and shards as one string; `from` is such a string or another counter. From a worker to the merging VM of the same run that string is a ticket: the counter's keys move with no copy, and `folio.counter(s)` or `c:merge(s)` takes them, once. To a state file (`--save-state`), the string is the counter's bytes.",
      example: "local c = folio.counter(); c:add_tokens(doc, {lower = true})",
      body: .host(counterNew)),
    APIEntry(
      "Counter:add",
      params: [.init("key", "string"), .init("n", "integer?")],
      "Adds `n` (default 1) to `key`.",
      body: .host(counterAdd)),
    APIEntry(
      "Counter:add_tokens",
      params: [
        .init("doc", "Document"),
        .init(
          "opts",
          "{lower?: boolean, kinds?: string[], ngram?: integer, breaks?: string[], distinct?: boolean, attr?: string, pos?: string|string[]}?",
          shown: "{lower, kinds, ngram, breaks, distinct, attr, pos}"),
      ],
      results: ["integer"],
      "Counts the document's tokens (or with `ngram = n`, 2 to 6, sequences `\"a b c\"`) in Swift; returns how many were added.",
      details:
        "With `distinct = true` each different token counts once per document: document frequencies. Tokens of other kinds than `kinds` are skipped; with `breaks` (token kinds, and `\"sentence\"` for sentence ends) a sequence never spans one: `breaks = {\"punct\", \"number\", \"sentence\"}` keeps n-grams inside runs of words. After a tagger (`-p pos`), `attr = \"lemma\"` (or `\"pos\"`, `\"tag\"`) counts that attribute instead of the text and `pos = \"NOUN,VERB\"` (or a list) only the tokens with one of those parts of speech; without a tagger either is an error that says so.",
      body: .host(counterAddTokens)),
    APIEntry(
      "Counter:add_hits",
      params: [
        .init("doc", "Document"), .init("cql", "string"),
        .init("opts", "{by?: string[], strategy?: string}?", shown: "{by, strategy}"),
      ],
      results: ["integer, integer"],
      "Counts the hits of a CQL query in the document under their group, in Swift; returns the number of hits and of the document's words.",
      details:
        "`by` lists what makes a group, joined by tabs in the key: an attribute over the hit's tokens (`lemma`, `pos`, `word`, `lower`: values joined by spaces), one at a label (`a.lemma`, `match.word`, `matchend.pos`) or `meta.FIELD`. Without `by` every hit counts under \"\". The `hits` report is built on it.",
      example: #"c:add_hits(doc, '[pos="ADJ"] [pos="NOUN"]', {by = {"lemma"}})"#,
      body: .contextual(counterAddHits)),
    APIEntry(
      "Counter:merge",
      params: [.init("other", "Counter|string")],
      "Adds another counter (or the string it travels as).",
      body: .host(counterMerge)),
    APIEntry(
      "Counter:get",
      params: [.init("key", "string")],
      results: ["integer"],
      "The count of `key` (0 when never added).",
      body: .host(counterGet)),
    APIEntry(
      "Counter:total",
      results: ["integer"],
      "Everything added, distinct or not.",
      body: .host(counterTotal)),
    APIEntry(
      "Counter:associations",
      params: [
        .init("words", "Counter"),
        .init(
          "opts", "{measure?: string, min?: integer, n?: number, top?: integer}?",
          shown: "{measure = \"pmi\", min = 1, n = words:total(), top = 0, negative = true}"),
      ],
      results: ["List"],
      returns: "List of {pair, count, first, second, score}",
      "Scores the pairs `\"a b\"` of this counter (from `add_tokens` with `ngram = 2`) by a `folio.stats` measure, in Swift; the `top` best (`0`: all), by score then pair.",
      details:
        "o11 = the pair's count (at least `min`), r1 and c1 = the counts of `a` and `b` in `words`, n = `n`. `measure` is pmi, t_score, log_likelihood, chi2 or log_dice; every score but log_dice is negative for a pair seen less often than expected (o11 < e11), and `negative = false` leaves such pairs out. A key that is not two words joined by a space is left out.",
      example:
        "state.bi:associations(state.uni, {measure = \"log_likelihood\", min = 5, top = 20})",
      body: .host(counterAssociations)),
    APIEntry(
      "Counter:top",
      params: [.init("n", "integer"), .init("opts", "{min?: integer}?", shown: "{min = 1}")],
      results: ["List"],
      returns: "List of {key, count}",
      "The `n` most frequent keys, by count then key (`n <= 0`: all).",
      body: .host(counterTop)),
    APIEntry(
      "Counter:items",
      params: [.init("opts", "{min?: integer}?", shown: "{min = 1}")],
      results: ["table<string, integer>"],
      returns: "table",
      "A plain table `{[key] = count}` of the keys counted at least `min` times.",
      body: .host(counterItems)),

    // MARK: folio.gazetteer
    APIEntry(
      "folio.gazetteer",
      params: [
        .init("entries", "string[]|table<string, string>|string"),
        .init("opts", "{ignore_case?: boolean, label?: string}?", shown: "{ignore_case, label}"),
      ],
      results: ["Gazetteer"],
      "A compiled matcher for many names at once, over a document's tokens (a token trie, in Swift).",
      details:
        "`entries`: a list of names, a table of name → label, or text with one `name` or `name<TAB>label` a line.",
      example: #"local g = folio.gazetteer({["Kremlin"] = "ORG", ["Moscow"] = "LOC"})"#,
      body: .host(gazetteerNew)),
    APIEntry(
      "Gazetteer:find",
      params: [.init("doc", "Document")],
      results: ["List"],
      returns: "List of {first, last, text, label}",
      "Every longest, leftmost match in the document's tokens.",
      body: .host(gazetteerFind)),
    APIEntry(
      "Gazetteer:tag",
      params: [.init("doc", "Document"), .init("layer", "string")],
      results: ["integer"],
      "Adds a span per match to `layer` (label = the entry's label); returns how many.",
      body: .contextual(gazetteerTag)),

    // MARK: folio.tagger
    APIEntry(
      "folio.tagger.load",
      params: [.init("model", "string")],
      results: ["Tagger"],
      "A part-of-speech tagger and lemmatiser from a model's bytes (`folio train pos` makes them).",
      details:
        "`model` is the model file's contents: from a plugin option of type `file` (`ctx.files.model`) or `folio.read_file`. A model read once is kept for the process, so each worker's plugin loads it at no cost.",
      example: "local tagger = folio.tagger.load(ctx.files.model)",
      body: .host(taggerLoad)),
    APIEntry(
      "Tagger:tag",
      params: [.init("doc", "Document")],
      results: ["integer"],
      "Tags the document: its tokens become the model's words (clitics split: `do` `n't`), each with `t.pos`, `t.tag`, `t.lemma` and, when the model has them, `t.feats`; returns the number of words.",
      details:
        "A plugin that calls it declares `writes = [\"token:pos\", \"token:tag\", \"token:lemma\", \"token:feats\"]` (`token:feats` only for a model with features). Token lists made before it end: `doc:tokens()` gives the words.",
      body: .contextual(taggerTag)),

    // MARK: folio.re
    APIEntry(
      "folio.re.compile",
      params: [.init("pattern", "string"), .init("flags", "string?")],
      results: ["Regex"],
      "Compiles a PCRE2 regular expression (JIT, UTF-8, Unicode classes, named groups).",
      details:
        "flags: `i` ignore case, `m` multi-line, `s` dot matches newline, `x` extended. Positions are bytes, 1-based and inclusive, as `string.find` gives them.",
      example: #"local date = folio.re.compile([[\b(\d{4})-(\d\d)-(\d\d)\b]])"#,
      body: .host(regexCompile)),
    APIEntry(
      "folio.re.find",
      params: [
        .init("s", "string"), .init("pattern", "string"), .init("init", "integer?"),
        .init("flags", "string?"),
      ],
      results: ["integer?", "integer?"],
      returns: "first, last, captures...",
      "`string.find` with a PCRE2 pattern (compiled once and cached).",
      body: .lua),
    APIEntry(
      "folio.re.match",
      params: [
        .init("s", "string"), .init("pattern", "string"), .init("init", "integer?"),
        .init("flags", "string?"),
      ],
      results: ["string?"],
      returns: "captures...",
      "`string.match` with a PCRE2 pattern.",
      body: .lua),
    APIEntry(
      "folio.re.gmatch",
      params: [.init("s", "string"), .init("pattern", "string"), .init("flags", "string?")],
      results: ["fun(): string?"],
      returns: "iterator",
      "`string.gmatch` with a PCRE2 pattern.",
      body: .lua),
    APIEntry(
      "folio.re.gsub",
      params: [
        .init("s", "string"), .init("pattern", "string"), .init("repl", "string|table|function"),
        .init("n", "integer?"), .init("flags", "string?"),
      ],
      results: ["string", "integer"],
      "`string.gsub` with a PCRE2 pattern; `repl` is a string (`%1`), a table or a function.",
      body: .lua),
    APIEntry(
      "Regex:find",
      params: [.init("s", "string"), .init("init", "integer?")],
      results: ["integer?", "integer?"],
      returns: "first, last, captures...",
      "Like `string.find`: byte positions and the captures.",
      body: .host(regexFind)),
    APIEntry(
      "Regex:match",
      params: [.init("s", "string"), .init("init", "integer?")],
      results: ["string?"],
      returns: "captures...",
      "Like `string.match`.",
      body: .lua),
    APIEntry(
      "Regex:gmatch",
      params: [.init("s", "string")],
      results: ["fun(): string?"],
      returns: "iterator",
      "Like `string.gmatch`.",
      body: .lua),
    APIEntry(
      "Regex:gsub",
      params: [
        .init("s", "string"), .init("repl", "string|table|function"), .init("n", "integer?"),
      ],
      results: ["string", "integer"],
      "Like `string.gsub`.",
      body: .lua),
    APIEntry(
      "Regex:exec",
      params: [.init("s", "string"), .init("init", "integer?")],
      results: ["table?"],
      returns: "table",
      "The match as `{first, last, [1..n] = captures, name = capture}`, or nil.",
      body: .host(regexExec)),
    APIEntry(
      "Regex:tag",
      params: [.init("doc", "Document"), .init("layer", "string"), .init("label", "string?")],
      results: ["integer"],
      "Adds a span to `layer` for every match in the document, in Swift; returns how many.",
      example: #"date:tag(doc, "date", "DATE")"#,
      body: .contextual(regexTag)),
  ]

  /// `folio.stats.NAME(o11, r1, c1, n)`: a measure of `Association` (log-Dice takes no n).
  private static func measure(_ m: Association, _ summary: String, details: String = "")
    -> APIEntry
  {
    let counts = ["o11", "r1", "c1"] + (m == .logDice ? [] : ["n"])
    return APIEntry(
      "folio.stats." + m.rawValue, params: counts.map { APIParam($0, "number") },
      results: ["number"], summary, details: details,
      body: .host({ (L) throws(LuaHostError) in try score(m, L) }))
  }
}
