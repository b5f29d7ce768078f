#!/usr/bin/env python3
"""Main-text extraction scored on ../shared/corpora/trafilatura-eval, as Trafilatura scores itself.

Usage: Scripts/html-eval.py FOLIO_BINARY [CORPUS_DIR] [--split tune|held-out|all] [--pages]

Exports every page the set annotates with `folio corpus export --as html`, then for each page
counts its hand-made snippets: a `with` snippet found in the text is a true positive, missing a
false negative; a `without` snippet found is a false positive, missing a true negative (both
sides whitespace-normalised, at most 6 snippets a side as Trafilatura's gate counts them).
Precision, recall and F1 are over all pages of the split together.

The split is fixed by the page's URL: SHA-1(url) mod 10 < 3 is held out (about 30% of the
pages). Tune on `tune`; report the figure on `held-out`, pages the extractor was not tuned on.
--pages lists the pages with a false positive or negative, worst first.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def held_out(url):
    return int(hashlib.sha1(url.encode("utf-8")).hexdigest(), 16) % 10 < 3


def main():
    flags = sys.argv[1:]
    args = [a for i, a in enumerate(flags)
            if not a.startswith("--") and (i == 0 or flags[i - 1] != "--split")]
    folio = args[0]
    here = os.path.dirname(os.path.abspath(__file__))
    corpus = args[1] if len(args) > 1 else os.path.join(here, "..", "..", "shared", "corpora", "trafilatura-eval")
    split = "all"
    if "--split" in flags:
        split = flags[flags.index("--split") + 1]
    data = json.load(open(os.path.join(corpus, "evaldata.json"), encoding="utf-8"))
    pages = {}
    for url, entry in data.items():
        if split == "held-out" and not held_out(url):
            continue
        if split == "tune" and held_out(url):
            continue
        for folder in ("eval", "cache"):
            path = os.path.join(corpus, folder, entry["file"])
            if os.path.exists(path):
                pages[url] = (path, entry)
                break
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "pages")
        os.mkdir(listing)
        # One link per page, named by its position, so the export's ids map back to URLs.
        order = sorted(pages)
        for i, url in enumerate(order):
            os.symlink(os.path.abspath(pages[url][0]), os.path.join(listing, f"{i:04d}.html"))
        out = os.path.join(tmp, "pages.jsonl")
        subprocess.run([folio, "corpus", "export", listing, "--as", "html", "-o", out],
                       check=True, stderr=subprocess.DEVNULL)
        texts = {}
        extraction = {}
        for line in open(out, encoding="utf-8"):
            record = json.loads(line)
            texts[record["id"]] = record["text"]
            extraction[record["id"]] = record.get("meta", {}).get("extraction", "")
    tp = fn = fp = tn = 0
    empty = fallback = 0
    rows = []
    for i, url in enumerate(order):
        doc = f"{i:04d}.html"
        text = norm(texts.get(doc, ""))
        if not text:
            empty += 1
        if extraction.get(doc) == "fallback":
            fallback += 1
        entry = pages[url][1]
        missing = [s for s in entry.get("with", [])[:6] if norm(s) not in text]
        found = [s for s in entry.get("without", [])[:6] if norm(s) in text]
        tp += len(entry.get("with", [])[:6]) - len(missing)
        fn += len(missing)
        fp += len(found)
        tn += len(entry.get("without", [])[:6]) - len(found)
        if missing or found:
            rows.append((len(missing) + len(found), url, entry["file"], missing, found))
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    f = 0 if p + r == 0 else 2 * p * r / (p + r)
    if "--pages" in flags:
        for n, url, file, missing, found in sorted(rows, reverse=True):
            print(f"{file}  {url}")
            for s in missing:
                print(f"   missing: {norm(s)[:100]}")
            for s in found:
                print(f"   kept:    {norm(s)[:100]}")
    print(f"HTML extraction on trafilatura-eval ({split}, {len(order)} pages): precision {p:.3f}"
          f"  recall {r:.3f}  F1 {f:.3f}  ({empty} empty, {fallback} fallback)  (Trafilatura: F1 0.920)")


main()
