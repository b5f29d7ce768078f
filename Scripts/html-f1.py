#!/usr/bin/env python3
"""Token-level precision, recall and F1 of Folio's HTML extraction against readability-news.

Usage: Scripts/html-f1.py FOLIO_BINARY CORPUS_DIR [--pages]

Runs `folio corpus export 'CORPUS_DIR/*/source.html' --to jsonl` and compares each page's text
with the text of its expected.html (Readability.js's article): bags of lowercased \\w+ words,
precision and recall of the overlap, F1 averaged over pages (as trafilatura's 0.949 was
measured). Prints one summary line; --pages adds a line per page.
"""
import collections
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")

    def handle_endtag(self, tag):
        self.parts.append(" ")


def words(text):
    return collections.Counter(re.findall(r"\w+", text.lower()))


def main():
    folio, corpus = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "pages.jsonl")
        subprocess.run(
            [folio, "corpus", "export", os.path.join(corpus, "*/source.html"), "-o", out],
            check=True, stderr=subprocess.DEVNULL)
        docs = {json.loads(line)["id"]: json.loads(line)["text"] for line in open(out, encoding="utf-8")}
    rows = []
    for page in sorted(os.listdir(corpus)):
        expected_path = os.path.join(corpus, page, "expected.html")
        if not os.path.exists(expected_path):
            continue
        parser = Text()
        parser.feed(open(expected_path, encoding="utf-8").read())
        expected = words("".join(parser.parts))
        got = words(docs.get(page + "/source.html", ""))
        overlap = sum((expected & got).values())
        p = overlap / max(1, sum(got.values()))
        r = overlap / max(1, sum(expected.values()))
        f = 0 if p + r == 0 else 2 * p * r / (p + r)
        rows.append((page, p, r, f))
    n = len(rows)
    if "--pages" in sys.argv:
        for page, p, r, f in sorted(rows, key=lambda x: x[3]):
            print(f"{page:20} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    print(
        f"HTML extraction on readability-news ({n} pages): token P {sum(x[1] for x in rows)/n:.3f}"
        f"  R {sum(x[2] for x in rows)/n:.3f}  F1 {sum(x[3] for x in rows)/n:.3f}"
        f"  (trafilatura 2.3.1: F1 0.949)")


main()
