"""Links from actions to the level-1 priorities they serve.

Explicit references win ("Priority 1,4" in the row, or a column of codes such as "SO1, SO4"
whatever its header says); then where the action sits in its table (set by `decide`); then the
priority whose section the action sits in; then the leading number of the plan's own reference
("2.1a" -> 2, "3.1 Link ..." under "WS3").
"""

from __future__ import annotations

import re

from extractors.patterns import priority_heading_pattern
from extractors.priorities import heading_names, number_as_digits
from extractors.registry import stage
from extractors.state import State
from extractors.tables import parse_priority_refs

REF_PREFIX = re.compile(r"^\s*([A-Z]{0,3}\d{1,2})[.\-]\d")  # "2.1a" -> 2, "C1.3" -> C1
CODE = re.compile(r"^(?:[A-Z]{1,4}\d{1,2}[a-z]?|\d{1,2}|[A-H])$")
CODE_LIST = re.compile(r"^\s*[A-Z]{1,4}\d{1,2}[a-z]?(?:\s*(?:[,&/]|and)\s*[A-Z]{1,4}\d{1,2}[a-z]?)*\s*$")
TEXT_REF = re.compile(r"^\s*([A-Z]{0,3}\d{1,2})\.\d{1,2}[a-z]?\s+\S")  # "3.1 Link family hub ..."
KNOWN_DETAILS = {"priority", "ref", "owner", "timescale", "status", "status_fills", "measure", "progress"}
BARE_NUMBERS = re.compile(r"^\s*\d{1,2}(?:\s*(?:[,&/]|and)\s*\d{1,2})*\s*$")


def priorities_in_cell(cell: str, priorities, threshold: float) -> list[str]:
    """Priority numbers a table's priority/theme cell points at: "Priority 1,4", "1, 4", or the
    priority's title (as printed or close to it)."""
    cell = cell.strip()
    if not cell:
        return []
    refs = parse_priority_refs(cell)
    if refs:
        return refs
    heading = priority_heading_pattern().match(cell)
    if heading:
        number = number_as_digits(heading.group("number"))
        return [number] if any(p.number == number for p in priorities) else []
    if BARE_NUMBERS.match(cell):
        return sorted(set(re.findall(r"\d{1,2}", cell)), key=int)
    numbers = {p.number for p in priorities if p.level == 1}
    tokens = _tokens(cell)
    if tokens and all(t in numbers for t in tokens):  # "O1, O2", "P3"
        return list(dict.fromkeys(tokens))
    if tokens and all(CODE.match(t) for t in tokens) and any(t in numbers for t in tokens):
        # "A, B" where only A was found as a priority: the row still says B.
        return list(dict.fromkeys(tokens))
    numbered = re.match(r"^\(?(\d{1,2})[.)]\s+\S", cell)
    if numbered and numbered.group(1) in numbers:  # "1. Leadership and management"
        return [numbered.group(1)]
    matches = [p.number for p in priorities if p.level == 1 and heading_names(cell, p.title, threshold)]
    if not matches:
        # A short name for a priority: "Prevent" for "Prevent – stopping exploitation ...".
        key = cell.casefold().strip(" .")
        matches = [p.number for p in priorities if p.level == 1 and re.split(r"\s+[–—:-]\s+|:\s", p.title)[0].casefold() == key]
    return matches[:1]


def _tokens(text: str) -> list[str]:
    """The codes of a list such as "SO1, SO4 & SO5" or "O1/O2"."""
    return [t for t in re.split(r"\s*(?:,|&|/|\band\b)\s*", text.strip()) if t]


def _level1(number: str, parents: dict[str, str]) -> str:
    """Actions link to level-1 priorities: a sub-priority's number gives way to its parent's."""
    seen = set()
    while number in parents and number not in seen:
        seen.add(number)
        number = parents[number]
    return number


@stage("links", requires=("actions", "priorities"), assigns=("actions",))
def link_actions(state: State) -> dict:
    level1 = {p.number for p in state.priorities if p.level == 1}
    parents = {p.number: p.parent for p in state.priorities if p.parent}
    index_of = {block.id: i for i, block in enumerate(state.blocks)}
    actions = []
    for action in state.actions:
        links: list[str] = []
        explicit = priorities_in_cell(action.details.get("priority", ""), state.priorities, state.settings.heading_match_threshold)
        if not explicit:
            explicit = _codes_in_details(action.details, level1)
        if explicit:
            links = explicit
        elif action.priorities:
            links = list(action.priorities)
        else:
            anchor = state.anchors.get(index_of.get(action.provenance.block_id, -1))
            if anchor:
                links = [anchor]
            else:
                links = _printed_prefix(action, level1)
        actions.append(action.model_copy(update={"priorities": tuple(dict.fromkeys(_level1(n, parents) for n in links))}))
    return {"actions": tuple(actions)}


def _codes_in_details(details: dict[str, str], level1: set[str]) -> list[str]:
    """A column of priority codes under a header the plan chose ("SO": "SO1, SO4"): typed by what
    it holds, codes of priorities the plan has."""
    for key, value in details.items():
        if key in KNOWN_DETAILS or not CODE_LIST.match(value or ""):
            continue
        tokens = _tokens(value)
        if any(t in level1 for t in tokens):
            return list(dict.fromkeys(tokens))
    return []


def _printed_prefix(action, level1: set[str]) -> list[str]:
    """The priority an action's printed code names: "2.1a" -> 2, "3.1 Link ..." -> 3, or the one
    priority whose code ends in that number ("WS3", "SO3")."""
    match = (REF_PREFIX.match(action.ref) if action.ref else None) or TEXT_REF.match(action.text)
    if not match:
        return []
    code = match.group(1)
    if code in level1:
        return [code]
    if code.isdigit():
        ending = [n for n in level1 if re.fullmatch(r"[A-Z]{1,4}" + re.escape(code), n)]
        if len(ending) == 1:
            return ending
    return []
