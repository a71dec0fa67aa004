"""Measures: the indicators a plan says it will track, with baseline values and as-at dates.

From list items under a measures heading ("Measures of Success") and from KPI tables (a header
naming a measure or indicator column, with value/outturn/baseline and target columns). A value
cell's date note ("As at 31/07/2024", "(August 2024)", "(2023/24)") becomes `as_at` and is
removed from the value; a value with no digits ("Data being sourced") is no value.
"""

from __future__ import annotations

import datetime as dt
import re

from extractors.cleaners import clean_text, strip_bullet
from extractors.deadlines import find_deadlines, parse_deadline
from extractors.patterns import column_patterns
from extractors.registry import stage
from extractors.state import State
from extractors.status import status_of
from extractors.tables import columns_for
from schemas.document import Block, Row, Table
from schemas.records import Measure, Provenance

FROM_TO = re.compile(
    r"\bfrom\s+(?P<value>[\d.,]+\s*%?)\s+(?:in\s+\S+\s+)?to\s+(?P<target>(?:at least|no more than|below|above|under|over|less than|more than)?\s*[\d.,]+\s*%?)",
    re.I,
)
TARGET_ONLY = re.compile(
    r"\b(?:to|at|reach|of)\s+(?P<target>(?:at least|no more than|below|above|under|over|less than|more than)\s+[\d.,]+\s*%?)", re.I
)
LEADING_BY = re.compile(r"^\s*by\s+(?P<date>[^,]+),", re.I)
AS_AT_BEFORE = re.compile(r"(?:\bas\s+(?:at|of)|\bat|\bposition|\b(?:year|quarter|period|12\s+months)\s+(?:to|ending))\s*:?\s*$", re.I)


def split_note(text: str):
    """Split a value cell into (value, as_at date) using its date note.

    >>> split_note("868 (66.9% of cohort) As at 31/07/2024")
    ('868 (66.9% of cohort)', datetime.date(2024, 7, 31))
    """
    as_at = None
    value = text
    for start, end, deadline in find_deadlines(text):
        before = text[:start]
        after = text[end:]
        # Inside a parenthetical note: "(August 2024)", "(2025 survey)".
        opening, closing = before.rfind("("), after.find(")")
        in_parens = opening > before.rfind(")") and closing >= 0 and "(" not in after[:closing]
        note = AS_AT_BEFORE.search(before)
        if not (in_parens or note or len(text.strip()) == end - start):
            continue
        as_at = as_at or deadline.end
        cut_start = note.start() if note else opening if in_parens else start
        cut_end = end + (closing + 1 if in_parens else 0)
        value = value.replace(text[cut_start:cut_end], " ")
    value = " ".join(value.split()).strip(" ,;:-–")
    return (value if re.search(r"\d", value) else None), as_at


BRACKETED = re.compile(r"\s*\((?P<inside>[^()]*\d[^()]*)\)\s*\.?$")
TARGET_WORD = re.compile(r"^\s*(?:target|ambition|aim)\b\s*:?\s*", re.I)


def split_bracketed_figures(text: str) -> tuple[str, dict]:
    """A measure printed with its figures in brackets at the end.

    >>> split_bracketed_figures("Fewer placement moves (2024/25: 9.1%; target below 8%)")
    ('Fewer placement moves', {'as_at': datetime.date(2025, 3, 31), 'value': '9.1%', 'target': 'below 8%'})
    """
    match = BRACKETED.search(text)
    inside = match.group("inside") if match else ""
    # Figures, not part of the name: "(2024/25: 9.1%; target 8%)", "(64%)"; not "(in 24 hours)".
    if not match or not (":" in inside or ";" in inside or TARGET_WORD.search(inside) or re.match(r"\s*[\d£]", inside)):
        return text, {}
    fields: dict = {}
    for part in re.split(r"\s*;\s*", match.group("inside")):
        if TARGET_WORD.match(part):
            target = TARGET_WORD.sub("", part)
            hits = find_deadlines(target)
            for start, end, deadline in hits:
                if deadline.end and target[:start].strip():
                    fields["target_date"] = deadline.end
                    target = target[:start].strip()
                    break
            fields["target"] = target.strip(" ,")
        elif ":" in part:
            when, value = part.split(":", 1)
            deadline = parse_deadline(when.strip())
            if deadline and deadline.end:
                fields["as_at"] = deadline.end
            fields["value"] = value.strip()
        elif re.search(r"\d", part) and "value" not in fields:
            fields["value"] = part.strip()
    if not fields.get("value") and not fields.get("target"):
        return text, {}
    return text[: match.start()].strip(), fields


