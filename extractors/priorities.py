"""Priorities: the themes, outcomes or objectives a plan is organised by.

Found, in order of preference, as:

1. numbered priority headings ("Priority 2 – Children have a healthy childhood", "PRIORITY 1 –
   ..."), in running text or as a row of table cells, with numbered sub-objectives ("2.1 – ...")
   as level 2;
2. a numbered list introduced by a line that names what it lists ("... focusing on four themes:");
3. when nothing is numbered, the headings under which the plan lists its commitments, numbered
   in order of appearance.

The stage also records `anchors`: which blocks sit in which level-1 priority's section, either
because they follow its heading or because their heading names it ("Putting children at the
heart of everything we do" names theme 1 "Children at the heart of everything we do").
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from extractors.cleaners import clean_text, sentence_case, strip_bullet
from extractors.patterns import cues, priority_heading_pattern
from extractors.registry import stage
from extractors.state import State
from extractors.tables import roles_from_header, sub_objective
from extractors.text_cues import alpha_words, is_action_cue, is_measure_cue, starts_with_commitment_verb
from schemas.document import Cell, Row
from schemas.records import Priority, Provenance

NUMBER_MARKER = re.compile(r"^\(?(\d{1,2})[.)]?$")
CONTENTS_LINE = re.compile(r"(?:\.{3,}|…+|(?:\.\s){2,}|\s\.)\s*\d{1,4}\s*$")


def _provenance(block, text: str) -> Provenance:
    return Provenance(page=block.page, block_id=block.id, span=block.span, bbox=block.bbox, source_text=text)


def _title(text: str) -> str:
    """A priority's title as printed, without list glyphs or a trailing "~ note".

    >>> _title("Give children the best start in life ~ CYPE input")
    'Give children the best start in life'
    """
    text = clean_text(strip_bullet(text)).split(" ~")[0].split("~ ")[0]
    return sentence_case(text.strip(" –—-:.~")).strip()


def _name(text: str) -> str:
    """A listed priority's name: the words before a dash when a long description follows it.

    >>> _name("Tackling disadvantage – needs of children and families who may require longer term and specialist support.")
    'Tackling disadvantage'
    >>> _name("Early identification and support – children's needs are identified early")
    "Early identification and support – children's needs are identified early"
    """
    parts = re.split(r"\s+[–—-]\s+", text, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) <= 8 and len(parts[1].split()) >= 12:
        return parts[0]
    return text


def heading_names(heading: str, title: str, threshold: float) -> bool:
    """True when a section heading names a listed priority (allowing a word or two more)."""
    a, b = heading.lower(), title.lower()
    if a.strip(" :.") == b.strip(" :."):
        return True  # the priority's own title, however short ("Relationships")
    short = min(len(a.split()), len(b.split()))
    if short < 3 or max(len(a), len(b)) > 2.2 * min(len(a), len(b)):
        return False
    return fuzz.token_set_ratio(a, b) >= threshold


SPELLED = {w: str(n) for n, w in enumerate("one two three four five six seven eight nine ten".split(), start=1)}


def number_as_digits(printed: str) -> str:
    """A priority number as printed, with spelled-out numbers as digits ("Priority One" -> "1")."""
    return SPELLED.get(printed.lower(), printed)


SUB_PRIORITY = re.compile(r"^(?P<number>\d{1,2}[a-z])[.):]?\s+(?P<title>[A-Z‘“'\"].{3,})$")
# "A1 Neglect is recognised early" under priority "A".
LETTER_SUB = re.compile(r"^(?P<number>(?P<parent>[A-H])\d{1,2})[.):]?\s+(?P<title>[A-Z‘“'\"].{3,})$")
LIST_NUMBER = re.compile(r"^\(?(?P<number>\d{1,2})[.)]\s+(?P<title>\S.*)$")


def _cell_priority(cell: Cell) -> tuple[str, str] | None:
    """(number, title) of a table cell that names a priority: "Priority 2 – Healthy childhood",
    or "Ambition 1" with the title on the cell's next line."""
    pattern = priority_heading_pattern()
    first = cell.lines[0] if cell.lines else cell.text
    match = pattern.match(first)
    if not match:
        return None
    title = match.group("title")
    if not title.strip() and len(cell.lines) > 1:
        title = cell.lines[1]
    if alpha_words(title) < 2:
        return None
    return number_as_digits(match.group("number")), _title(title)


