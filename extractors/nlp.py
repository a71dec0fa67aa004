"""The spaCy layer: a blank English pipeline with a sentencizer and the commitment Matcher.

No trained model is loaded: sentence boundaries and the commitment openers ("We will", "The
council will", kept as data in patterns/commitment_openers.jsonl) are rules, which is what these
documents need and what runs on a machine without model downloads.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.matcher import Matcher

from extractors.patterns import HERE, PatternFileError


# "We will know this has worked when ...": how success is recognised, not a commitment; "the
# Council will need to / expect / require developers to / have regard to ...": conditions a
# policy sets for others, not something the council undertakes to do.
NOT_COMMITMENTS = frozenset({"know", "see", "judge", "recognise", "recognize", "need", "expect", "require"})
NOT_COMMITMENT_PHRASES = frozenset({("have", "regard")})
# A statement's own code printed before it: "PS2", "C1.3", "4.2".
LEADING_CODE = re.compile(r"^[A-Z]{1,3}\d{1,2}(?:\.\d{1,2})*[a-z]?$|^\d{1,2}(?:\.\d{1,2})+$")


@lru_cache(maxsize=1)
def nlp() -> Language:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


@lru_cache(maxsize=1024)
def parse(text: str):
    """The sentencized Doc of `text`, shared by the stages that read the same block (read only;
    a few recent ones are kept: a worker reads file after file)."""
    return nlp()(text)


@lru_cache(maxsize=1)
def commitment_matcher() -> Matcher:
    matcher = Matcher(nlp().vocab, validate=True)
    path = HERE / "commitment_openers.jsonl"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            matcher.add(entry["label"], [entry["pattern"]])
        except (ValueError, KeyError) as exc:
            raise PatternFileError(f"{path}:{number}: {exc}") from exc
    return matcher


def _sentences(doc):
    """The sentencizer's sentences, re-joined where one ends inside a quotation and the next
    goes on in lower case ("a free ‘Well enough for school?’ guide for parents")."""
    sents = list(doc.sents)
    k = 0
    while k < len(sents):
        start = sents[k].start
        end = sents[k].end
        while k + 1 < len(sents) and sents[k + 1].text[:1].islower():
            k += 1
            end = sents[k].end
        yield doc[start:end]
        k += 1


def commitment_sentences(text: str) -> list[tuple[int, int, str]]:
    """Sentences of `text` that open with a commitment ("We will ..."): (start, end, sentence).

    >>> [s for _, _, s in commitment_sentences("We know it is hard. We will act now.")]
    ['We will act now.']
    """
    doc = parse(text)
    matcher = commitment_matcher()
    found = []
    for sent in _sentences(doc):
        # Match offsets are relative to the sentence: the opener starts it, or follows an
        # opening clause and its comma ("Working with schools, we will halve exclusions").
        for _, start, end in matcher(sent):
            opens = start == 0 or (sent[start - 1].text == "," and start <= 24) or (
                start == 1 and LEADING_CODE.match(sent[0].text) is not None)  # "PS2 The council will ..."
            following = sent[end].lower_ if end < len(sent) else ""
            phrase = (following, sent[end + 1].lower_ if end + 1 < len(sent) else "")
            if opens and following not in NOT_COMMITMENTS and phrase not in NOT_COMMITMENT_PHRASES:
                found.append((sent.start_char, sent.end_char, sent.text.strip()))
            break
    return found
