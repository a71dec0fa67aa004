"""Actions: the commitments a plan makes, one record per commitment.

Where a reader finds them:

- list items after a lead-in ("We will:") or under a cue heading ("Our priority actions"), and
  any list item that itself opens with "We will";
- short standalone lines under a cue heading ("Priorities for next 12-24 months"), each a
  verb-first instruction; one printed line holding two of them is split;
- table rows, one per row, the commitment taken from the column the header names ("Key Action",
  "What we have committed to"), or, without a header, from what the cells hold;
- "We will ..." sentences inside paragraphs (found by the spaCy commitment matcher).

The other columns of a row are kept in `details` (by role: ref, owner, timescale, status,
priority, measure, followup; other columns by their header) for the later stages.
Repeated copies of the same commitment (garbled text layers print them several times) are kept
once, the cleanest copy winning.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from extractors.cleaners import clean_text, normalise_quotes, strip_bullet
from extractors.deadlines import parse_deadline
from extractors.nlp import LEADING_CODE, commitment_sentences
from extractors.patterns import priority_heading_pattern
from extractors.noisy_tables import is_noisy, reconstruct
from extractors.registry import stage
from extractors.state import State
from extractors.tables import Columns, columns_for, parse_priority_refs, roles_from_header, sub_objective
from extractors.text_cues import (
    WE_WILL,
    is_action_cue,
    is_lead_in,
    is_measure_cue,
    split_run_on_commitments,
    starts_with_commitment_verb,
    strip_we_will,
)
from schemas.document import Block, Row
from schemas.records import Action, Problem, Provenance

MAX_ITEM_WORDS = 90
ROLE_KEYS = ("ref", "owner", "timescale", "start", "status", "priority", "measure", "followup", "target", "value")


def _action(text: str, block: Block, *, row: Row | None = None, details: dict | None = None, source: str | None = None) -> Action:
    prov = Provenance(
        page=row.page if row else block.page,
        block_id=block.id,
        span=(row.span if row else None) or block.span,
        bbox=(row.bbox if row else None) or block.bbox,
        source_text=source if source is not None else block.text,
    )
    return Action(text=text, details=details or {}, provenance=prov)


# "... to below 15% (Lead: Head of Service, Cared for Children; by March 2026)"
TRAILING_FIELDS = re.compile(r"\s*\((?P<inside>(?:lead|owner|led by|responsible)\s*:[^()]*)\)\s*\.?$", re.I)


def _from_list_item(block: Block) -> list[Action]:
    text = clean_text(strip_bullet(block.text))
    if not text or len(text.split()) > MAX_ITEM_WORDS:
        return []
    details: dict[str, str] = {}
    trailing = TRAILING_FIELDS.search(text)
    if trailing:
        # The bracket names the lead and, after a semicolon, when: fields, not the commitment.
        parts = [p.strip() for p in trailing.group("inside").split(";")]
        details["owner"] = LABEL.sub("", parts[0], count=1).strip()
        if len(parts) > 1:
            details["timescale"] = LABEL.sub("", parts[1], count=1).strip()
        text = text[: trailing.start()].strip()
    return [_action(strip_we_will(text) if WE_WILL.match(text) else text, block, details=details)]


DOTTED_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.?$")


def _commitment_item(block: Block, cue: Block | None) -> bool:
    """A list item under an action cue is a commitment when the cue is a "We will:" lead-in
    that the item completes, or the item reads as one (verb first), or it is a short bulleted
    line. Numbered report paragraphs ("1.2.3 The work involved ...") are narrative."""
    if cue is not None and is_lead_in(cue.text) and "will" in cue.text.lower():
        return True
    if starts_with_commitment_verb(strip_bullet(block.text)):
        return True
    if block.marker and DOTTED_NUMBER.match(block.marker):
        return False
    return len(block.text.split()) <= 30


def _from_short_block(block: Block) -> list[Action]:
    text = clean_text(block.text)
    if len(text.split()) > MAX_ITEM_WORDS or not starts_with_commitment_verb(text):
        return []
    return [_action(part, block) for part in split_run_on_commitments(text)]


def _row_details(columns: Columns, row: Row) -> dict[str, str]:
    details: dict[str, str] = {}
    role_of = {index: role for role, index in columns.roles.items()}
    for index, cell in enumerate(row.cells):
        role = role_of.get(index)
        if role == "action":
            continue
        value = "\n".join(cell.lines) if cell.lines else cell.text
        if role in ROLE_KEYS:
            details[role] = value
            if role == "status" and cell.fills:
                details["status_fills"] = ",".join(cell.fills)
        elif value:
            details[columns.name(index)] = value
    return details


def _from_noisy_table(block: Block, columns: Columns, dropped: list[Problem]) -> list[Action]:
    actions = []
    table = block.table
    for commitment in reconstruct(table, columns.roles.get("priority"), columns.roles.get("timescale"), columns.roles.get("action")):
        if not commitment.supported:
            dropped.append(Problem(source="", stage="actions", reason="garbled fragment printed in one row only",
                                   page=table.rows[commitment.row].page, detail=commitment.text[:200]))
            continue
        # A commitment read from a clean row keeps that row's other cells (reference, lead).
        details = _row_details(columns, table.rows[commitment.row]) if commitment.clean_row else {}
        if commitment.priorities:
            details["priority"] = "Priority " + ",".join(commitment.priorities)
        if commitment.timescale is not None:
            details["timescale"] = commitment.timescale
        row = table.rows[commitment.row]
        source = f"{commitment.text} (printed {sum(commitment.variants.values())} times, garbled)"
        actions.append(_action(commitment.text, block, row=row, details=details, source=source))
    return actions


def _theme_texts(state: State) -> set[str]:
    """Short headings and list items: a table row that repeats one of them is a theme row."""
    return {
        _key(clean_text(strip_bullet(b.text)))
        for b in state.blocks
        if b.kind in ("heading", "list_item") and len(b.text.split()) <= 25
    }


def _is_group_row(row: Row, columns: Columns, themes: set[str]) -> bool:
    """A row that only names the priority or theme the following rows serve: "Priority 1: Early
    identification ... |  |  |" spanning the table, or a theme named elsewhere in the document
    standing alone in the commitment column ("Strive for children ... |  | ")."""
    filled = [c.text for c in row.cells if c.text.strip()]
    if len(filled) != 1 or len(row.cells) < 2:
        return False
    if priority_heading_pattern().match(filled[0]):
        return True
    if columns.get(row, "action") != filled[0]:
        return False
    key = _key(filled[0])
    return key in themes or any(fuzz.ratio(key, t) >= 92 for t in themes if abs(len(t) - len(key)) < 10)


def _from_boxes(block: Block) -> list[Action]:
    """Commitments listed inside the cells of a grid of boxes: a cell that reads "1. A safe
    home / We will: / recruit 40 foster carers ... / make sure ..." gives one action per line
    after its "We will:", linked to the box's own number."""
    actions = []
    for row in block.table.rows:
        for cell in row.cells:
            lines = list(cell.lines)
            lead = next((k for k, line in enumerate(lines) if is_lead_in(line)), None)
            if lead is None:
                continue
            number = re.match(r"^\(?(\d{1,2})[.)]\s+\S", lines[0]) if lead > 0 else None
            for line in lines[lead + 1:]:
                text = clean_text(strip_bullet(line))
                if len(text.split()) >= 3:
                    details = {"priority": number.group(1)} if number else {}
                    actions.append(_action(strip_we_will(text), block, row=row, details=details, source=line))
    return actions