def _priority_list_table(table) -> list[tuple[str, str, str]]:
    """A table whose first column is headed as the priorities ("Priority area | What this
    means") and that holds no commitments: each row names one priority."""
    if not table.header or not table.header[0]:
        return []
    roles = roles_from_header(table.header)
    if roles.get("priority") != 0 or "action" in roles:
        return []
    if re.fullmatch(r"\s*areas?\s*", table.header[0], re.I):
        return []  # "Area | Champions | Contact": an "Area" column links actions, it lists no priorities
    out = []
    for k, row in enumerate(table.rows, start=1):
        text = row.cells[0].text if row.cells else ""
        match = LIST_NUMBER.match(text)
        number, title = (match.group("number"), match.group("title")) if match else (str(k), text)
        if alpha_words(title) >= 2:
            out.append((number, _title(title), text))
    return out


LABELLED_SUB = re.compile(r"^\s*(?P<label>(?:[A-Za-z]+\s+){1,2})(?P<number>(?P<parent>\d{1,2})\.\d{1,2})\s*[:–—-]\s*(?P<title>\S.*)$")


def _sub_priorities(state: State, found: dict[str, Priority]) -> None:
    """Sub-priorities numbered "1a", "2b" under a level-1 priority "1", "2", in headings, list
    items or the lines of table cells; and labelled ones, "Objective 1.2 – ...", under "1"."""
    for block in state.blocks:
        labelled = LABELLED_SUB.match(block.text) if block.kind in ("heading", "paragraph") else None
        if labelled and not set(labelled.group("label").lower().split()) & set(cues().priority_nouns):
            labelled = None  # "Version 3.2 – ..." is not a sub-priority
        if labelled and labelled.group("parent") in found and labelled.group("number") not in found and len(block.text.split()) <= 25:
            number, parent = labelled.group("number"), labelled.group("parent")
            found[number] = Priority(number=number, level=2, title=_title(labelled.group("title")), parent=parent,
                                     provenance=_provenance(block, block.text))
            continue
        texts = [block.text]
        if block.kind == "table" and block.table is not None:
            texts = [line for row in block.table.rows for cell in row.cells for line in (cell.lines or (cell.text,))]
        for text in texts:
            match = SUB_PRIORITY.match(clean_text(text)) or LETTER_SUB.match(clean_text(text))
            if not match or len(text.split()) > 20:
                continue
            number = match.group("number")
            parent = match.groupdict().get("parent") or number[:-1]
            if number not in found and parent in found and found[parent].level == 1:
                found[number] = Priority(number=number, level=2, title=_title(match.group("title")), parent=parent,
                                         provenance=_provenance(block, text))


def _with_titles_below(row: Row, below: Row | None) -> Row:
    """A row of bare "Priority 1 | Priority 2" cells takes its titles from the row beneath."""
    pattern = priority_heading_pattern()
    if below is None:
        return row
    bare = [c for c in row.cells if c.text and (m := pattern.match(c.text)) and not m.group("title").strip()]
    if len(bare) < 2 or len(bare) != len([c for c in row.cells if c.text]):
        return row
    cells = []
    for k, cell in enumerate(row.cells):
        title = below.cells[k].text if k < len(below.cells) else ""
        text = f"{cell.text} {title}".strip() if cell.text else cell.text
        cells.append(Cell(text=text, lines=(text,) if text else ()))
    return Row(cells=tuple(cells), page=row.page)


