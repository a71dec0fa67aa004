"""Owners: who leads a commitment, normalised to the document's own key.

A plan that prints a key ("Key: PA = Placements & Accommodation Workstream") names its owners by
abbreviation or shortened form ("Placements & Accom."); this stage reads the key and maps every
owner cell onto the key's names. Without a key, the owner cell's lines are kept as printed.
"""

from __future__ import annotations

import re

from extractors.cleaners import fold_whitespace
from extractors.registry import stage
from extractors.state import State

KEY_ENTRY = re.compile(r"(?:^|\s|:)(?P<abbr>[A-Z][A-Za-z&]{0,5})\s*[=–:-]\s*(?P<name>.+?)(?=\s+[A-Z][A-Za-z&]{0,5}\s*[=–]\s|$)")
KEY_START = re.compile(r"^\s*(?:(?:owner|lead|workstream)s?\s+key|key\s+to\s+\w+|key|abbreviations|glossary)\s*[:\-–]", re.I)
ENTRY_SPLIT = re.compile(r"^\s*(?P<abbr>[A-Z][A-Za-z&]{0,5}(?:\s[A-Z][A-Za-z&]{0,5}){0,2})\s*(?:=|–|—|-|:)\s*(?P<name>\S.*)$")
NAME_SUFFIX = re.compile(r"\s+(?:workstream|work stream|group|board|team|sub-group)s?$", re.I)
# Owners are separated by line breaks, semicolons or slashes; a comma usually qualifies a post
# ("Transitions Manager, Adult Social Care"), so it does not separate.
SPLIT = re.compile(r"\s*(?:;|\n|\s/\s|/(?=[A-Z]))\s*")


def parse_key(text: str) -> dict[str, str]:
    """Abbreviation -> name from a printed key.

    >>> parse_key("Key: PA = Placements & Accommodation Workstream H = Health Workstream")
    {'PA': 'Placements & Accommodation', 'H': 'Health'}
    >>> parse_key("Owner key: DCS – Director of Children's Services; HoS AFS – Head of Service, Safeguarding")
    {'DCS': "Director of Children's Services", 'HoS AFS': 'Head of Service, Safeguarding'}
    """
    if not KEY_START.match(text):
        return {}
    body = KEY_START.sub("", text, count=1)
    key = {}
    if ";" in body:  # "DCS – Director of Children's Services; PSW – Principal Social Worker"
        for entry in body.split(";"):
            match = ENTRY_SPLIT.match(entry)
            if match:
                key[match.group("abbr").strip()] = NAME_SUFFIX.sub("", fold_whitespace(match.group("name")).strip(" ,;."))
        if key:
            return key
    for match in KEY_ENTRY.finditer(body):
        name = NAME_SUFFIX.sub("", fold_whitespace(match.group("name")).strip(" ,;."))
        if name:
            key[match.group("abbr")] = name
    return key


def _token_pattern(token: str) -> str:
    if token in ("&", "and"):
        return r"(?:&|and)"
    word = re.sub(r"\W", "", token)
    if len(word) >= 5:
        return re.escape(word[:4]) + r"\w*\.?"
    return re.escape(word) + r"\w{0,2}\.?"


def name_pattern(name: str) -> re.Pattern[str]:
    """A pattern that also finds shortened forms of a key name ("Placements & Accom.")."""
    tokens = [t for t in re.split(r"[\s,]+", name) if t]
    return re.compile(r"(?<!\w)" + r",?\s+".join(_token_pattern(t) for t in tokens) + r"(?!\w)", re.I)


def normalise_owners(cell: str, key: dict[str, str]) -> list[str]:
    """Owner names in a cell, mapped onto the key when there is one.

    >>> normalise_owners("Participation Placements & Accom.", {"P": "Participation", "PA": "Placements & Accommodation"})
    ['Participation', 'Placements & Accommodation']
    """
    cell = fold_whitespace(cell.replace("\n", " ; "))
    if not cell:
        return []
    if key:
        hits: list[tuple[int, str]] = []
        for abbr, name in key.items():
            for match in name_pattern(name).finditer(cell):
                hits.append((match.start(), name))
            for match in re.finditer(rf"(?<![\w&]){re.escape(abbr)}(?![\w&])", cell):
                if len(abbr) >= 2:
                    hits.append((match.start(), name))
        for match in re.finditer(r"[^;/\n]+", cell):
            part = match.group(0).strip(" .,-–")
            if part in key:  # a cell (or part) that is just the abbreviation, even "P"
                hits.append((match.start(), key[part]))
        names: list[str] = []
        for _, name in sorted(hits):
            if name not in names:
                names.append(name)
        if names:
            return names
    parts = [p.strip(" .;,-–") for p in SPLIT.split(cell)]
    return [p for p in dict.fromkeys(parts) if p]


ABBREVIATION = re.compile(r"^[A-Z][A-Za-z&]{0,2}[A-Z&]{1,5}$")  # "EYT", "ICB", "HoS" but not "Lead"


def _listed_key(blocks) -> dict[str, str]:
    """A key printed one entry per line or list item ("EYT – Early Years and Childcare Team"),
    two or more in a row."""
    key: dict[str, str] = {}
    run: dict[str, str] = {}
    for block in list(blocks) + [None]:
        match = ENTRY_SPLIT.match(block.text) if block is not None and block.kind in ("paragraph", "list_item") else None
        if match and ABBREVIATION.match(match.group("abbr").strip()) and len(match.group("name").split()) <= 12:
            run[match.group("abbr").strip()] = fold_whitespace(match.group("name")).strip(" ,;.")
            continue
        if len(run) >= 2:
            key.update(run)
        run = {}
    return key


def _table_key(block) -> dict[str, str]:
    """A table of abbreviations and what they stand for: "Abbreviation | Meaning", or pairs
    side by side ("LCS | Leaving Care Service | HOS | Housing Options Service")."""
    table = block.table
    if table is None or not table.rows:
        return {}
    width = max(len(r.cells) for r in table.rows)
    if width % 2 or width > 6:
        return {}
    pairs = [
        (r.cells[k].text.strip(), r.cells[k + 1].text.strip())
        for r in table.rows for k in range(0, len(r.cells) - 1, 2)
        if r.cells[k].text.strip() and r.cells[k + 1].text.strip()
    ]
    good = [(a, n) for a, n in pairs if ABBREVIATION.match(a) and len(n.split()) <= 12]
    if len(good) < 2 or len(good) < 0.8 * len(pairs):
        return {}
    return {a: fold_whitespace(n).strip(" ,;.") for a, n in good}


@stage("owners", requires=("actions",), assigns=("owner_key", "actions"))
def find_owners(state: State) -> dict:
    key: dict[str, str] = {}
    for block in state.blocks:
        if block.kind in ("paragraph", "heading"):
            key.update(parse_key(block.text))
        elif block.kind == "table":
            key.update(_table_key(block))
    key = {**_listed_key(state.blocks), **key}
    actions = []
    for action in state.actions:
        cell = action.details.get("owner", "")
        owners = tuple(normalise_owners(cell, key)) if cell else ()
        actions.append(action.model_copy(update={"owners": owners}) if owners else action)
    return {"owner_key": key, "actions": tuple(actions)}