_FIGURE = r"£?\d[\d.,]*\s*(?:%|per\s*cent|k|m|bn)?"
_BOUND = r"(?:at\s+least|no\s+more\s+than|below|above|under|over|less\s+than|more\s+than|fewer\s+than)\s+"
LABELLED_VALUE = re.compile(
    rf"\b(?:now|current(?:ly)?|baseline|latest|actual|outturn|today)\b\s*[:=–-]?\s*(?P<value>{_FIGURE})"
    r"(?:\s*\((?P<as_at>[^()]{2,30})\))?", re.I)
LABELLED_TARGET = re.compile(
    rf"\b(?:aim|target|ambition|goal)\b\s*[:=–-]?\s*(?P<target>(?:{_BOUND})?{_FIGURE})"
    r"(?:\s+(?:by|in)\s+(?P<date>(?:the\s+end\s+of\s+)?[A-Za-z]*\s*\d{4}(?:[/-]\d{2,4})?))?", re.I)
# What a measure written as a sentence is called: the words before a change ("The number of
# affordable homes completed each year will have increased from 312 ...", "Long-term empty homes
# will have fallen ...") or before labelled figures ("Households in fuel poverty – Now: 11.2% ...").
_CHANGE_VERB = (r"(?:increas|decreas|fall|fell|fallen|ris|rose|risen|improv|reduc|grow|grew|grown|drop|declin|"
                r"halv|doubl|remain|stay|narrow|widen|go\s+(?:up|down)|gone\s+(?:up|down))\w*")
MEASURE_SUBJECT = re.compile(
    r"^(?:(?:by|in|from|over)\s+(?:[^,]{2,40},|(?:the\s+end\s+of\s+)?[A-Za-z]*\s*\d{4}(?:/\d{2,4})?)\s*)?(?P<name>[A-Z%][^.;:?!]{3,160}?)\s+"
    r"(?:will\s+(?:have\s+)?|would\s+|should\s+(?:have\s+)?|has\s+|have\s+|had\s+|is\s+|are\s+|was\s+|were\s+|to\s+)?"
    r"(?:been\s+|be\s+|also\s+|further\s+|significantly\s+|steadily\s+)*" + _CHANGE_VERB + r"\b(?P<rest>.*)$", re.I | re.S)
MEASURE_LABELLED = re.compile(
    r"^(?P<name>[A-Z%][^:–—]{3,160}?)\s*(?:[–—:]|\s-\s)\s*(?P<rest>(?:now|current|baseline|latest|actual|outturn|target|aim)\b.*)$",
    re.I | re.S)

# A statistic stated figure first, as infographics and "at a glance" pages print them: "9.6% of
# mothers are smokers at the time of delivery (2014/15)", "282.3 per 10,000 Children assessed to be
# in need of services (2014/15)". The figure is the value, the bracketed period its date.
STAT_FIGURE = (r"[£$€]?\d[\d.,]*\s*(?:%|per\s*cent|k\b|m\b|bn\b)?(?:\s*\([^()]{1,12}\))?"
               r"(?:\s+per\s+[\d,.]+(?:\s+[a-z]+)?)?")