def _numbered(state: State) -> tuple[dict[str, Priority], dict[str, int]]:
    """Numbered priority headings and sub-objectives; returns priorities and their block index."""
    found: dict[str, Priority] = {}
    where: dict[str, int] = {}
    pattern = priority_heading_pattern()
    blocks = state.blocks
    for i, block in enumerate(blocks):
        if block.kind in ("heading", "paragraph", "list_item"):
            match = pattern.match(block.text)
            if not match or CONTENTS_LINE.search(block.text) or state.sections[i].kind == "contents":
                continue  # a contents line names a priority; the section itself defines it
            number, title = number_as_digits(match.group("number")), match.group("title")
            if not title.strip() and i + 1 < len(blocks) and blocks[i + 1].kind in ("heading", "paragraph"):
                if alpha_words(blocks[i + 1].text) <= 30:
                    title = blocks[i + 1].text
            title = _title(title)
            if alpha_words(title) >= 2 and number not in found:
                found[number] = Priority(number=number, level=1, title=title, provenance=_provenance(block, block.text))
                where[number] = i
        elif block.kind == "table" and block.table is not None:
            header = Row(cells=tuple(Cell(text=h, lines=(h,)) for h in block.table.header))
            rows = (header, *block.table.rows)
            for k, row in enumerate(rows):
                row = _with_titles_below(row, rows[k + 1] if k + 1 < len(rows) else None)
                named = [(c, _cell_priority(c)) for c in row.cells if c.text]
                named = [(c, n) for c, n in named if n]
                filled = [c for c in row.cells if c.text.strip()]
                # A row of priority boxes, or one cell spanning the table ("Priority 1: Early ...").
                if len(named) >= 2 or (len(filled) == 1 and len(named) == 1):
                    for cell, (number, title) in named:
                        if number not in found:
                            found[number] = Priority(number=number, level=1, title=title, provenance=_provenance(block, cell.text))
                            where[number] = i
                sub = sub_objective(row)
                if sub and sub[0] not in found and sub[0].split(".")[0] in found:
                    number, title = sub
                    parent = number.split(".")[0]
                    prov = Provenance(page=row.page, block_id=block.id, span=row.span, bbox=row.bbox, source_text=row.cells[0].text)
                    found[number] = Priority(number=number, level=2, title=_title(title), parent=parent, provenance=prov)
    if _fragment(found):
        found, where = {}, {}  # not the document's own set: look for one the other ways
    if not any(p.level == 1 for p in found.values()):
        # A table that lists the priorities, only when no heading defines them.
        for i, block in enumerate(blocks):
            if block.kind == "table" and block.table is not None and not any(p.level == 1 for p in found.values()):
                for number, title, text in _priority_list_table(block.table):
                    found[number] = Priority(number=number, level=1, title=title, provenance=_provenance(block, text))
                    where[number] = i
    if _fragment(found):
        found, where = {}, {}  # a contents table read as a list of priorities, missing its first
    if not any(p.level == 1 for p in found.values()):
        for number, index, title in _code_series(state) or _counted_headings(state) or _bold_led(state) or _table_groups(state) or _lead_in_groups(state):
            found[number] = Priority(number=number, level=1, title=title, provenance=_provenance(blocks[index], blocks[index].text))
            where[number] = index
    if found:
        _sub_priorities(state, found)
    return _nest(found), where


def _bold_led(state: State) -> list[tuple[str, int, str]]:
    """Priorities printed as paragraphs that open with a bold name ("**The best start in life**
    – every child ..."), two or more in a row after a line that names priorities."""
    blocks = state.blocks
    plurals = {n for n in cues().priority_nouns if n.endswith("s")}
    for i, block in enumerate(blocks):
        if block.bold or block.kind not in ("heading", "paragraph"):
            continue
        if not set(re.findall(r"[a-z]+", block.text.lower())) & plurals:
            continue  # the announcing line names them: "Our priorities", "five priorities"
        run, gap = [], 0
        for j in range(i + 1, len(blocks)):
            if blocks[j].bold and blocks[j].kind in ("paragraph", "list_item") and re.search(r"\s[–—-]\s|:\s", blocks[j].text):
                run.append(j)  # "**Name** – what it means": a bold name, then its description
            elif run or blocks[j].kind != "paragraph" or gap >= 1:
                break
            else:
                gap += 1  # one introductory paragraph may stand between
        if len(run) >= 2:
            return [(str(k), j, _title(re.split(r"\s+[–—-]\s+", blocks[j].text)[0])) for k, j in enumerate(run, start=1)]
    return []


