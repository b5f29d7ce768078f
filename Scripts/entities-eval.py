#!/usr/bin/env python3
"""Precision and recall of the entities tagger on the hand-labelled bbc sample.

Usage: Scripts/entities-eval.py FOLIO_BINARY [BBC_DIR] [--errors] [--plugins P,...]

The sample is Plugins/entities/fixtures/bbc-sample/gold.tsv (50 documents of
../shared/corpora/bbc, labelled by hand as GUIDELINES.md there says). Each gold name stands
for its whole-word occurrences in its document (longest names first, never inside a longer
one) unless occurrences are listed. Folio runs the pipeline (default: entities) over the 50
documents; a predicted span counts when its start, end and label equal a gold mention's.
Prints precision, recall and F1 per label and over all; --errors lists what was missed and
what was wrong.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GOLD = os.path.join(HERE, "..", "Plugins", "entities", "fixtures", "bbc-sample", "gold.tsv")
LABELS = ("PERSON", "ORG", "PLACE")


def load_gold():
    docs = {}
    for line in open(GOLD, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.rstrip("\n").split("\t")
        doc, name, label = fields[:3]
        which = [int(x) for x in fields[3].split(",")] if len(fields) > 3 else None
        docs.setdefault(doc, []).append((name, label, which))
    return docs


def mentions(text, names):
    """The gold spans (code point offsets) of `names` in `text`, longest names first."""
    taken = [False] * len(text)
    spans = set()
    for name, label, which in sorted(names, key=lambda n: -len(n[0])):
        pattern = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
        k = 0
        for m in pattern.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            k += 1
            if which is not None and k not in which:
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            spans.add((m.start(), m.end(), label))
    return spans


def main():
    flags = sys.argv[1:]
    args = [a for i, a in enumerate(flags)
            if not a.startswith("--") and (i == 0 or flags[i - 1] != "--plugins")]
    folio = args[0]
    bbc = args[1] if len(args) > 1 else os.path.join(HERE, "..", "..", "shared", "corpora", "bbc")
    plugins = ["entities"]
    if "--plugins" in flags:
        plugins = flags[flags.index("--plugins") + 1].split(",")
    gold = load_gold()
    with tempfile.TemporaryDirectory() as tmp:
        sample = os.path.join(tmp, "sample")
        for doc in gold:
            os.makedirs(os.path.join(sample, os.path.dirname(doc)), exist_ok=True)
            os.symlink(os.path.abspath(os.path.join(bbc, doc)), os.path.join(sample, doc))
        out = os.path.join(tmp, "tagged.jsonl")
        command = [folio, "run", sample, "-o", out, "-q"]
        for p in plugins:
            command += ["-p", p]
        subprocess.run(command, check=True)
        records = {json.loads(l)["id"]: json.loads(l) for l in open(out, encoding="utf-8")}
    counts = {label: [0, 0, 0] for label in LABELS}  # true positives, predicted, gold
    errors = []
    for doc, names in sorted(gold.items()):
        record = records[doc]
        text = record["text"]
        want = mentions(text, names)
        got = {(s["start"], s["end"], s["label"]) for s in record["layers"].get("entity", [])
               if s["label"] in LABELS}
        for label in LABELS:
            w = {s for s in want if s[2] == label}
            g = {s for s in got if s[2] == label}
            counts[label][0] += len(w & g)
            counts[label][1] += len(g)
            counts[label][2] += len(w)
        for s in sorted(want - got):
            errors.append(f"{doc}  missed  {text[s[0]:s[1]]} ({s[2]})")
        for s in sorted(got - want):
            errors.append(f"{doc}  wrong   {text[s[0]:s[1]]} ({s[2]})")
    if "--errors" in flags:
        print("\n".join(errors))
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    for label, (tp, predicted, wanted) in list(counts.items()) + [("all", total)]:
        p = tp / predicted if predicted else 0.0
        r = tp / wanted if wanted else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{label:7} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  ({tp} of {predicted} predicted, {wanted} in the sample)")


main()