STAT_STATEMENT = re.compile(
    rf"^(?P<value>{STAT_FIGURE})\s+(?P<of>of\s+(?:all\s+)?(?:the\s+)?)?(?P<name>[A-Za-z%\"“][^;!?]{{3,240}}?)\s*\.?$")
TRAILING_BRACKET = re.compile(r"\s*\((?P<inside>[^()]*)\)\s*\.?\s*$")


def stat_statement(text: str) -> tuple[str, dict] | None:
    """The name and figures of a statistic stated figure first, or None.

    >>> stat_statement("9.6% of mothers are smokers at the time of delivery (2014/15).")
    ('mothers are smokers at the time of delivery', {'value': '9.6%', 'as_at': datetime.date(2015, 3, 31)})
    >>> stat_statement("3.4 per 1,000 births Rate of deaths in infants aged under 1 (2012 -2014)")[1]["value"]
    '3.4 per 1,000 births'
    >>> stat_statement("2 new family hubs will open by 2026") is None
    True
    >>> stat_statement("12 months from the date of adoption") is None
    True
    """
    text = " ".join(text.split())
    match = STAT_STATEMENT.match(text)
    if not match or len(text.split()) > 45 or re.search(r"(?i)\b(?:will|shall|we|our)\b", text):
        return None
    name, fields = match.group("name").strip(), {"value": match.group("value").strip()}
    # A bare count ("5 Year Housing Land Supply", "1,200 people benefitting from ...") is a
    # statistic only when it is dated ("192,900 people aged 65+ living in the county in 2017").
    bare = not match.group("of") and not re.search(r"[%(.£$€]|per", fields["value"])
    if re.match(r"(?i)(?:fewer|more|less|additional|extra|new)\b", name):
        return None  # "1,700 fewer adults admitted": a change to make, its figure a target
    # Bracketed periods and notes at the end ("(2014/15)", "(2012 -2014) (91 deaths)") are not the name.
    while (bracket := TRAILING_BRACKET.search(name)) and re.search(r"\d", bracket.group("inside")):
        day = parse_deadline(bracket.group("inside"))
        if day and day.end and "as_at" not in fields:
            fields["as_at"] = day.end
        name = name[: bracket.start()].strip()
    if "as_at" not in fields and (year := re.search(r"\bin\s+((?:19|20)\d\d)\b", name)):
        fields["as_at"] = parse_deadline(year.group(1)).end  # "babies born in 2014 had ..."
    name = name.rstrip(" .,:")
    if len(name.split()) < 2 or (bare and "as_at" not in fields):
        return None
    return name, fields


def measure_name(text: str) -> str | None:
    """The name of a measure stated as a sentence or a line of labelled figures, or None.

    >>> measure_name("Long-term empty homes will have fallen from 2,315 in October 2024 to fewer than 1,800.")
    'Long-term empty homes'
    >>> measure_name("Households in fuel poverty – Now: 11.2% (2023) Aim: 9% by 2028")
    'Households in fuel poverty'
    """
    text = " ".join(text.split())
    for pattern in (MEASURE_LABELLED, MEASURE_SUBJECT):
        match = pattern.match(text)
        if not match:
            continue
        name = match.group("name").strip(" ,–—-")
        rest = match.group("rest")
        words = name.split()
        if not 2 <= len(words) <= 25 or re.match(r"(?i)^(?:we|our|this|it|they|there|that|these|those|which)\b", name):
            continue
        if pattern is MEASURE_SUBJECT and not re.search(r"\d", rest) and not MEASURE_NAME_OPENER.match(name):
            continue
        return name
    stat = stat_statement(text)
    return stat[0] if stat else None


MEASURE_NAME_OPENER = re.compile(r"(?i)^(?:the\s+)?(?:number|proportion|percentage|rate|share|level|average|gap|%)\b")