def _table_groups(state: State) -> list[tuple[str, int, str]]:
    """Priorities named in a commitment table's priority/theme column ("1. Leadership and
    management", printed on the first of its rows), or cells of a headerless grid of numbered
    boxes ("1. A safe home" above "We will: ...")."""
    out: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    for i, block in enumerate(state.blocks):
        if block.kind != "table" or block.table is None:
            continue
        roles = roles_from_header(block.table.header) if block.table.header else {}
        in_column = "priority" in roles
        # In a column headed as the priorities, a one-word name ("5. Workforce") is enough.
        least = 1 if in_column else 2
        for row in block.table.rows:
            cells = [row.cells[roles["priority"]]] if in_column and roles["priority"] < len(row.cells) else (
                row.cells if not block.table.header else [])
            for cell in cells:
                first = (cell.lines[0] if cell.lines else cell.text).strip()
                match = LIST_NUMBER.match(first)
                if match and match.group("number") not in seen and alpha_words(match.group("title")) >= least:
                    seen.add(match.group("number"))
                    out.append((match.group("number"), i, _title(match.group("title"))))
    if len(out) < 2 or _missing_first([n for n, _, _ in out]):
        out = []  # a contents table ("2. How healthy are ... | 2"), missing its one-word first entry
    return out or _numbered_boxes(state)


# A large numeral printed beside its title in a box: "1Child First in everything we do".
BOX_NUMBER = re.compile(r"^(?P<number>\d{1,2})\s*(?P<title>[A-Z‘“'\"][^\d].*)$")


def _numbered_boxes(state: State) -> list[tuple[str, int, str]]:
    """A headerless grid of boxes, each opening with its number ("1", "2", ... through n) and
    a title, the number printed large beside it: the priorities on a page."""
    for i, block in enumerate(state.blocks):
        if block.kind != "table" or block.table is None or block.table.header:
            continue
        cells = [c for row in block.table.rows for c in row.cells if c.text.strip()]
        if len(cells) < 2:
            continue
        boxes = []
        for cell in cells:
            lines = [line.strip() for line in (cell.lines or (cell.text,)) if line.strip()]
            glued = BOX_NUMBER.match(lines[0])
            if glued:
                boxes.append((glued.group("number"), glued.group("title")))
            elif re.fullmatch(r"[A-H]|\d{1,2}", lines[0]) and len(lines) > 1:
                boxes.append((lines[0], lines[1]))  # "A" printed large above "Every child has ..."
            else:
                break
        else:
            numbers = [n for n, _ in boxes]
            expected = ([str(k) for k in range(1, len(boxes) + 1)] if numbers[0].isdigit()
                        else [chr(ord("A") + k) for k in range(len(boxes))])
            if sorted(numbers, key=lambda n: (len(n), n)) == expected:
                return [(n, i, _title(t)) for n, t in sorted(boxes, key=lambda b: (len(b[0]), b[0])) if alpha_words(t) >= 1]
    return []


