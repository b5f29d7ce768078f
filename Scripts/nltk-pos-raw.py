#!/usr/bin/env python3
"""NLTK's tagging pipeline on raw text, scored as `folio eval pos` scores Folio's.

usage: nltk-pos-raw.py TRAIN.conllu TEST.conllu [--iter 5]   (needs nltk; Scripts/bench makes
a virtual environment with it under .build/)

Trains NLTK's averaged perceptron on TRAIN's words and UPOS tags, then for each TEST sentence
splits its `# text` with NLTK's word tokenizer (Treebank conventions: `do n't`, `John 's`), tags
the words and scores them as the CoNLL 2018 shared task does: a word is right when its span of
the text is a gold word's, a tag when the word is right and its tag too; F1 over the gold and
the predicted words. Gold sentence boundaries, as Folio's evaluation uses. Prints one line:
`nltk raw text: words F1 W%, UPOS F1 U% (N sentences)`.
"""
import sys

from nltk.tag.perceptron import PerceptronTagger
from nltk.tokenize import NLTKWordTokenizer


def sentences(path):
    """Each sentence's text and its words: (form, upos, first line of a multi-word token or None)."""
    out, text, words, mwt = [], None, [], {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            if words:
                out.append((text, words, mwt))
            text, words, mwt = None, [], {}
        elif line.startswith("# text = "):
            text = line[len("# text = "):]
        elif not line.startswith("#"):
            f = line.split("\t")
            if "." in f[0]:
                continue
            if "-" in f[0]:
                a, b = (int(x) for x in f[0].split("-"))
                mwt[a] = (b, f[1])
                continue
            words.append((int(f[0]), f[1], f[3]))
    if words:
        out.append((text, words, mwt))
    return out


def gold_spans(text, words, mwt):
    """The span of each gold word in the text: words of a multi-word token share out its surface
    when their forms spell it, else each has the whole surface."""
    spans, at, i = [], 0, 0
    while i < len(words):
        wid, form, upos = words[i]
        if wid in mwt:
            last, surface = mwt[wid]
            group = [w for w in words[i:] if w[0] <= last]
            start = text.find(surface, at)
            if start < 0:
                i += len(group)
                continue
            end = start + len(surface)
            if "".join(w[1] for w in group) == surface:
                p = start
                for w in group:
                    spans.append(((p, p + len(w[1])), w[2]))
                    p += len(w[1])
            else:
                spans += [((start, end), w[2]) for w in group]
            at, i = end, i + len(group)
            continue
        start = text.find(form, at)
        if start >= 0:
            spans.append(((start, start + len(form)), upos))
            at = start + len(form)
        i += 1
    return spans


def main():
    iters = int(sys.argv[sys.argv.index("--iter") + 1]) if "--iter" in sys.argv else 5
    train = [[(w[1], w[2]) for w in s[1]] for s in sentences(sys.argv[1])]
    test = [s for s in sentences(sys.argv[2]) if s[0] is not None]
    tagger = PerceptronTagger(load=False)
    tagger.train(train, nr_iter=iters)
    tokenizer = NLTKWordTokenizer()
    gold_n = pred_n = right_words = right_upos = 0
    for text, words, mwt in test:
        gold = dict(gold_spans(text, words, mwt))
        spans = list(tokenizer.span_tokenize(text))
        tags = tagger.tag([text[a:b] for a, b in spans])
        gold_n += len(gold)
        pred_n += len(spans)
        for span, (_, upos) in zip(spans, tags):
            if span in gold:
                right_words += 1
                right_upos += gold[span] == upos
    f1 = lambda right: 200 * right / (gold_n + pred_n)
    print(f"nltk raw text: words F1 {f1(right_words):.2f}%, UPOS F1 {f1(right_upos):.2f}% ({len(test)} sentences)")


if __name__ == "__main__":
    main()