def parse_labelled_figures(text: str) -> dict:
    """Value, its date, target and target date printed with labels.

    >>> parse_labelled_figures("Households in fuel poverty – Now: 11.2% (2023) Aim: 9% by 2028")
    {'value': '11.2%', 'as_at': datetime.date(2023, 12, 31), 'target': '9%', 'target_date': datetime.date(2028, 12, 31)}
    """
    fields: dict = {}
    for pattern, figure, when, date_field in ((LABELLED_VALUE, "value", "as_at", "as_at"),
                                              (LABELLED_TARGET, "target", "date", "target_date")):
        found = pattern.search(text)
        if found:
            fields[figure] = " ".join(found.group(figure).split())
            day = parse_deadline(found.group(when)) if found.group(when) else None
            if day and day.end:
                fields[date_field] = day.end
    return fields


def parse_measure_sentence(text: str) -> dict:
    """Baseline, target and target date from a measure written as a sentence.

    >>> parse_measure_sentence("By 2028 pupil absence rates will have fallen from 7.9% to below 5%.")
    {'value': '7.9%', 'target': 'below 5%', 'target_date': datetime.date(2028, 12, 31)}
    """
    fields: dict = {}
    match = FROM_TO.search(text)
    if not match and (stat := stat_statement(text)):
        return stat[1]
    if match:
        fields["value"] = match.group("value").strip()
        fields["target"] = " ".join(match.group("target").split())
    elif (labelled := parse_labelled_figures(text)):
        return labelled
    elif (match := TARGET_ONLY.search(text)):
        fields["target"] = " ".join(match.group("target").split())
    lead = LEADING_BY.match(text) or re.match(r"^\s*by\s+(?P<date>\S+)", text, re.I)
    if lead:
        deadline = parse_deadline(lead.group("date"))
        if deadline and deadline.end:
            fields["target_date"] = deadline.end
    return fields


def _header_date(header: str):
    """The date a column's header names ("Target 2026/27" -> 2027-03-31), or None."""
    found = find_deadlines(header)
    if found:
        return found[0][2].end
    deadline = parse_deadline(header)
    return deadline.end if deadline else None


def _cells(table: Table, col: int) -> list[str]:
    return [r.cells[col].text for r in table.rows if col < len(r.cells) and r.cells[col].text]


def _mostly(cells: list[str], test) -> bool:
    return bool(cells) and sum(1 for c in cells if test(c)) >= len(cells) / 2


def _is_period(text: str) -> bool:
    """A cell that is only a date or period ("2023/24", "Q2 2025"), not a figure with a note."""
    found = find_deadlines(text)
    if not found:
        return False
    rest = text[: found[0][0]] + text[found[0][1]:]
    return not re.search(r"\d|%|£", rest)


def _period_column(table: Table, exclude: set) -> int | None:
    """A column that only says when each figure is from ("Period | 2023/24")."""
    for i in range(len(table.header)):
        if i not in exclude and _mostly(_cells(table, i), _is_period):
            return i
    return None


LATEST = re.compile(r"latest|current|now|actual|outturn|position|result", re.I)


def _value_column(table: Table, exclude: set) -> int | None:
    """The column of figures a measure is reported with. Headed as a value ("Baseline",
    "Outturn position 2023/24", "Norfolk 2024/25"); of several, the latest figure ("Latest"
    over "Baseline", the later year). Failing a header, the first column of figures
    ("Calderdale | England": the council's own comes first)."""
    patterns = column_patterns()["value"]
    candidates = [
        i for i, h in enumerate(table.header)
        if i not in exclude and h and (any(p.search(h) for p in patterns) or _header_date(h))
        and _mostly(_cells(table, i), lambda c: bool(re.search(r"\d", c)))
    ]
    if len(candidates) > 1:
        latest = [i for i in candidates if LATEST.search(table.header[i])]
        dated = [i for i in candidates if _header_date(table.header[i])]
        if latest:
            return latest[-1]
        if dated:
            return max(dated, key=lambda i: _header_date(table.header[i]))
    if candidates:
        return candidates[0]
    for i in range(len(table.header)):
        if i not in exclude and _mostly(_cells(table, i), lambda c: bool(re.match(r"\s*[<>≤≥~]?\s*[\d£.,]+\s*(?:%|years?)?", c))):
            return i
    return None