def _lead_in_groups(state: State) -> list[tuple[str, int, str]]:
    """Under a line that names priorities ("Strategic Aims:", "Our priorities"), each aim
    written as a lead-in sentence ending in ":" with its own list of commitments below it
    ("Raising awareness amongst schools ...:" + "• Work with headteachers ..."): two or more."""
    nouns = set(cues().priority_nouns)
    blocks = state.blocks
    for i, block in enumerate(blocks):
        if block.kind not in ("heading", "paragraph") or len(block.text.split()) > 8:
            continue
        if not set(re.findall(r"[a-z]+", block.text.lower())) & nouns or priority_heading_pattern().match(block.text):
            continue
        out: list[tuple[str, int, str]] = []
        j = i + 1
        while j < len(blocks) and blocks[j].kind != "heading":
            lead = blocks[j]
            items = []
            k = j + 1
            while k < len(blocks) and blocks[k].kind == "list_item":
                items.append(blocks[k])
                k += 1
            if lead.kind == "paragraph" and lead.text.rstrip().endswith(":") and len(lead.text.split()) <= 40 and items:
                verbs = sum(1 for b in items if starts_with_commitment_verb(strip_bullet(b.text)))
                if 2 * verbs >= len(items):
                    out.append((str(len(out) + 1), j, _title(lead.text)))
            j = max(k, j + 1)
        if len(out) >= 2:
            return out
    return []


COUNT_WORDS = {w: n for n, w in enumerate("two three four five six seven eight nine ten".split(), start=2)}
COUNTED = re.compile(r"\b(?P<count>two|three|four|five|six|seven|eight|nine|ten|[2-9])\s+(?:\w+\s+){0,2}?"
                     r"(?:priorities|themes|outcomes|objectives|ambitions|aims|goals|pledges|promises|strands|pillars)\b", re.I)


def _counted_headings(state: State) -> list[tuple[str, int, str]]:
    """Unnumbered priorities announced with their count ("Our four strategic priorities"): the
    next that many headings, with at most a few paragraphs, lists or tables between them."""
    blocks = state.blocks
    for i, block in enumerate(blocks):
        if block.kind not in ("heading", "paragraph") or len(block.text.split()) > 30:
            continue
        match = COUNTED.search(block.text)
        if not match:
            continue
        count = COUNT_WORDS.get(match.group("count").lower()) or int(match.group("count"))
        found, gap = [], 0
        for j in range(i + 1, len(blocks)):
            if blocks[j].kind == "list_item" and not found:
                break  # a list of them: read as a list (see _listed)
            if blocks[j].kind == "heading" and alpha_words(blocks[j].text) >= 1 and not (
                is_action_cue(blocks[j].text) or is_measure_cue(blocks[j].text)
            ):
                found.append(j)
                gap = 0
                if len(found) == count:
                    break
            elif blocks[j].kind in ("paragraph", "list_item", "table") and gap < 3:
                gap += 1  # a section's own text, list or table ("What we will do | How we will know")
            else:
                break
        if len(found) == count:
            return [(str(k), j, _title(blocks[j].text)) for k, j in enumerate(found, start=1)]
    return []


CODE_HEADING = re.compile(r"^(?P<number>(?P<prefix>[A-Z]{1,3})(?P<digits>\d{1,2}))(?:\s*[:.–—-]\s*|\s+|$)(?P<title>.*)$")
NOT_SERIES = {"Q", "FY", "KS", "NI", "H", "Y", "PA", "A", "B"}


def _code_series(state: State) -> list[tuple[str, int, str]]:
    """Priorities labelled by a code series ("P1: Safe homes", "CI1 – More local homes", a card
    printing "P3" above its title): two or more headings whose codes share a prefix."""
    blocks = state.blocks
    series: dict[str, list[tuple[str, int, str]]] = {}
    for i, block in enumerate(blocks):
        if block.kind not in ("heading", "paragraph") or CONTENTS_LINE.search(block.text):
            continue
        match = CODE_HEADING.match(block.text.strip())
        if not match or match.group("prefix") in NOT_SERIES or len(block.text.split()) > 25:
            continue
        title = match.group("title").strip()
        if not title and i + 1 < len(blocks) and blocks[i + 1].kind in ("heading", "paragraph"):
            title = blocks[i + 1].text if alpha_words(blocks[i + 1].text) <= 25 else ""
        if alpha_words(title) >= 2:
            series.setdefault(match.group("prefix"), []).append((match.group("number"), i, _title(title)))
    best = max(series.values(), key=len, default=[])
    numbers = {n for n, _, _ in best}
    if len(numbers) < 2:
        return []
    seen, out = set(), []
    for number, index, title in best:
        if number not in seen:
            seen.add(number)
            out.append((number, index, title))
    return out