def _from_table(block: Block, state: State, section_kind: str, dropped: list[Problem]) -> list[Action]:
    table = block.table
    if table is None or not table.rows:
        return []
    boxes = _from_boxes(block)
    if boxes:
        return boxes
    card = _from_card(block)
    if card:
        return card
    if any(LOOKING_BACK.search(h or "") and len((h or "").split()) <= 6 for h in _top_row(table)):
        return []  # "Last year we said | We did", "You said | We did": a record, not commitments
    columns = columns_for(table)
    if not table.header:
        if section_kind != "action":
            return _sentences_in_cells(block)
        if is_noisy(table):
            return _from_noisy_table(block, columns, dropped)
        if "action" in columns.roles:
            texts = [columns.get(row, "action") for row in table.rows if columns.get(row, "action")]
            verb_first = sum(1 for t in texts if starts_with_commitment_verb(t))
            if verb_first < max(1, len(texts) / 2):
                return []
    if "action" not in columns.roles:
        return _from_date_columns(block, columns) or _sentences_in_cells(block)
    if "measure" in columns.roles and not table.header:
        return []
    actions = []
    carried = ""  # a priority/theme cell merged over several rows is printed on the first only
    themes = _theme_texts(state)
    naming = None if "priority" in columns.roles else _naming_column(table, columns, state)
    for row in table.rows:
        if sub_objective(row):
            continue
        if _is_group_row(row, columns, themes):
            carried = next(c.text for c in row.cells if c.text.strip())
            continue
        priority_cell = columns.get(row, "priority") or (
            row.cells[naming].text.strip() if naming is not None and naming < len(row.cells) else "")
        carried = priority_cell or carried
        text = clean_text(columns.get(row, "action"))
        if not text or parse_priority_refs(text) is not None or len(text.split()) < 2:
            continue
        details = _row_details(columns, row)
        if carried and not details.get("priority"):
            details["priority"] = carried
        source = " | ".join(c.text for c in row.cells if c.text)
        for part in _cell_commitments(columns, row) or [text]:
            part = strip_we_will(part) if WE_WILL.match(part) else part
            action = _action(part, block, row=row, details=dict(details), source=source)
            actions.append(action.model_copy(update={"section": carried}) if carried else action)
    return actions