def _split_target(target: str, header_date):
    """A target cell with its own date: "100% by September 2027" -> ("100%", 2027-09-30)."""
    for start, end, deadline in find_deadlines(target):
        if deadline.end and target[:start].strip() and "by" in deadline.text.lower().split():
            return target[:start].strip(" ,"), deadline.end
    return target, header_date


def _measure_column(table: Table) -> int | None:
    """The measure/indicator column with the most filled cells (a label column has few)."""
    patterns = column_patterns()["measure"]
    candidates = [i for i, h in enumerate(table.header) if any(p.search(h) for p in patterns)]
    if not candidates:
        return None

    def filled(i: int) -> int:
        return sum(1 for r in table.rows if i < len(r.cells) and r.cells[i].text)

    return max(candidates, key=lambda i: (filled(i), i))


# "Baselines are for 2024/25 unless stated": the date a table's figures are as at by default.
_DEFAULT_DATE_RX = re.compile(
    r"[^.;]*\b(?:baselines?|figures?|data|values?|outturns?|latest)\b[^.;]*?\bunless\s+(?:otherwise\s+)?"
    r"(?:stated|noted|shown|indicated|specified)\b", re.I)


def stated_as_at(texts) -> dt.date | None:
    """The one date a note near a table gives all its figures, unless a row says otherwise.

        >>> stated_as_at(["The Board will monitor these. Baselines are for 2024/25 unless stated."])
        datetime.date(2025, 3, 31)
        >>> stated_as_at(["We will act unless funding ends in 2026."]) is None
        True
    """
    for text in texts:
        for sentence in _DEFAULT_DATE_RX.finditer(text):
            dates = [d for _, _, d in find_deadlines(sentence.group(0)) if d.end]
            if len(dates) == 1:
                return dates[0].end
    return None


def _from_table(block: Block, default_as_at: dt.date | None = None) -> list[Measure]:
    table = block.table
    if table is None or not table.header:
        return []
    columns = columns_for(table)
    name_col = _measure_column(table)
    if name_col is None or columns.roles.get("action") not in (None, name_col):
        return []
    target_col = columns.roles.get("target")
    status_col = columns.roles.get("status")
    due_col = columns.roles.get("timescale")  # "Target date": when the target is due
    period_col = _period_column(table, exclude={name_col, target_col, status_col, due_col})
    value_col = _value_column(table, exclude={name_col, target_col, status_col, period_col, due_col})
    header_date = _header_date(table.header[value_col]) if value_col is not None else None
    target_date = _header_date(table.header[target_col]) if target_col is not None else None
    measures = []
    for row in table.rows:
        name = clean_text(row.cells[name_col].text) if name_col < len(row.cells) else ""
        if len(name.split()) < 2:
            continue
        value, as_at = (None, None)
        if value_col is not None and value_col < len(row.cells):
            value, as_at = split_note(row.cells[value_col].text)
        if as_at is None and period_col is not None and period_col < len(row.cells):
            period = parse_deadline(row.cells[period_col].text)
            as_at = period.end if period else None
        if as_at is None:
            for i, cell in enumerate(row.cells):
                if i not in (name_col, value_col, due_col, target_col) and cell.text:
                    _, note = split_note(cell.text)
                    as_at = as_at or note
        if as_at is None and value is not None and header_date is not None:
            as_at = header_date
        if as_at is None and value is not None:
            as_at = default_as_at
        target = row.cells[target_col].text if target_col is not None and target_col < len(row.cells) else None
        due = target_date
        if due_col is not None and due_col < len(row.cells) and row.cells[due_col].text:
            parsed = parse_deadline(row.cells[due_col].text)
            due = parsed.end if parsed else due
        if target and re.fullmatch(r"[\s–—\-/]*|n/?a|tbc", target.strip(), re.I):
            target = None  # "–", "n/a": no target printed
        if target:
            target, due = _split_target(target, due)
        status = None
        if status_col is not None and status_col < len(row.cells):
            cell = row.cells[status_col]
            ratings = status_of(cell.text, ",".join(cell.fills))
            status = ratings[0] if ratings else None
        measures.append(_measure(name, block, row, value=value, as_at=as_at, target=target or None,
                                 target_date=due if target else None, status=status))
    return measures


