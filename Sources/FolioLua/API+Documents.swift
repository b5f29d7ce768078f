import FolioCore
import LuaRuntime

extension FolioLua {
  /// Documents, tokens, spans, corpora and what plugins receive, declared in reading order.
  static let documentAPI: [APIEntry] = [
    // MARK: Document
    APIEntry(
      value: "Document.id",
      usage: "doc.id",
      returns: "string",
      "Stable identifier: the path relative to the corpus root, or `path#record`."),
    APIEntry(
      value: "Document.text",
      usage: "doc.text",
      returns: "string",
      "The decoded UTF-8 text (no BOM, LF line ends, invalid bytes replaced by U+FFFD)."),
    APIEntry(
      value: "Document.meta",
      usage: "doc.meta",
      returns: "Meta",
      "Metadata, read and write: `doc.meta.date = \"2024-06-27\"`; strings, numbers, booleans and lists; `pairs(doc.meta)` walks it."
    ),
    APIEntry(
      "Document:tokens",
      params: [.init("opts", "{norm?: boolean, pos?: string|string[]}?", shown: "{pos}")],
      results: ["List"],
      returns: "List of Token",
      "The document's tokens (UAX #29 words): `t.text`, `t.first`, `t.last` (byte positions as `string.find` gives them), `t.kind` (word, number, punct, symbol, url, email, handle, hashtag, emoji) and `t.norm` (NFKC, case-folded: `Straße` → `strasse`); after a tagger, also `t.pos`, `t.tag` and `t.lemma`, and `{pos = \"NOUN,VERB\"}` keeps the tokens with one of those parts of speech.",
      details:
        "Tokens are views, not tables: each is a light userdata naming its document's token list and its place in it, and each field is read in C when asked for, so a loop over every token of a corpus makes no table per token (about 4× faster than tables in Lua 5.4, at under a third of the memory). They compare equal when they are the same token and can be table keys. They are read-only (`t:totable()` gives a plain copy) and live as long as their document: in a plugin, during the call that received it; in scripts and the REPL, for the session (once views hold 256 MiB, the oldest go first). Reading one later is an error that says so; keep `t.text`, or `t:totable()`, instead. A list is a snapshot: after `doc:cut` its tokens still describe the text as it was (so cutting from the last token back works) and `doc:tokens()` gives the new ones. In a report state or `folio.json.encode`, a token becomes its fields. The `{norm = true}` option of earlier versions is accepted and no longer needed.",
      example: #"for _, t in ipairs(doc:tokens()) do if t.kind == "word" then n = n + 1 end end"#,
      body: .host(tokens)),
    APIEntry(
      "Token:next",
      results: ["Token?"],
      returns: "Token or nil",
      "The next token of the document, or nil after the last.",
      details:
        "Tokens have the span methods too: `t:prev()`, `t:covering(layer)` (`t:covering(\"sentence\")[1]`), `t:within(layer)`; `tostring(t)` shows `Token(5-9 word \"money\")`.",
      body: .host({ (L) throws(LuaHostError) in try tokenNeighbour(L, offset: 1) })),
    APIEntry(
      "Token:prev",
      results: ["Token?"],
      returns: "Token or nil",
      "The previous token of the document, or nil before the first.",
      body: .host({ (L) throws(LuaHostError) in try tokenNeighbour(L, offset: -1) })),
    APIEntry(
      "Token:covering",
      params: [.init("layer", "string")],
      results: ["List"],
      "The spans of `layer` that contain this token: its sentence (`t:covering(\"sentence\")[1]`), its entity.",
      body: .host({ (L) throws(LuaHostError) in try tokenRelated(L, covering: true) })),
    APIEntry(
      "Token:within",
      params: [.init("layer", "string")],
      results: ["List"],
      "The spans of `layer` inside this token (rarely any but the token itself with `\"token\"`).",
      body: .host({ (L) throws(LuaHostError) in try tokenRelated(L, covering: false) })),
    APIEntry(
      "Token:totable",
      results: ["table"],
      returns: "{text, first, last, kind}",
      "A plain table of the token's fields, to keep after its document's call.",
      body: .host(tokenTable)),
    APIEntry(
      "Document:counts",
      params: [
        .init(
          "opts", "{lower?: boolean, kinds?: string[], ngram?: integer, breaks?: string[]}?",
          shown: "{lower = false, kinds = {\"word\"}, ngram = 1, breaks}")
      ],
      results: ["table<string, integer>", "integer"],
      returns: "table, integer",
      "Token texts (or sequences of `ngram` tokens, 2 to 6) counted in Swift: `{[text] = count}` and the total.",
      details:
        "`breaks` lists token kinds (and `\"sentence\"`) that a sequence may not span, as for `c:add_tokens`.",
      example:
        "local trigrams = doc:counts({ngram = 3, lower = true, breaks = {\"punct\", \"number\", \"sentence\"}})",
      body: .host(counts)),
    APIEntry(
      "Document:find_tokens",
      params: [
        .init("word", "string"),
        .init(
          "opts", "{ignore_case?: boolean, possessive?: boolean}?",
          shown: "{ignore_case, possessive}"),
      ],
      results: ["List"],
      returns: "List of {text, first, last, kind}",
      "The tokens equal to `word`, found in Swift without tokenising the whole text, as plain tables.",
      body: .host(findTokens)),
    APIEntry(
      "Document:query",
      params: [
        .init("cql", "string"),
        .init(
          "opts", "{strategy?: \"standard\"|\"longest\"|\"shortest\", limit?: integer}?",
          shown: "{strategy, limit}"),
      ],
      results: ["List"],
      returns: "List of {doc, first, last, text, from, to, labels}",
      "The hits of a CQL query in the document, matched in Swift: byte positions as `string.find` gives them, token positions `from`..`to` (from 1) and each label's token position (`labels.a`).",
      details:
        "The query language is CQP's (Sources/FolioCore/Query/README.md): `[lemma=\"say\"] []{0,3} \"that\" within s`, layers as `<entity label=\"PERSON\"/>`. A syntax error points at the column. Token attributes other than word, lower, norm and kind need a tagger first. strategy: standard (CQP's default: the shortest hit from each start, one hit per end token), longest or shortest.",
      example: #"for _, h in ipairs(doc:query('[pos="ADJ"] "money"')) do print(h.text) end"#,
      body: .contextual(documentQuery)),
    APIEntry(
      "Document:add",
      params: [
        .init("layer", "string"), .init("first", "integer"), .init("last", "integer"),
        .init("label", "string?"), .init("attrs", "table<string, string|number|boolean>?"),
      ],
      "Adds a span over bytes first..last (as `string.find` gives them) to `layer`.",
      details: "A plugin may only write the layers its manifest declares in `writes`.",
      example: #"doc:add("entity", 1, 6, "PERSON", {source = "list"})"#,
      body: .contextual(add)),
    APIEntry(
      "Document:spans",
      params: [
        .init("layer", "string"),
        .init(
          "opts", "{label?: string, within?: integer[], covering?: integer[]}?",
          shown: "{label, within = {first, last}, covering = {first, last}}"),
      ],
      results: ["List"],
      returns: "List of {first, last, text, label, layer, attrs}",
      "The spans of a layer in text order, optionally only one label, those inside a range or those covering it.",
      details:
        "`within` gives the entities of a sentence, `covering` the sentence of an entity: `doc:spans(\"sentence\", {covering = {e.first, e.last}})`. The `sentence` layer is computed from the text unless a plugin stored one; `token` gives the tokens (as `doc:tokens()`, with `label` picking a kind: `doc:spans(\"token\", {label = \"word\", within = {s.first, s.last}})`).",
      body: .host(spans)),
    APIEntry(
      "Document:next",
      params: [.init("span", "table")],
      results: ["table?"],
      returns: "span or nil",
      "The span after `span` in its layer (spans are ordered by first, then last), or nil after the last.",
      example: #"local s = doc:sentences()[1]; local second = doc:next(s)"#,
      body: .host({ (L) throws(LuaHostError) in try neighbour(L, offset: 1) })),
    APIEntry(
      "Document:prev",
      params: [.init("span", "table")],
      results: ["table?"],
      returns: "span or nil",
      "The span before `span` in its layer, or nil before the first.",
      body: .host({ (L) throws(LuaHostError) in try neighbour(L, offset: -1) })),
    APIEntry(
      "Span:next",
      results: ["table?"],
      returns: "span or nil",
      "The next span of the same layer (as `doc:next(span)`).",
      details:
        "Spans and sentences are plain tables ({first, last, text, label, layer, attrs}) with these methods; `tostring` shows `Span(entity 11-21 PERSON \"Kolokoltsev\")`. They copy into report states and JSON as plain data (without the methods). The methods work while their document does: during the call that received it. Tokens have the same methods (`Token:next`).",
      example: #"local s = doc:sentences()[1]; print(s:next())"#,
      body: .host({ (L) throws(LuaHostError) in try spanNeighbour(L, offset: 1) })),
    APIEntry(
      "Span:prev",
      results: ["table?"],
      returns: "span or nil",
      "The previous span of the same layer.",
      body: .host({ (L) throws(LuaHostError) in try spanNeighbour(L, offset: -1) })),
    APIEntry(
      "Span:covering",
      params: [.init("layer", "string")],
      results: ["List"],
      "The spans of `layer` that contain this one: the sentence of an entity (`e:covering(\"sentence\")[1]`).",
      example: #"local sentence = entity:covering("sentence")[1]"#,
      body: .host({ (L) throws(LuaHostError) in try related(L, covering: true) })),
    APIEntry(
      "Span:within",
      params: [.init("layer", "string")],
      results: ["List"],
      "The spans of `layer` inside this one: the entities of a sentence, or its tokens with `\"token\"`.",
      example: #"for t in sentence:within("token"):each() do print(t.text) end"#,
      body: .host({ (L) throws(LuaHostError) in try related(L, covering: false) })),
    APIEntry(
      "Document:token_columns",
      params: [.init("options", "{norm: boolean}?", shown: "{norm = true}")],
      results: ["table"],
      returns: "{text, first, last, kind [, norm]}",
      "The tokens as parallel arrays: `c.text[i]`, `c.first[i]`, `c.last[i]`, `c.kind[i]` (and `c.norm[i]`).",
      details:
        "Columns of plain values, for code that wants arrays (`table.concat(c.text, \" \")`) or the last bit of speed: a scan of `c.kind` reads one array. Each column is made when it is first read, so a scan of `c.kind` makes no strings of texts; `pairs(c)` makes them all. Read the columns during the call that received the document. Counting and matching need no loop at all: `doc:counts`, `folio.counter`, `doc:find_tokens`.",
      example:
        #"local c = doc:token_columns(); for i = 1, #c.text do if c.kind[i] == "word" then n = n + 1 end end"#,
      body: .host(tokenColumns)),
    APIEntry(
      "Document:original",
      params: [.init("first", "integer"), .init("last", "integer?")],
      results: ["integer, integer"],
      "Where positions first..last of the current text were in the text as read, before any `doc:cut`.",
      details:
        "Filters cut text (boilerplate, dates); a tagger after them still reports positions in the file as it was: `doc:original(e.first, e.last)`.",
      body: .host(original)),
    APIEntry(
      "Document:sentences",
      results: ["List"],
      returns: "List of {first, last, text, layer}",
      "The document's sentences: the `sentence` layer, computed from the text unless a plugin stored one.",
      details:
        "Breaks follow UAX #29's terminators and closing punctuation, plus what running text needs: no break after abbreviations (\"Mr.\", \"Inc.\", \"Jan.\"), initials (\"J. K.\"), \"U.S.\" before a word that does not usually start a sentence, a lowercase word, or a single line break inside a paragraph; a break at every blank line and after CJK full stops.",
      example: #"for s in doc:sentences():each() do print(s.first, s.text) end"#,
      body: .host(sentences)),
    APIEntry(
      "Document:remove",
      params: [
        .init("layer", "string"), .init("first", "integer?"),
        .init("last", "integer?", withPrevious: true),
      ],
      results: ["integer"],
      "Removes a whole layer, or its spans that lie inside first..last; returns how many spans went.",
      details: "A plugin may remove only from the layers it declares in `writes`.",
      body: .contextual(remove)),
    APIEntry(
      "Document:layers",
      results: ["List"],
      returns: "List of string",
      "The names of the document's layers.",
      body: .host(layers)),
    APIEntry(
      "Document:cut",
      params: [.init("first", "integer"), .init("last", "integer")],
      "Removes bytes first..last from the text; later spans move, spans inside are dropped.",
      body: .host(cut)),
    APIEntry(
      "Document:text_of",
      params: [.init("first", "integer"), .init("last", "integer")],
      results: ["string"],
      "The text between two byte positions (like `doc.text:sub(first, last)`).",
      body: .host(textOf)),

    APIEntry(
      "Document:minhash",
      params: [
        .init("opts", "{shingle?: integer, size?: integer}?", shown: "{shingle = 5, size = 64}")
      ],
      results: ["List"],
      returns: "List of integers",
      "A MinHash signature of the document's word shingles, computed in Swift, for near-duplicate detection.",
      details:
        "Two documents agree at a position with probability equal to the Jaccard similarity of their sets of `shingle`-word sequences (lowercased). See the dedupe plugin for LSH banding.",
      body: .host(minhash)),

    // MARK: Corpus
    APIEntry(
      value: "Corpus",
      usage: "corpus[i], #corpus",
      returns: "Document",
      "A corpus held in memory (the REPL's `corpus`, `folio script`'s argument): documents by position, 1-based."
    ),
    APIEntry(
      "Corpus:get",
      params: [.init("id", "string")],
      results: ["Document?"],
      returns: "Document",
      "The document with this id, or nil.",
      body: .host(corpusGet)),
    APIEntry(
      "Corpus:docs",
      results: ["fun(): Document?"],
      returns: "iterator",
      "Iterates the documents in order.",
      example: "for doc in corpus:docs() do print(doc.id) end",
      body: .lua),
    APIEntry(
      "Corpus:filter",
      params: [.init("fn", "fun(doc: Document, i: integer): boolean")],
      results: ["Corpus"],
      "The sub-corpus of the documents for which `fn(doc, i)` is true.",
      example: #"corpus:filter(function(d) return d.meta.folder == "sport" end)"#,
      body: .lua),
    APIEntry(
      "Corpus:sample",
      params: [.init("n", "integer"), .init("seed", "integer?")],
      results: ["Corpus"],
      "`n` documents drawn at random, the same ones for the same seed, in corpus order.",
      body: .host(corpusSample)),
    APIEntry(
      "Corpus:kwic",
      params: [
        .init("pattern", "string|Regex"),
        .init(
          "opts", "{width?: integer, ignore_case?: boolean, regex?: boolean, limit?: integer}?",
          shown: "{width = 40, ignore_case, regex, limit}"),
      ],
      results: ["List"],
      returns: "List of rows {doc, left, match, right, first, last, n}",
      "A concordance: each occurrence with `width` characters of context either side, found in Swift.",
      details:
        "A string is a whole word (`Kolokoltsev` also finds `Kolokoltsev’s`); a `folio.re` pattern, or a string with `regex = true`, matches anywhere.",
      example: #"corpus:kwic("Kolokoltsev")"#,
      body: .host(corpusKwic)),
    APIEntry(
      "Corpus:query",
      params: [
        .init("cql", "string"),
        .init(
          "opts", "{width?: integer, limit?: integer, strategy?: string}?",
          shown: "{width = 40, limit, strategy}"),
      ],
      results: ["List"],
      returns: "List of rows {doc, left, match, right, first, last, n}",
      "A concordance of the hits of a CQL query (see Document:query), as `corpus:kwic` gives it. A corpus opened with an index beside it (`folio index CORPUS`) is answered from the index while no document changes: attributes the index holds (`-p pos`) need no tagger in the session.",
      example: #"corpus:query('[lemma="say"] []{0,3} "that" within s', {limit = 20})"#,
      body: .contextual(corpusQuery)),
    APIEntry(
      "Corpus:freq",
      params: [
        .init(
          "opts", "{n?: integer, lower?: boolean, kinds?: string[]}?",
          shown: "{n = 20, lower = true, kinds = {\"word\"}}")
      ],
      results: ["List"],
      returns: "List of rows {word, count, per_million}",
      "The corpus's most frequent tokens (`n = 0`: all), counted in Swift and kept until a text changes.",
      example: "corpus:freq({n = 10})",
      body: .host(corpusFreq)),
    APIEntry(
      "Corpus:search",
      params: [.init("pattern", "string|Regex"), .init("flags", "string?")],
      results: ["Corpus"],
      "The sub-corpus of documents whose text matches a regular expression.",
      example: #"corpus:search("(?i)ceasefire")"#,
      body: .host(corpusSearch)),

    // MARK: plugins
    APIEntry(
      value: "ctx",
      usage: "ctx",
      returns: "table",
      "What a plugin's functions receive: `ctx.options` (validated against plugin.toml), `ctx.files` (options of type file, read), `ctx.plugin` ({name, version, kind}), `ctx.scan` (the first pass's result), `ctx.log(...)`."
    ),
    APIEntry(
      value: "folio.test",
      usage: "local test = require('folio.test') -- in tests/*_test.lua",
      "The plugin test module: `test.run`, `test.fixture`, `test.fixture_path`, `test.golden`, `test.written` (a file the plugin wrote with `folio.write_file`), `assert.equal`, `assert.truthy`, `assert.error_matches`.",
      details: "`folio plugin test NAME` runs each tests/*_test.lua in a fresh VM."),
  ]
}