def _naming_column(table, columns: Columns, state: State) -> int | None:
    """A column without a priority header whose cells are the plan's own priority titles
    ("Badge | Milestone | ...": "Healthy", "Place"): the priority column."""
    titles = {_key(p.title) for p in state.priorities if p.level == 1}
    if not titles:
        return None
    for col in range(len(table.header)):
        if col in columns.roles.values():
            continue
        cells = [_key(r.cells[col].text) for r in table.rows if col < len(r.cells) and r.cells[col].text.strip()]
        if len(cells) >= 2 and sum(1 for c in cells if c in titles) >= 0.8 * len(cells):
            return col
    return None


def _cell_commitments(columns: Columns, row: Row) -> list[str]:
    """An action cell that lists several commitments, each on its own line and each opening
    with an instruction ("Relaunch the toolkit ..." / "Train 600 more practitioners ..."):
    one action per line, sharing the row's lead and date. Empty when the cell holds one."""
    col = columns.roles.get("action")
    if col is None or col >= len(row.cells):
        return []
    lines = [clean_text(strip_bullet(line)) for line in row.cells[col].lines if line.strip()]
    if len(lines) < 2 or not all(
        line[:1].isupper() and starts_with_commitment_verb(line) and len(line.split()) >= 4 for line in lines
    ):
        return []
    return lines


def _top_row(table) -> tuple[str, ...]:
    """The table's header, or its first row's texts when the loader found no header."""
    return table.header or (tuple(c.text for c in table.rows[0].cells) if table.rows else ())


LOOKING_BACK = re.compile(r"\b(?:you|we)\s+said\b|\bwe\s+did\b|\blast\s+year\b", re.I)
CARD_TITLE = re.compile(r"^\s*(?:action|commitment|milestone|deliverable|task)\s*(?:no\.?\s*)?(?P<ref>[A-Z]{0,3}\d{1,2}(?:\.\d{1,2})*[a-z]?)?\s*:?\s*$", re.I)