def _measure(name: str, block: Block, row: Row | None = None, **fields) -> Measure:
    prov = Provenance(
        page=row.page if row else block.page,
        block_id=block.id,
        span=(row.span if row else None) or block.span,
        bbox=(row.bbox if row else None) or block.bbox,
        source_text=" | ".join(c.text for c in row.cells if c.text) if row else block.text,
    )
    return Measure(name=name, provenance=prov, **fields)


def _in_lead_in_run(state: State, cue: int | None, index: int, limit: int = 12) -> bool:
    """Whether block `index` is one of the short paragraphs that directly follow a lead-in line."""
    if cue is None or cue >= index or index - cue > limit:
        return False
    lead = state.blocks[cue]
    if lead.kind != "paragraph" or not lead.text.rstrip().endswith(":"):
        return False
    return all(b.kind == "paragraph" and len(b.text.split()) <= 60 for b in state.blocks[cue + 1 : index + 1])


# "17 are rated Green", "Nine were off track": a count of indicators, not an indicator.
COUNT_STATEMENT = re.compile(
    r"^(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:of\s+\w+\s+)?(?:are|is|were|was|have|has)\b", re.I
)


def _groups_items(state: State, index: int) -> bool:
    """A list item with deeper items right after it labels a group of measures ("Adult Social
    Care" over its indicators); it is not one itself."""
    block = state.blocks[index]
    following = state.blocks[index + 1] if index + 1 < len(state.blocks) else None
    return (
        following is not None and following.kind == "list_item"
        and block.level is not None and following.level is not None and following.level > block.level
    )


def _lead_in_rating(state: State, cue: int | None) -> str | None:
    """The one RAG rating a lead-in gives all its items ("The indicators rated Red are:")."""
    if cue is None or not state.blocks[cue].text.rstrip().endswith(":"):
        return None
    ratings = set(status_of(state.blocks[cue].text, ""))
    return ratings.pop() if len(ratings) == 1 else None


@stage("measures", requires=("sections", "priorities"), assigns=("measures",))
def find_measures(state: State) -> dict:
    measures: list[Measure] = []
    for i, block in enumerate(state.blocks):
        section = state.sections[i]
        anchor = state.anchors.get(i)
        found: list[Measure] = []
        if block.kind == "list_item" and section.kind == "measure":
            name, figures = split_bracketed_figures(clean_text(strip_bullet(block.text)))
            if len(name.split()) >= 2 and not _groups_items(state, i) and not COUNT_STATEMENT.match(name):
                fields = figures or parse_measure_sentence(name)
                rated = _lead_in_rating(state, section.cue)
                if rated and "status" not in fields:
                    fields = {**fields, "status": rated}
                found = [_measure(name, block, **fields)]
        elif block.kind == "paragraph" and section.kind == "measure" and _in_lead_in_run(state, section.cue, i):
            # Measures printed as separate lines without bullets, right after "Indicators ...:".
            name = clean_text(block.text)
            if 3 <= len(name.split()) <= 60 and not name.endswith(":"):
                found = [_measure(name, block, **parse_measure_sentence(name))]
        elif block.kind == "table":
            near = [b.text for b in state.blocks[max(0, i - 3):i + 3] if b.kind == "paragraph"]
            found = _from_table(block, stated_as_at(near))
        if anchor:
            found = [m.model_copy(update={"priorities": (anchor,)}) for m in found]
        measures.extend(found)
    return {"measures": tuple(measures)}
