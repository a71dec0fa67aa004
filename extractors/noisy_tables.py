"""Commitment tables whose text layer is garbled: rebuild each commitment once, by voting.

Some PDFs print a table's text several times over (overprinted layers, shifted copies), so a
converter returns cells that hold many run-together copies of the commitments, with their
"Priority 1,4" markers and timescales, plus truncated fragments and letter-level noise. A reader
still sees each commitment; so can we, by:

1. cutting every cell into phrases at "Priority N" markers, at date expressions and at
   capitalised instruction verbs ("... integrated teams Explore examples ...");
2. grouping near-identical phrases (token F1, or one a word-prefix of the other) into one
   commitment, kept only if it is printed in at least two rows or stands clean in a cell of
   its own (noise rarely repeats across rows);
3. taking the best-supported wording (the longest variant printed at least twice), and by
   majority the priority marker printed right before it and the timescale printed right after;
4. giving timescales left on rows whose commitment text is lost ("Priority 1,4 | 1 | 2024 - 2026")
   to the first commitment with the same priorities and no timescale of its own.

Phrases printed in one row only come back with `supported=False`, so the caller can report them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extractors.cleaners import fold_whitespace
from extractors.deadlines import find_deadlines, parse_deadline
from extractors.tables import PRIORITY_LABEL, parse_priority_refs
from extractors.text_cues import FUNCTION_WORDS, splitting_verbs, starts_with_commitment_verb
from schemas.document import Table

MARKER = re.compile(rf"\b{PRIORITY_LABEL}\b\s*(?P<numbers>\d{{1,2}}(?:\s*[,.]\s*\d{{1,2}})*)?", re.I)
NULL_TIMESCALE = re.compile(r"\b(?:ongoing|tbc|to be (?:confirmed|determined))\b(?:\s*\([^)]*\))?", re.I)
WORD = re.compile(r"[\w/’'()–-]+")
MIN_ROWS = 2


@dataclass
class Phrase:
    text: str
    row: int
    clean: bool
    marker: tuple[str, ...] | None = None
    timescale: str | None = None  # the timescale text printed right after, "" for "Ongoing"
    previous: "Phrase | None" = None  # the phrase printed just before it in the same cell


@dataclass
class Commitment:
    text: str
    priorities: tuple[str, ...]
    timescale: str | None
    row: int
    variants: Counter = field(default_factory=Counter)
    # False for a phrase printed in one row only: noise, kept out of the records but reported.
    supported: bool = True
    # True when `row` is a clean row of the table holding this commitment in its own cells.
    clean_row: bool = False


def _numbers(text: str | None) -> tuple[str, ...] | None:
    if not text:
        return None
    return tuple(sorted(set(re.findall(r"\d{1,2}", text)), key=int))


def _tokens(text: str) -> list[tuple[int, int, str, object]]:
    """Markers, dates and null timescales in a cell, in order: (start, end, kind, value)."""
    found = [(m.start(), m.end(), "marker", _numbers(m.group("numbers"))) for m in MARKER.finditer(text)]
    found += [(s, e, "date", text[s:e]) for s, e, _ in find_deadlines(text)]
    found += [(m.start(), m.end(), "date", "") for m in NULL_TIMESCALE.finditer(text)]
    found.sort()
    tokens, last_end = [], -1
    for token in found:
        if token[0] >= last_end:
            tokens.append(token)
            last_end = token[1]
    return tokens


def _split_verbs(text: str) -> list[str]:
    """Cut run-together commitments at capitalised instruction verbs."""
    words = text.split()
    parts, current = [], []
    verbs = splitting_verbs()
    for position, word in enumerate(words):
        following = words[position + 1] if position + 1 < len(words) else ""
        bare = re.sub(r"\W", "", word).lower()
        is_verb = word[:1].isupper() and (bare in verbs or (bare.endswith("s") and bare[:-1] in verbs))
        previous = current[-1] if current else ""
        # Not inside a name ("Early Help Strategy"): the word before is lower case or closes a clause.
        ordinary = (
            previous[:1].islower() or previous[:1].isdigit() or previous[-1:] in ").,;:" or following[:1].islower()
        )
        if is_verb and current and ordinary and previous.lower() not in FUNCTION_WORDS:
            parts.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        parts.append(" ".join(current))
    return parts


def phrases_of(text: str, row: int) -> list[Phrase]:
    """Commitment phrases in one cell, each with the marker before it and the timescale after."""
    phrases: list[Phrase] = []
    position = 0
    marker = None
    pieces: list[tuple[str, object]] = []
    for start, end, kind, value in _tokens(text):
        pieces.append(("text", text[position:start]))
        pieces.append((kind, value))
        position = end
    pieces.append(("text", text[position:]))
    for kind, value in pieces:
        if kind == "marker":
            marker = value
        elif kind == "date":
            if phrases and phrases[-1].timescale is None:
                phrases[-1].timescale = value
            marker = None
        else:
            parts = [p for p in _split_verbs(fold_whitespace(value)) if p]
            for k, part in enumerate(parts):
                before = phrases[-1] if phrases else None
                phrases.append(Phrase(text=part, row=row, clean=False, marker=marker if k == 0 else None, previous=before))
            if parts:
                marker = None
    if len(phrases) == 1:
        phrases[0].clean = True
    return phrases


def _is_commitment(phrase: Phrase) -> bool:
    words = phrase.text.split()
    if not starts_with_commitment_verb(phrase.text):
        return False
    if len(words) < (2 if phrase.clean else 3):
        return False
    return words[-1].lower().strip(".,") not in FUNCTION_WORDS | {"their", "its", "his", "her"}


def _f1(a: list[str], b: list[str]) -> float:
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def _same(a: str, b: str) -> bool:
    ta, tb = a.lower().split(), b.lower().split()
    short, long = sorted((ta, tb), key=len)
    if len(short) >= 4 and long[: len(short)] == short:
        return True
    return _f1(ta, tb) >= 0.85


def _has_commitment(row, action_col: int | None) -> bool:
    if action_col is None or action_col >= len(row.cells):
        return False
    text = row.cells[action_col].text
    return starts_with_commitment_verb(text) and len(text.split()) >= 2


def is_noisy(table: Table) -> bool:
    """A table whose cells hold many run-together commitments with their markers."""
    for row in table.rows:
        for cell in row.cells:
            if len(cell.text.split()) >= 60 and len(MARKER.findall(cell.text)) >= 3:
                return True
    return False


def reconstruct(
    table: Table, priority_col: int | None = None, timescale_col: int | None = None, action_col: int | None = None
) -> list[Commitment]:
    groups: list[dict] = []
    group_of: dict[int, int] = {}  # id(phrase) -> group index
    orphans: list[tuple[tuple[str, ...], str]] = []
    for r, row in enumerate(table.rows):
        row_marker = None
        if priority_col is not None and priority_col < len(row.cells):
            refs = parse_priority_refs(row.cells[priority_col].text)
            row_marker = tuple(refs) if refs else None
        row_timescale = row.cells[timescale_col].text if timescale_col is not None and timescale_col < len(row.cells) else ""
        row_phrases: list[Phrase] = []
        for c, cell in enumerate(row.cells):
            if c in (priority_col, timescale_col) or not cell.text:
                continue
            for phrase in phrases_of(cell.text, r):
                # The row's own priority and timescale cells belong to its commitment cell.
                if phrase.clean and c == action_col:
                    if row_marker and phrase.marker is None:
                        phrase.marker = row_marker
                    if phrase.timescale is None and row_timescale and parse_deadline(row_timescale):
                        phrase.timescale = row_timescale
                row_phrases.append(phrase)
        kept = [p for p in row_phrases if _is_commitment(p)]
        if row_marker and row_timescale and parse_deadline(row_timescale) and not _has_commitment(row, action_col):
            orphans.append((row_marker, row_timescale))
        for phrase in kept:
            for index, group in enumerate(groups):
                if any(_same(phrase.text, v) for v in group["variants"]):
                    break
            else:
                group = {"variants": Counter(), "rows": set(), "clean": False, "markers": Counter(), "times": Counter(), "previous": Counter()}
                groups.append(group)
                index = len(groups) - 1
            group_of[id(phrase)] = index
            if phrase.previous is not None and id(phrase.previous) in group_of:
                group["previous"][group_of[id(phrase.previous)]] += 1
            group["variants"][phrase.text] += 1
            group["rows"].add(phrase.row)
            group["clean"] |= phrase.clean
            if phrase.clean and phrase.marker is not None or (phrase.clean and phrase.timescale is not None):
                group.setdefault("clean_row", phrase.row)
            if phrase.marker:
                group["markers"][phrase.marker] += 1
            if phrase.timescale is not None:
                group["times"][phrase.timescale] += 1
    # Priorities: the marker printed before it, by majority; failing that, those of the
    # commitment most often printed just before it (a sub-activity under its parent).
    priorities: dict[int, tuple[str, ...]] = {
        i: g["markers"].most_common(1)[0][0] for i, g in enumerate(groups) if g["markers"]
    }
    supported = {i for i, g in enumerate(groups) if len(g["rows"]) >= MIN_ROWS or g["clean"]}
    for _ in range(3):
        for i, group in enumerate(groups):
            if i not in priorities:
                ranked = sorted(group["previous"].items(), key=lambda kv: (kv[0] in supported, kv[1]), reverse=True)
                for parent, _count in ranked:
                    if parent in priorities and parent != i:
                        priorities[i] = priorities[parent]
                        break
    commitments: list[Commitment] = []
    for i, group in enumerate(groups):
        if len(group["rows"]) < MIN_ROWS and not group["clean"]:
            text = max(group["variants"], key=len)
            commitments.append(Commitment(text=text, priorities=(), timescale=None, row=min(group["rows"]),
                                          variants=group["variants"], supported=False))
            continue
        repeated = [v for v, n in group["variants"].items() if n >= 2] or list(group["variants"])
        text = max(repeated, key=lambda v: (len(v.split()), group["variants"][v]))
        timescale = group["times"].most_common(1)[0][0] if group["times"] else None
        commitments.append(Commitment(text=text, priorities=priorities.get(i, ()), timescale=timescale,
                                      row=group.get("clean_row", min(group["rows"])), variants=group["variants"],
                                      clean_row="clean_row" in group))
    for marker, timescale in orphans:
        for commitment in commitments:
            if commitment.supported and commitment.timescale is None and commitment.priorities == marker:
                commitment.timescale = timescale
                break
    return commitments