def _from_card(block: Block) -> list[Action]:
    """A card that prints one commitment as label/value rows: "Action 1.1 | Recruit six
    coordinators", then "Lead | ...", "Due | ...", "Progress rating | ...". One action, its
    fields from the labels."""
    table = block.table
    first = _top_row(table)
    rows = table.rows if table.header else table.rows[1:]
    if len(first) != 2 or not CARD_TITLE.match(first[0] or "") or not (first[1] or "").strip() or not rows:
        return []
    details: dict[str, str] = {}
    labelled = 0
    for row in rows:
        if len(row.cells) != 2 or not row.cells[0].text.strip():
            continue
        roles = roles_from_header((row.cells[0].text.strip(),))
        if not roles:
            continue
        labelled += 1
        role = next(iter(roles))
        if role in ROLE_KEYS and role not in details:
            details[role] = row.cells[1].text.strip()
            if role == "status" and row.cells[1].fills:
                details["status_fills"] = ",".join(row.cells[1].fills)
    if labelled < max(1, len(rows) // 2):
        return []
    ref = CARD_TITLE.match(first[0]).group("ref")
    if ref:
        details.setdefault("ref", ref)
    text = clean_text(first[1])
    text = strip_we_will(text) if WE_WILL.match(text) else text
    row = table.rows[0]
    return [_action(text, block, row=row, details=details, source=" | ".join(t for t in first if t))]


def _from_date_columns(block: Block, columns: Columns) -> list[Action]:
    """A milestone grid whose columns are periods ("Priority | Autumn term 2025 | Spring term
    2026 | ..."): each instruction in a period's column is a commitment due then, under the
    row's priority."""
    header = block.table.header
    dated = [i for i, h in enumerate(header) if h and parse_deadline(h) is not None and re.search(r"\b(?:19|20)\d\d\b", h)]
    if len(dated) < 2:
        return []
    actions = []
    for row in block.table.rows:
        priority = columns.get(row, "priority") or (row.cells[0].text.strip() if 0 not in dated and row.cells else "")
        for i in dated:
            text = clean_text(row.cells[i].text) if i < len(row.cells) else ""
            if len(text.split()) >= 3 and starts_with_commitment_verb(text):
                details = {"timescale": header[i], **({"priority": priority} if priority else {})}
                actions.append(_action(text, block, row=row, details=details,
                                       source=" | ".join(c.text for c in row.cells if c.text)))
    return actions


def _sentences_in_cells(block: Block) -> list[Action]:
    """A table that is not a list of actions (questions and responses, a service comparison) may
    still say "We will ..." or "KCC officers will ..." in a cell: each such sentence is one."""
    actions = []
    for row in block.table.rows:
        for cell in row.cells:
            for _, _, sentence in commitment_sentences(cell.text):
                text = clean_text(strip_we_will(sentence))
                if not sentence.rstrip().endswith(":") and 3 <= len(text.split()) <= MAX_ITEM_WORDS:
                    actions.append(_action(text, block, row=row, source=sentence))
    return actions


def _from_paragraph(block: Block) -> list[Action]:
    actions = []
    for start, end, sentence in commitment_sentences(block.text):
        if sentence.rstrip().endswith(":"):
            continue  # a lead-in to a list, not a commitment of its own
        details = {}
        code = re.match(r"^(\S+)\s+", sentence)
        if code and LEADING_CODE.match(code.group(1)):
            details["ref"] = code.group(1)  # "PS2 The council will ...": the statement's own code
            sentence = sentence[code.end():]
        text = clean_text(strip_we_will(sentence))
        if 3 <= len(text.split()) <= MAX_ITEM_WORDS:
            actions.append(_action(text, block, details=details, source=sentence))
    return actions


def _key(text: str) -> str:
    return " ".join(normalise_quotes(text).lower().split())


def deduplicate(actions: list[Action], threshold: float) -> tuple[list[Action], list[Problem]]:
    """Keep one of each repeated commitment: identical text, or (garbled copies in one block,
    without the plan's own references) near-identical text."""
    kept: list[Action] = []
    dropped: list[Problem] = []
    for action in actions:
        key = _key(action.text)
        duplicate = None
        for k, other in enumerate(kept):
            if action.details.get("ref") and other.details.get("ref") and action.details["ref"] != other.details["ref"]:
                continue
            same_block = other.provenance.block_id == action.provenance.block_id
            if _key(other.text) == key or (
                same_block and min(len(key), len(_key(other.text))) > 20 and fuzz.ratio(key, _key(other.text)) >= threshold
            ):
                duplicate = k
                break
        if duplicate is None:
            kept.append(action)
            continue
        dropped.append(Problem(source="", stage="actions", reason="duplicate commitment", page=action.provenance.page, detail=action.text[:200]))
    return kept, dropped


def _names_a_priority(text: str, titles: list[str]) -> bool:
    key = _key(strip_we_will(clean_text(strip_bullet(text))))
    return any(key == t or (min(len(key), len(t)) > 15 and fuzz.ratio(key, strip_we_will(t)) >= 92) for t in titles)


LABEL = re.compile(
    r"(?P<label>lead(?:\s+officer)?|owner|responsible(?:\s+officer)?|led\s+by|target\s+date|deadline|timescale|"
    r"by\s+when|due(?:\s+date)?|status|rag(?:\s+rating)?)\s*:\s*",
    re.I,
)
LABEL_ROLE = {"lead": "owner", "owner": "owner", "responsible": "owner", "led": "owner", "target": "timescale",
              "deadline": "timescale", "timescale": "timescale", "by": "timescale", "due": "timescale",
              "status": "status", "rag": "status"}


def _labelled(block: Block) -> dict[str, str]:
    """Fields printed on the line after a commitment: "Lead: Head of Fostering Target date:
    March 2027" -> {"owner": "Head of Fostering", "timescale": "March 2027"}."""
    text = strip_bullet(block.text).strip() if block.kind == "list_item" else block.text.strip()
    if block.kind not in ("paragraph", "list_item") or not LABEL.match(text):
        return {}
    found = list(LABEL.finditer(text))
    fields = {}
    for k, match in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        role = LABEL_ROLE[match.group("label").split()[0].lower()]
        value = text[match.end():end].strip(" .;,")
        if value and role not in fields:
            fields[role] = value
    return fields


def _texts(row: Row) -> tuple[str, ...]:
    return tuple(c.text for c in row.cells if c.text)


def _join_split_tables(state: State) -> list[Block | None]:
    """Headerless tables that follow one another are one table cut by page breaks (empty trailing
    columns may be lost on some pages): join them, dropping a first row that repeats the first
    piece's first row (a repeated header), so that rows can be read together. The later pieces
    become None."""
    blocks: list[Block | None] = list(state.blocks)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block is None or block.kind != "table" or block.table is None or block.table.header:
            i += 1
            continue
        rows, pages, j = list(block.table.rows), list(block.table.pages), i + 1
        while j < len(blocks):
            nxt = blocks[j]
            if nxt is None or nxt.kind != "table" or nxt.table is None or nxt.table.header:
                break
            more = list(nxt.table.rows)
            if more and rows and _texts(more[0]) == _texts(rows[0]):
                more = more[1:]
            rows.extend(more)
            pages.extend(p for p in nxt.table.pages if p not in pages)
            blocks[j] = None
            j += 1
        if j > i + 1:
            blocks[i] = block.model_copy(update={"table": block.table.model_copy(update={"rows": tuple(rows), "pages": tuple(pages)})})
        i = j
    return blocks


@stage("actions", requires=("sections", "priorities"), assigns=("actions",))
def find_actions(state: State) -> dict:
    found: list[Action] = []
    noise: list[Problem] = []
    blocks = _join_split_tables(state)
    titles = [_key(p.title) for p in state.priorities]
    # Priorities written as lead-in sentences ("Raising awareness amongst schools ...:"): the
    # verb-led items after each are its commitments.
    priority_blocks = {p.provenance.block_id for p in state.priorities if p.provenance}
    for i, block in enumerate(blocks):
        if block is None:
            continue
        if block.kind != "table" and _names_a_priority(block.text, titles):
            continue  # the list of priorities ("1. We will help you feel safe") is not a commitment
        if state.sections[i].kind == "contents":
            continue
        section = state.sections[i]
        if block.kind == "list_item":
            if section.kind == "measure":
                continue
            if LABEL.match(strip_bullet(block.text).strip()):
                continue  # "Owner: EYT" under a commitment is one of its fields, read with it
            cue = blocks[section.cue] if section.cue is not None else None
            labels: dict[str, str] = {}
            j = i + 1
            while j < len(blocks) and blocks[j] is not None and (found_labels := _labelled(blocks[j])):
                labels = {**found_labels, **labels}  # "Owner: ..." then "Due: ..." on lines of their own
                j += 1
            under_priority = (section.heading is not None and priority_heading_pattern().match(state.blocks[section.heading].text)) or (
                cue is not None and cue.kind == "paragraph" and cue.id in priority_blocks)
            item = strip_bullet(block.text)
            verb_first = starts_with_commitment_verb(item)
            # A lower-case instruction ("deliver the Towns Fund programme") carries on an
            # implied "we will"; a capitalised one needs a cue, a label line or a priority heading.
            implied = verb_first and item[:1].islower() and len(item.split()) >= 4 and (cue is None or section.kind == "action")
            if (
                WE_WILL.match(block.text)
                or (section.kind == "action" and _commitment_item(block, cue))
                or (verb_first and (labels or under_priority))
                or implied
            ):
                found.extend(a.model_copy(update={"details": {**a.details, **labels}}) for a in _from_list_item(block))
        elif block.kind == "table":
            found.extend(_from_table(block, state, section.kind, noise))
        elif block.kind in ("heading", "paragraph"):
            cue = blocks[section.cue] if section.cue is not None else None
            is_cue = is_action_cue(block.text) or is_measure_cue(block.text) or is_lead_in(block.text)
            if section.kind == "action" and cue is not None and cue.kind == "heading" and not is_cue and section.cue != i:
                found.extend(_from_short_block(block))
            elif block.kind == "paragraph":
                found.extend(_from_paragraph(block))
    kept, dropped = deduplicate(found, state.settings.duplicate_threshold)
    problems = tuple(p.model_copy(update={"source": state.doc.source}) for p in noise + dropped)
    return {"actions": tuple(kept), "problems": state.problems + problems}
