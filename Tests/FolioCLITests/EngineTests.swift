import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("folio run: workers and outputs", .serialized) struct EngineTests {
  func read(_ url: URL) -> String? {
    (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) }
  }

  /// Files in `dir` other than `expected` (temporary files left behind, for instance).
  func leftovers(_ dir: URL, expected: Set<String>) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
      !expected.contains($0)
    }
  }

  @Test(
    "-j 1 and -j 4 write identical report files",
    arguments: [
      ["Examples/news", "-p", "kwic:word=the,width=20"],
      ["Examples/news", "-p", "wordfreq:top=0"],
    ])
  func deterministic(arguments: [String]) throws {
    let dir = try CLI.workspace([:])
    defer { try? FileManager.default.removeItem(at: dir) }
    var outputs: [String] = []
    for j in ["1", "4"] {
      let out = dir.appendingPathComponent("out-\(j).tsv")
      let r = try CLI.run(["run"] + arguments + ["-j", j, "-o", out.path, "-q"])
      #expect(r.status == 0)
      outputs.append(read(out) ?? "")
    }
    #expect(outputs[0] == outputs[1])
    #expect(outputs[0].split(separator: "\n").count > 20)
  }

  @Test(
    "a corpus split over workers gives the bbc word list of one worker",
    .enabled(if: CLI.has("bbc"), "needs ../shared/corpora/bbc"))
  func bbcDeterministic() throws {
    let bbc = try #require(CLI.sharedCorpus("bbc"))
    let one = try CLI.run(["run", bbc.path, "-p", "wordfreq:top=100", "-j", "1", "-q"])
    let four = try CLI.run(["run", bbc.path, "-p", "wordfreq:top=100", "-j", "4", "-q"])
    #expect(one.status == 0)
    #expect(one.stdout == four.stdout)
    #expect(one.stdout.hasPrefix("rank\tword\tcount\tper_million\n1\tthe\t"))
  }

  @Test("kept documents go to JSONL with code point offsets, or bytes on request")
  func jsonl() throws {
    let dir = try CLI.workspace([
      "corpus/two.txt": "Café UN\r\n",
      "orgs.lua": """
      local M = { writes = { "org" } }
      function M.tag(doc)
        local s, e = doc.text:find("UN")
        if s then doc:add("org", s, e, "ORG", { n = 1 }) end
        doc.meta.seen = true
      end
      return M
      """,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "orgs.lua", "-o", "out.jsonl", "-j", "2"], in: dir)
    #expect(r.status == 0)
    #expect(r.stdout == "")
    let lines = (read(dir.appendingPathComponent("out.jsonl")) ?? "").split(separator: "\n")
    #expect(
      lines == [
        #"{"id":"one.txt","meta":{"path":"one.txt","folder":"","bytes":43,"seen":true},"text":"The UN asked Russia for more peacekeepers.\n","offsets":"codepoints","layers":{"org":[{"start":4,"end":6,"label":"ORG","attrs":{"n":1}}]}}"#,
        #"{"id":"two.txt","meta":{"path":"two.txt","folder":"","bytes":10,"seen":true},"text":"Café UN\n","offsets":"codepoints","layers":{"org":[{"start":5,"end":7,"label":"ORG","attrs":{"n":1}}]}}"#,
      ])
    let b = try CLI.run(
      ["run", "corpus/two.txt", "-p", "orgs.lua", "-o", "b.jsonl", "--offsets", "bytes"], in: dir)
    #expect(b.status == 0)
    #expect(
      read(dir.appendingPathComponent("b.jsonl"))?.contains(
        #""offsets":"bytes","layers":{"org":[{"start":6,"end":8"#) == true)
  }

  @Test(
    "report formats follow the output file's extension",
    arguments: [
      ("out.csv", "rank,word,count,per_million\r\n1,the,2,285714.3\r\n"),
      (
        "out.md",
        "## wordfreq\n\n"
          + "| rank | word | count | per_million |\n|---|---|---|---|\n| 1 | the | 2 | 285714.3 |\n\n"
          + "- plugin: wordfreq\n- version: 1.1.0\n"
          + "- options: by=\"\", docfreq=false, kinds=word, min=1, pos=\"\", stopwords=\"\", top=1\n"
          + "- folio: 0.1.0\n- corpus: corpus\n- corpus_documents: 1\n"
          + "- corpus_fingerprint: fp128:c6d4a9667f5662311d6328b34e6332c6\n- documents: 1\n"
          + "- pipeline: wordfreq 1.1.0 top=1\n- time: 2026-01-01T00:00:00Z\n"
          + "- per_million: count * 1,000,000 / words counted (in the group, with by)\n"
      ),
      (
        "out.json",
        #"{"title":"wordfreq","provenance":{"plugin":"wordfreq","version":"1.1.0","options":"by=\"\", docfreq=false, kinds=word, min=1, pos=\"\", stopwords=\"\", top=1","folio":"0.1.0","corpus":"corpus","corpus_documents":1,"corpus_fingerprint":"fp128:c6d4a9667f5662311d6328b34e6332c6","documents":1,"pipeline":["wordfreq 1.1.0 top=1"],"time":"2026-01-01T00:00:00Z","per_million":"count * 1,000,000 / words counted (in the group, with by)"},"columns":["rank","word","count","per_million"],"rows":[[1,"the",2,285714.3]]}"#
          + "\n"
      ),
      ("out.jsonl", #"{"rank":1,"word":"the","count":2,"per_million":285714.3}"# + "\n"),
    ])
  func formats(file: String, expected: String) throws {
    let dir = try CLI.workspace(["corpus/one.txt": "The cat, the hat; a mat b."])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(["run", "corpus", "-p", "wordfreq:top=1", "-o", file, "-q"], in: dir)
    #expect(r.status == 0)
    #expect(read(dir.appendingPathComponent(file)) == expected)
    // CSV and JSONL have no room for the title and provenance: a sidecar holds them.
    let sidecar = read(dir.appendingPathComponent(file + ".provenance.json"))
    if file.hasSuffix(".csv") || file.hasSuffix(".jsonl") {
      #expect(
        sidecar
          == #"[{"title":"wordfreq","columns":["rank","word","count","per_million"],"rows":1,"provenance":{"plugin":"wordfreq","version":"1.1.0","options":"by=\"\", docfreq=false, kinds=word, min=1, pos=\"\", stopwords=\"\", top=1","folio":"0.1.0","corpus":"corpus","corpus_documents":1,"corpus_fingerprint":"fp128:c6d4a9667f5662311d6328b34e6332c6","documents":1,"pipeline":["wordfreq 1.1.0 top=1"],"time":"2026-01-01T00:00:00Z","per_million":"count * 1,000,000 / words counted (in the group, with by)"}}]"#
          + "\n")
    } else {
      #expect(sidecar == nil)
    }
  }

  @Test("provenance: the pipeline before a report, option files by hash, shards added up")
  func provenance() throws {
    let dir = try CLI.workspace([
      "corpus/a.txt": "Irina Volk spoke. Volk left.", "corpus/b.txt": "Related articles: more.",
      "names.txt": "Irina Volk\tPERSON\n",
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    let one = try CLI.run(
      [
        "run", "corpus", "--as", "text", "-p", "strip-boilerplate", "-p",
        "gazetteer:file=names.txt",
        "-p", "wordfreq:top=1", "-o", "w.json", "-q", "-j", "1",
      ], in: dir)
    #expect(one.status == 0, "\(one.stderr)")
    let json = read(dir.appendingPathComponent("w.json")) ?? ""
    #expect(json.contains(#""corpus":"corpus","reading":"--as text","corpus_documents":3,"#))
    #expect(
      json.contains(
        #""pipeline":["strip-boilerplate 1.0.0; phrases=$plugin/phrases.txt sha256:ac179e9fc7a21952349032e8d579d580d6d14781bf928791c6dba6e6b6126796 (566 bytes)","gazetteer 1.0.0 file=names.txt; file=names.txt sha256:3e9c8b3d6ef2f9527312d45d3d8aa07a75630a1df8446cd7fc84a07a7c655268 (18 bytes)","wordfreq 1.1.0 top=1"]"#
      ))
    #expect(json.contains(#""time":"2026-01-01T00:00:00Z""#))
    // The same documents give the same fingerprint at any -j and from shards.
    let fingerprint = json.firstMatch(of: /fp128:[0-9a-f]{32}/).map { String($0.output) }
    #expect(fingerprint != nil)
    for i in 1...2 {
      let r = try CLI.run(
        [
          "run", "corpus", "--as", "text", "-p", "wordfreq:top=1", "--shard", "\(i)/2",
          "--save-state", "s\(i).state", "-q",
        ], in: dir)
      #expect(r.status == 0)
    }
    let merged = try CLI.run(["merge", "s1.state", "s2.state", "-o", "m.json", "-q"], in: dir)
    #expect(merged.status == 0)
    let m = read(dir.appendingPathComponent("m.json")) ?? ""
    #expect(
      m.contains(
        #""corpus_documents":3,"corpus_fingerprint":"\#(fingerprint ?? "")","documents":3,"#))
    #expect(m.contains(#""shards":2"#))
  }

  @Test("an HTML report lists its provenance: plugin, version, options, formula")
  func htmlProvenance() throws {
    let dir = try CLI.workspace(["corpus/one.txt": "red big car. red big car. red car."])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try CLI.run(
      ["run", "corpus", "-p", "collocations:min=1,measure=log_dice", "-o", "c.html", "-q"], in: dir)
    #expect(r.status == 0)
    let page = read(dir.appendingPathComponent("c.html")) ?? ""
    #expect(page.contains("<dt>plugin</dt><dd>collocations</dd>"))
    #expect(page.contains("<dt>formula</dt><dd>14 + log2(2 * o11 / (r1 + c1))</dd>"))
    #expect(page.contains("<dt>n</dt><dd>8</dd>"))
    #expect(page.contains("measure=log_dice, min=1"))
  }

}