def _nest(found: dict[str, Priority]) -> dict[str, Priority]:
    """Sub-priorities numbered under a priority ("Outcome A1" under "Theme A", "SO1a" under
    "SO1") become level 2 with that parent."""
    nested = {}
    for number, priority in found.items():
        parent = next((n for n in sorted(found, key=len, reverse=True)
                       if n != number and number.startswith(n) and found[n].level == 1 and len(number) > len(n)), None)
        if priority.level == 1 and parent is not None:
            priority = priority.model_copy(update={"level": 2, "parent": parent})
        nested[number] = priority
    return nested


def _section_end(blocks, start: int) -> int:
    """Where the last priority's section ends: at the next heading as large as its own when the
    loader knows heading sizes (PDF, Word, HTML), else at the end of the document."""
    level = blocks[start].level if blocks[start].kind == "heading" else None
    if level is None:
        return len(blocks)
    for i in range(start + 1, len(blocks)):
        if blocks[i].kind == "heading" and blocks[i].level is not None and blocks[i].level <= level:
            return i
    return len(blocks)


def _listed(state: State) -> dict[str, Priority]:
    """A numbered list introduced by a lead-in that names priorities/themes/outcomes."""
    nouns = set(cues().priority_nouns)
    blocks = state.blocks
    found: dict[str, Priority] = {}
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "list_item" and block.marker and NUMBER_MARKER.match(block.marker):
            run = []
            j = i
            while j < len(blocks) and blocks[j].kind == "list_item" and blocks[j].marker and NUMBER_MARKER.match(blocks[j].marker):
                run.append(blocks[j])
                j += 1
            # The sentence that introduces the list names what its items are.
            lead = re.split(r"(?<=[.!?])\s+", blocks[i - 1].text.strip())[-1] if i > 0 else ""
            lead_words = set(re.findall(r"[a-z]+", lead.lower()))
            restated = _restated_names(blocks, run, j)
            if len(run) >= 2 and not found and ((lead_words & nouns and not is_measure_cue(lead)) or restated):
                for item, name in zip(run, restated or [_name(item.text) for item in run]):
                    number = NUMBER_MARKER.match(item.marker).group(1)
                    found[number] = Priority(number=number, level=1, title=_title(name), provenance=_provenance(item, item.text))
            i = j
            continue
        i += 1
    return found


def _restated_names(blocks, run, after: int) -> list[str]:
    """The names of a numbered list's items ("Healthy – children are as healthy as they can be")
    when later headings restate most of them ("Healthy"): the list announced the document's
    sections, whatever its lead-in calls them. Empty otherwise."""
    names = [re.split(r"\s+[–—-]\s+|:\s", clean_text(strip_bullet(item.text)), maxsplit=1)[0].strip(" .") for item in run]
    headings = {clean_text(b.text).strip(" .:").lower() for b in blocks[after:] if b.kind == "heading"}
    restated = sum(1 for n in names if n.lower() in headings)
    return names if restated >= 2 and 2 * restated >= len(names) else []


def _section_headings(state: State) -> list[int]:
    """Indices of the headings under which the document lists commitments, in order."""
    headings: list[int] = []
    for i, (block, section) in enumerate(zip(state.blocks, state.sections)):
        if section.kind != "action" or section.heading is None:
            continue
        if block.kind not in ("list_item", "table"):
            continue
        heading = state.blocks[section.heading]
        if is_action_cue(heading.text) or is_measure_cue(heading.text):
            continue
        if section.heading not in headings:
            headings.append(section.heading)
    return headings


