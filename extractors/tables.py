"""What each column of a table is for: the commitment, its reference, lead, timescale, RAG...

From the header when the table has one ("Ref | Key Action | ... | Workstream Involved | RAG
Rating"), otherwise from what the cells hold (a column of "Priority 1,4" cells links rows to
priorities; a column whose cells read as dates is the timescale; the column with the longest
text is the commitment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.deadlines import parse_deadline
from extractors.patterns import column_patterns
from extractors.text_cues import starts_with_commitment_verb
from schemas.document import Row, Table

PRIORITY_LABEL = r"(?:priorit(?:y|ies)|ambitions?|outcomes?|themes?|objectives?|aims?|goals?|strands?|pledges?)"
PRIORITY_REF = re.compile(rf"^\s*{PRIORITY_LABEL}\s*(?P<numbers>\d{{1,2}}(?:\s*[,.&/]\s*\d{{1,2}}|\s+and\s+\d{{1,2}})*)\s*$", re.I)
SUB_OBJECTIVE = re.compile(r"^\s*(?P<number>\d{1,2}\.\d{1,2})\s*[-–—:]\s*(?P<title>\S.*)$")


@dataclass
class Columns:
    """Column index per role; `extra` lists the other columns by header."""

    roles: dict[str, int] = field(default_factory=dict)
    headers: tuple[str, ...] = ()

    def get(self, row: Row, role: str) -> str:
        index = self.roles.get(role)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index].text

    def cell(self, row: Row, role: str):
        index = self.roles.get(role)
        if index is None or index >= len(row.cells):
            return None
        return row.cells[index]

    def name(self, index: int) -> str:
        if index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        return f"column {index + 1}"


def _opens(pattern, header: str, within: int = 20) -> bool:
    match = pattern.search(header)
    return bool(match) and match.start() <= within


def roles_from_header(header: tuple[str, ...]) -> dict[str, int]:
    """Assign roles to header cells; each role takes the first column its patterns match,
    trying patterns in priority order, and a column has one role.

    >>> roles_from_header(("Ref", "Key Action", "Workstream Involved", "Actions", "RAG Rating"))["action"]
    1
    """
    roles: dict[str, int] = {}
    taken: set[int] = set()
    for role, patterns in column_patterns().items():
        for pattern in patterns:
            # The role word opens the header ("Led by / responsible"), not a cell where a
            # converter ran two headers together ("Plans in place to deliver Led by").
            hits = [i for i, h in enumerate(header) if i not in taken and h and _opens(pattern, h)]
            if hits:
                roles[role] = hits[0]
                taken.add(hits[0])
                break
    # "Actions" beside a "Key Action" column holds follow-up steps, not the commitment.
    return roles


def parse_priority_refs(text: str) -> list[str] | None:
    """Numbers in a "Priority 1,2,4" cell, or None when the cell is not such a reference.

    >>> parse_priority_refs("Priority 1, 3,4")
    ['1', '3', '4']
    """
    match = PRIORITY_REF.match(text)
    if not match:
        return None
    return sorted(set(re.findall(r"\d{1,2}", match.group("numbers"))), key=int)


def roles_from_content(table: Table) -> dict[str, int]:
    """Roles for a table without a header, from what its cells hold."""
    if not table.rows:
        return {}
    width = max(len(r.cells) for r in table.rows)
    roles: dict[str, int] = {}
    stats = []
    for col in range(width):
        texts = [r.cells[col].text for r in table.rows if col < len(r.cells) and r.cells[col].text]
        priority_refs = sum(1 for t in texts if parse_priority_refs(t) is not None)
        dates = sum(1 for t in texts if len(t.split()) <= 6 and parse_deadline(t) is not None)
        mean_len = sum(len(t) for t in texts) / len(texts) if texts else 0
        stats.append((col, len(texts), priority_refs, dates, mean_len))
    refs = [s for s in stats if s[2] >= 2 and s[2] >= s[1] / 2]
    if refs:
        roles["priority"] = refs[0][0]
    dates = [s for s in stats if s[0] not in roles.values() and s[3] >= 2 and s[3] >= s[1] / 3]
    if dates:
        roles["timescale"] = max(dates, key=lambda s: s[3])[0]
    # The commitment is the first column after the priority column with substantial text.
    refs = [s for s in stats if s[0] not in roles.values() and s[1] >= 2 and _mostly_refs(table, s[0])]
    if refs:
        roles["ref"] = refs[0][0]
    # The commitment column: the one whose cells most often read as a commitment (verb first,
    # not a run of garbled copies); ties go to the first after the priority column.
    start = roles.get("priority", -1) + 1
    text_cols = [s for s in stats if s[0] not in roles.values() and s[1] >= 2 and s[4] >= 15]
    if text_cols:
        def commitments(col: int) -> int:
            return sum(1 for r in table.rows if col < len(r.cells) and len(r.cells[col].text.split()) <= 60
                       and starts_with_commitment_verb(r.cells[col].text))
        roles["action"] = max(text_cols, key=lambda s: (commitments(s[0]), s[0] >= start, -s[0]))[0]
        # The lead: a later column of short names without figures ("Head of Education").
        owners = [s for s in stats if s[0] > roles["action"] and s[0] not in roles.values() and s[1] >= 2
                  and _mostly_names(table, s[0])]
        if owners:
            roles["owner"] = owners[-1][0]
    return roles


REF_CELL = re.compile(r"^[A-Z]{0,3}\d{1,2}(?:\.\d{1,2})*[a-z]?\.?$")


def _column(table: Table, col: int) -> list[str]:
    return [r.cells[col].text for r in table.rows if col < len(r.cells) and r.cells[col].text]


def _mostly_refs(table: Table, col: int) -> bool:
    cells = _column(table, col)
    return bool(cells) and sum(1 for c in cells if REF_CELL.match(c.strip())) >= 0.8 * len(cells)


def _mostly_names(table: Table, col: int) -> bool:
    cells = _column(table, col)
    short = [c for c in cells if len(c.split()) <= 8 and c[:1].isupper() and not re.search(r"\d", c)
             and not starts_with_commitment_verb(c)]
    return bool(cells) and len(short) >= 0.8 * len(cells)


def columns_for(table: Table) -> Columns:
    """Roles from the header when there is one (a header that names no role gives none: the
    table is about something else), otherwise from the cells."""
    if table.header:
        return Columns(roles=roles_from_header(table.header), headers=table.header)
    return Columns(roles=roles_from_content(table), headers=table.header)


def sub_objective(row: Row) -> tuple[str, str] | None:
    """A row that holds only a numbered sub-objective ("2.1 – We will ensure ..."), else None."""
    filled = [c.text for c in row.cells if c.text.strip()]
    if len(filled) != 1:
        return None
    match = SUB_OBJECTIVE.match(filled[0])
    if not match:
        return None
    return match.group("number"), match.group("title").strip()
