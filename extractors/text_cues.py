"""Small predicates over block text shared by the extractors (what a reader notices at a glance)."""

from __future__ import annotations

import re
from functools import lru_cache

from extractors.patterns import HERE, action_section_pattern, lead_in_pattern, measure_section_pattern, priority_heading_pattern

AUXILIARIES = frozenset("is are was were has have had will would can could should may might must".split())
WE_WILL = re.compile(r"^\s*we\s+will\b[\s:]*", re.I)
ALPHA_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


@lru_cache(maxsize=1)
def _verb_file() -> tuple[frozenset[str], frozenset[str]]:
    words, splitters = set(), set()
    for line in (HERE / "commitment_verbs.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip().lower()
        if line and not line.startswith("#"):
            words.add(line.rstrip("*"))
            if not line.endswith("*"):
                splitters.add(line)
    return frozenset(words), frozenset(splitters)


def commitment_verbs() -> frozenset[str]:
    """Words that open a commitment ("Improve", "Further", "Start")."""
    return _verb_file()[0]


def splitting_verbs() -> frozenset[str]:
    """The commitment words that may also split a line holding two commitments."""
    return _verb_file()[1]


def starts_with_commitment_verb(text: str) -> bool:
    """True when the text opens with an instruction verb: "Improve school attendance"."""
    match = ALPHA_WORD.match(text.strip())
    if not match:
        return False
    word = match.group(0).lower()
    verbs = commitment_verbs()
    if not (word in verbs or (word.endswith("s") and word[:-1] in verbs)):
        return False
    # "Work is now progressing ...", "support for the faster roll out of broadband", "review of
    # the service" use the word as a noun: not an instruction.
    rest = text.strip()[match.end():]
    if rest.lstrip().startswith(":"):
        return False  # "Contact: beststart@...", "Update: ...": a label
    following = rest.split()
    after = following[0].lower().strip(",.") if following else ""
    return not (after in AUXILIARIES or after == "of" or (after == "for" and word in NOUN_FOR))


# Instruction words that, followed by "for", are nouns ("support for", "funding for").
NOUN_FOR = frozenset({"support", "review", "funding", "provision", "access", "demand", "increase", "investment", "use"})


def alpha_words(text: str) -> int:
    return len(ALPHA_WORD.findall(text))


NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.|section\s+\d+:?)\s+", re.I)


def _opens_with(pattern: re.Pattern[str], text: str, words_before: int = 2) -> bool:
    """The cue opens the line, after a numbering and at most a few words."""
    text = NUMBERING.sub("", text.strip(), count=1)
    match = pattern.search(text)
    return bool(match) and len(text[: match.start()].split()) <= words_before


def is_action_cue(text: str) -> bool:
    """ "Our priority actions", "ACTIONS", "Together we will…", "Priorities for next 12-24 months"."""
    if priority_heading_pattern().match(text.strip()):
        return False  # "Promise 2: We will support you" names a priority
    return _opens_with(action_section_pattern(), text) and alpha_words(text) <= 12


def is_measure_cue(text: str) -> bool:
    """ "Measures of Success", "How we will know we have made a difference", "Indicators ...:"."""
    if priority_heading_pattern().match(text.strip()):
        return False
    return _opens_with(measure_section_pattern(), text) and alpha_words(text) <= 12


ENDS_WE_WILL = re.compile(r"\b(?:we|the council|partners)\s+will\s*(?::|…|\.\.\.)\s*$", re.I)


def is_lead_in(text: str) -> bool:
    """A line introducing a list of commitments: "We will:", "Our priority actions", or any
    short line ending in "we will:" ("SDG 4 / 8 We will:", "Together we will…")."""
    text = text.strip()
    return bool(lead_in_pattern().match(text)) or (bool(ENDS_WE_WILL.search(text)) and len(text.split()) <= 14)


def strip_we_will(text: str) -> str:
    """Drop a leading "We will" (the gold and the display keep the commitment itself).

    >>> strip_we_will("We will listen to feedback")
    'listen to feedback'
    """
    return WE_WILL.sub("", text, count=1).strip()


FUNCTION_WORDS = frozenset(
    "a an the and or of to for in on at by with via through from into our their your its this that "
    "these those as than new".split()
)
CAPITAL_VERB_SPLIT = re.compile(r"(?<=[a-z0-9)’'])\s+(?=[A-Z][a-z]+\b)")


def split_run_on_commitments(text: str) -> list[str]:
    """Split a printed line that holds two commitments, at a capitalised instruction verb
    that follows a lower-case word with no punctuation between them.

    >>> split_run_on_commitments("Embed a new model in local communities Further strengthen our support")
    ['Embed a new model in local communities', 'Further strengthen our support']
    """
    parts: list[str] = []
    start = 0
    for match in CAPITAL_VERB_SPLIT.finditer(text):
        rest = text[match.end():]
        first = rest.split()[0].lower() if rest.split() else ""
        if not starts_with_commitment_verb(rest) or (first not in splitting_verbs() and first.rstrip("s") not in splitting_verbs()):
            continue
        left = text[start:match.start()].strip()
        last = left.split()[-1] if left.split() else ""
        # The word before must be an ordinary lower-case word: "Family Help" is a name.
        if not last[:1].islower() or last.lower() in FUNCTION_WORDS:
            continue
        if len(left.split()) >= 3 and len(rest.split()) >= 3:
            parts.append(left)
            start = match.end()
    parts.append(text[start:].strip())
    return [p for p in parts if p]