def _anchors_by_order(blocks, where: dict[str, int]) -> dict[int, str]:
    """Each priority heading opens a section that runs to the next one. Priorities printed one
    after another (a summary grid) open none."""
    order = sorted(where.items(), key=lambda kv: kv[1])
    gaps = [b - a for (_, a), (_, b) in zip(order, order[1:])]
    if gaps and max(gaps) <= 2:
        return {}
    anchors: dict[int, str] = {}
    for k, (number, start) in enumerate(order):
        end = order[k + 1][1] if k + 1 < len(order) else _section_end(blocks, start)
        for i in range(start, end):
            anchors[i] = number
    return anchors


def _anchors_by_naming(state: State, found: dict[str, Priority], where: dict[str, int]) -> dict[int, str]:
    """Sections opened by a line that restates a priority ("Priority 1: A safe home" again, later
    in the plan) or names a listed one ("Putting children at the heart of everything we do"
    names "Children at the heart of everything we do"), until a heading that names none. The
    defining blocks themselves do not count."""
    level1 = {n: p for n, p in found.items() if p.level == 1}
    pattern = priority_heading_pattern()
    first_definitions = set(where.values())
    defining = first_definitions | {
        i for i, b in enumerate(state.blocks) if b.kind == "list_item" and not pattern.match(b.text)
    }
    parent_of = {n: p.parent for n, p in found.items() if p.parent}
    threshold = state.settings.heading_match_threshold
    anchors: dict[int, str] = {}
    current = None
    for i, block in enumerate(state.blocks):
        if CONTENTS_LINE.search(block.text):
            continue
        if i in first_definitions:
            current = None  # a priority's own heading opens its section (by order)
        if block.kind in ("heading", "paragraph", "list_item") and i not in defining and len(block.text.split()) <= 25:
            restated = pattern.match(block.text)
            number = number_as_digits(restated.group("number")) if restated else None
            number = parent_of.get(number, number)
            named = number if number in level1 else next(
                (n for n, p in level1.items() if heading_names(block.text, p.title, threshold)), None)
            if named:
                current = named
            elif block.kind == "heading" and alpha_words(block.text) >= 3 and not (
                is_action_cue(block.text) or is_measure_cue(block.text)
            ) and state.sections[i].cue is None:
                current = None
        if current:
            anchors[i] = current
    return anchors


def _fragment(found: dict[str, Priority]) -> bool:
    """Two or more numbered priorities without a first ("Key theme 4", "Key theme 5" among
    unnumbered interview themes): not the document's own set. (One alone may be a plan's only
    priority heading in an extract.)"""
    return _missing_first([p.number for p in found.values() if p.level == 1])


def _missing_first(numbers: list[str]) -> bool:
    """Two or more plain numbers, none of them 1."""
    return len(numbers) >= 2 and all(n.isdigit() for n in numbers) and "1" not in numbers


@stage("priorities", requires=("sections",), assigns=("priorities", "anchors"))
def find_priorities(state: State) -> dict:
    found, where = _numbered(state)
    where = {n: i for n, i in where.items() if found[n].level == 1}
    anchors: dict[int, str] = {}
    if any(p.level == 1 for p in found.values()):
        anchors = _anchors_by_order(state.blocks, where)
    elif listed := _listed(state):
        found = listed
    elif len(headings := _section_headings(state)) >= 2:
        # Nothing numbered: the headings the plan lists its commitments under, in order.
        numbers = {index: str(k) for k, index in enumerate(headings, start=1)}
        for index, number in numbers.items():
            block = state.blocks[index]
            found[number] = Priority(number=number, level=1, title=_title(block.text), provenance=_provenance(block, block.text))
        anchors = {i: numbers[s.heading] for i, s in enumerate(state.sections) if s.heading in numbers}
    # Restated and named sections take precedence over the order of first definitions.
    anchors.update(_anchors_by_naming(state, found, where))
    return {"priorities": tuple(found.values()), "anchors": anchors}
