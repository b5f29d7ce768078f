#!/usr/bin/env python3
"""spaCy's Matcher on the benchmark queries, over Folio's own tokens and tags.

    spacy-matcher.py build CORPUS.vrt DOCS.spacy   # Folio's VRT -> a spaCy DocBin (once)
    spacy-matcher.py NAME DOCS.spacy               # load the DocBin, match, print count and ms

The DocBin holds the same tokens, sentences, parts of speech and lemmas as Folio's index (the
VRT is `folio run CORPUS -p pos -o CORPUS.vrt`), so both tools answer over the same data; a
spaCy user would keep a tagged corpus as a DocBin in the same way. NAME is one of the queries
below. Matches are counted as Folio's default strategy counts them (CQP's: the shortest match
from each start, one match per end token) and also as the Matcher returns them (every span).
"""
import sys
import time
from collections import Counter

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc, DocBin

QUERIES = {
    "whale": [{"ORTH": "whale"}],
    "adj-money": [{"POS": "ADJ"}, {"ORTH": "money"}],
    # `within s`: no token after the first may start a sentence.
    "say-that": [{"LEMMA": "say"}, {"IS_SENT_START": False, "OP": "{0,3}"},
                 {"ORTH": "that", "IS_SENT_START": False}],
    "adj-noun": [{"POS": "ADJ", "OP": "+"}, {"POS": "NOUN"}],
    "adj-noun-group": [{"POS": "ADJ"}, {"POS": "NOUN"}],
}


def build(vrt, out):
    nlp = spacy.blank("en")
    bin_ = DocBin(attrs=["ORTH", "POS", "TAG", "LEMMA", "SENT_START"], store_user_data=False)
    words, spaces, pos, tags, lemmas, starts = [], [], [], [], [], []
    new_sentence = False

    def flush():
        if words:
            bin_.add(Doc(nlp.vocab, words=words, spaces=spaces, pos=pos, tags=tags, lemmas=lemmas,
                         sent_starts=starts))
        for x in (words, spaces, pos, tags, lemmas, starts):
            x.clear()

    with open(vrt, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("<text"):
                flush()
            elif line.startswith("<s"):
                new_sentence = True
            elif line.startswith("<"):
                continue
            elif line:
                cols = line.split("\t")
                words.append(cols[0])
                spaces.append(True)
                pos.append(cols[1] if cols[1] in spacy.parts_of_speech.IDS else "X")
                tags.append(cols[2])
                lemmas.append(cols[3])
                starts.append(new_sentence)
                new_sentence = False
    flush()
    bin_.to_disk(out)


def main():
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
        return
    name, path = sys.argv[1], sys.argv[2]
    t0 = time.time()
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    t1 = time.time()
    matcher = Matcher(nlp.vocab)
    matcher.add(name, [QUERIES[name]])
    every = 0
    standard = 0
    lemmas = Counter()
    for doc in docs:
        spans = matcher(doc)
        every += len(spans)
        # CQP's strategy: per start the shortest span, then one per end (the earliest start).
        shortest = {}
        for _, s, e in spans:
            if s not in shortest or e < shortest[s]:
                shortest[s] = e
        ends = set()
        for s in sorted(shortest):
            e = shortest[s]
            if e in ends:
                continue
            ends.add(e)
            standard += 1
            if name == "adj-noun-group":
                lemmas[doc[s].lemma_] += 1
    t2 = time.time()
    print(f"{name}\t{standard}\t{every}\t{(t2 - t1) * 1000:.0f}\t{(t1 - t0) * 1000:.0f}\t{len(lemmas)}")


if __name__ == "__main__":
    main()
