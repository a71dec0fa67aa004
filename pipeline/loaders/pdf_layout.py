"""Blocks for one PDF page, region by region.

The page was cut into regions before its lines were made (`pdf_regions`: panels, columns and
bands, in reading order), and every line knows its region (`Line.column`). Here the regions are
read in order, each top to bottom, and consecutive lines of one region become blocks: headings
(larger than the body text, or short bold lines on their own), list items (a bullet, drawn or
printed, or a list number, with their continuation lines) and paragraphs. A block never spans two
regions, except a paragraph running on from the foot of one column to the top of the next.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.loaders.pdf_lines import (
    CONTENTS_LINE,
    SENTENCE_END,
    Line,
    dominant,
    is_bullet_char,
    join_lines,
    list_marker,
    split_at_gaps,
)
from pipeline.loaders.pdf_regions import Region
from pipeline.loaders.pdf_tables import TableDraft

# A heading's font is at least this much larger than the body text (ratio and points).
HEADING_RATIO = 1.15
HEADING_POINTS = 1.0
HEADING_MAX_WORDS = 25
BOLD_HEADING_MAX_WORDS = 15
# List markers this close (points) are at one indentation.
INDENT_STEP = 4.0
# A figure standing alone in large type ("9.6%", "158 (2.0%)", "3.4 per 1,000 births"): the head
# of an infographic tile or a KPI box, read with the caption under it.
FIGURE_ONLY = re.compile(
    r"^[£$€]?\d[\d,.]*\s*(?:%|[kmKM]\b|bn\b)?(?:\s*\([^)]{1,20}\))?(?:\s+per\s+[\d,.]+(?:\s+\w+)?)?$")
YEAR_ONLY = re.compile(r"^(?:19|20)\d\d$")


@dataclass
class BlockDraft:
    """A block before the document is complete (ids, heading levels and list levels come later)."""

    kind: str
    text: str
    page: int
    bbox: tuple[float, float, float, float]
    size: float | None = None
    bold: bool | None = None
    marker: str | None = None
    level: int | None = None
    column: int = 0
    marker_x: float | None = None
    table: TableDraft | None = None
    as_item: "BlockDraft | None" = None  # a numbered bold line read as a heading, as a list item


@dataclass
class PageLayout:
    """What pass one learned about a page: its regions in reading order, its lines (each in its
    region: `Line.column` is the region's id) and its tables."""

    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list[TableDraft]
    regions: list[Region] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)  # size histogram of regular-weight text
    bold_sizes: Counter = field(default_factory=Counter)  # ... and of bold text
    chars: int = 0
    images: int = 0
    notes: list[str] = field(default_factory=list)  # what could not be done, for the warnings


# --------------------------------------------------------------------------- reading order


def reading_order(layout: PageLayout, lines: list[Line]) -> list[Line | TableDraft]:
    """Lines and tables in the order a reader takes them: region by region, each top to bottom."""
    if not layout.regions:
        return sorted(lines, key=lambda l: l.top) + list(layout.tables)
    by_region: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_region[line.column].append(line)
    ordered: list[Line | TableDraft] = []
    for region in layout.regions:
        if region.kind == "table":
            ordered.append(region.table)
        else:
            ordered.extend(by_region.pop(region.id, []))
    for rest in by_region.values():  # (a line outside every region cannot happen; kept for safety)
        ordered.extend(rest)
    return ordered


# --------------------------------------------------------------------------- blocks


@dataclass
class _PageStats:
    body_size: float
    pitch: dict[float, float]
    right: dict[int, float]
    left: dict[int, float]
    follows: dict[int, int] = field(default_factory=dict)  # region -> region it may run on from

    def typical_pitch(self, size: float) -> float:
        return self.pitch.get(size, 1.2 * size)

    def width(self, column: int) -> float:
        return max(self.right.get(column, 0.0) - self.left.get(column, 0.0), 1.0)


def _stats(ordered: list[Line | TableDraft], body_size: float, regions: list[Region] = ()) -> _PageStats:
    pitches: dict[float, list[float]] = defaultdict(list)
    rights: dict[int, list[float]] = defaultdict(list)
    lefts: dict[int, list[float]] = defaultdict(list)
    prev: Line | None = None
    for item in ordered:
        if not isinstance(item, Line):
            prev = None
            continue
        rights[item.column].append(item.x1)
        lefts[item.column].append(item.x0)
        if prev is not None and prev.column == item.column and prev.size == item.size:
            pitch = item.baseline - prev.baseline
            if 0 < pitch < 2.0 * item.size:
                pitches[item.size].append(round(pitch * 2) / 2)
        prev = item
    pitch = {size: line_pitch(values, size) for size, values in pitches.items()}
    right = {}
    for column, values in rights.items():
        values.sort()
        right[column] = values[int(0.9 * (len(values) - 1))]
    left = {column: min(values) for column, values in lefts.items()}
    follows = {r.id: r.follows for r in regions if r.follows is not None}
    return _PageStats(body_size=body_size, pitch=pitch, right=right, left=left, follows=follows)


def line_pitch(values: list[float], size: float) -> float:
    """The distance between baselines inside a paragraph: the smallest spacing that recurs (gaps
    between paragraphs are wider). With few samples it may be paragraph spacing: capped.

    >>> line_pitch([13.0, 13.0, 19.0, 19.0, 19.0, 13.0], 10.0)
    13.0
    """
    counts = Counter(values)
    recurring = [v for v, n in counts.items() if n >= max(2, 0.1 * len(values))] or list(counts)
    pitch = min(recurring)
    return pitch if len(values) >= 3 else min(pitch, 1.5 * size)


def is_large(line: Line, body_size: float) -> bool:
    return line.size >= body_size * HEADING_RATIO and line.size - body_size >= HEADING_POINTS


@dataclass
class _Group:
    lines: list[Line]
    marker: tuple[str, str, float] | None = None

    @property
    def last(self) -> Line:
        return self.lines[-1]


def _number_marker_counts(line: Line, prev: Line | None, prev_group: _Group | None, stats: _PageStats) -> bool:
    """A list number at the start of a line only opens an item when the line could not be the
    wrapped continuation of the line above ("... an increase of" / "2.1 million families")."""
    if prev is None or prev_group is None or prev.column != line.column:
        return True
    if prev_group.marker is not None:
        return True
    if SENTENCE_END.search(prev.text):
        return True
    marker = list_marker(line)
    if marker and marker[2] >= 0.8:  # a tab after the number
        return True
    return line.baseline - prev.baseline > stats.typical_pitch(prev.size) + max(2.0, 0.2 * prev.size)


def _breaks(group: _Group, line: Line, stats: _PageStats, marker) -> bool:
    """Whether `line` starts a new block after `group`."""
    prev = group.last
    if prev.column != line.column:
        # Text running on from the foot of one column to the top of the next.
        return not (
            stats.follows.get(line.column) == prev.column and marker is None and line.text[:1].islower()
            and not SENTENCE_END.search(prev.text) and abs(line.size - prev.size) < 0.6
        )
    if line.top < prev.top - 1:
        return True
    size = max(prev.size, line.size)
    pitch = line.baseline - prev.baseline
    if pitch > stats.typical_pitch(prev.size) + max(2.0, 0.2 * size):
        return True
    if abs(prev.size - line.size) > max(0.6, 0.08 * size):
        return True
    if marker is not None or CONTENTS_LINE.search(prev.text):
        return True
    if _tabbed(line) or (_tabbed(prev) and abs(line.x0 - _value_x(prev)) > 3):
        return True  # "Very Likely      5": a key and its value, one per line (values may wrap)
    body = stats.body_size
    if is_large(prev, body) != is_large(line, body):
        return True
    short_prev = prev.x1 < stats.right.get(prev.column, prev.x1) - 0.12 * stats.width(prev.column)
    if prev.bold and not line.bold and (short_prev or len(group.lines) == 1) and not is_large(prev, body):
        if not prev.text.endswith((",", "-")) and not line.text[:1].islower():
            return True
    if not prev.bold and line.bold and SENTENCE_END.search(prev.text):
        return True
    if group.marker is not None:
        first = group.lines[0]
        marker_x = first.x0
        if line.x0 < marker_x - 2:
            return True
        if SENTENCE_END.search(prev.text) and short_prev and line.x0 < marker_x + 2 and _text_x(first) > marker_x + 4:
            return True
        return False
    if line.x0 > prev.x0 + 1.2 * size and len(group.lines) > 1 and not _centred(group, line):
        return True  # an indented first line
    if SENTENCE_END.search(prev.text) and short_prev:
        return True
    return False


def _centred(group: _Group, line: Line) -> bool:
    """Whether the group's lines and this one are centred on one axis (a title in a box), so that
    a shorter line is not an indented first line."""
    mid = (line.x0 + line.x1) / 2
    tolerance = max(2.0, 0.3 * line.size)
    return all(abs((l.x0 + l.x1) / 2 - mid) <= tolerance for l in group.lines)


def _tabbed(line: Line) -> bool:
    """Whether a line has a gap of several ems inside it (tab stops, not word spaces)."""
    if "tabbed" not in line.extra:
        line.extra["tabbed"] = len(split_at_gaps(line, 3.0 * line.size)) > 1
    return line.extra["tabbed"]


def _value_x(line: Line) -> float:
    """Where the last tab-separated part of a line starts."""
    return split_at_gaps(line, 3.0 * line.size)[-1][0]


def _text_x(line: Line) -> float:
    """x where the text of a list item starts, after its marker."""
    visible = [c for c in line.chars if c.text != " "]
    marker = list_marker(line)
    if not marker or len(visible) < 2:
        return line.x0
    n = len(marker[0].replace(" ", ""))
    return visible[min(n, len(visible) - 1)].x0


def _draft(group: _Group, page: int, body_size: float) -> BlockDraft:
    lines = group.lines
    bbox = (min(l.x0 for l in lines), min(l.top for l in lines), max(l.x1 for l in lines), max(l.bottom for l in lines))
    size = dominant([l.size for l in lines for _ in range(max(len(l.text), 1))])
    bold = sum(len(l.text) for l in lines if l.bold) >= 0.7 * sum(len(l.text) for l in lines)
    column = lines[0].column
    if group.marker is not None and not CONTENTS_LINE.search(lines[0].text):
        marker, first_text, _ = group.marker
        text = join_lines([first_text] + [l.text for l in lines[1:]])
        full = join_lines([l.text for l in lines])
        numbered = not is_bullet_char(marker[0])
        item = BlockDraft("list_item", text, page, bbox, size, bold, marker=marker, column=column, marker_x=lines[0].x0)
        bold_heading = bold and len(lines) <= 2 and len(full.split()) <= BOLD_HEADING_MAX_WORDS and not full.endswith((".", ";", ","))
        # "4. How the Partnership is addressing harms": a numbered line in a heading's size.
        large_heading = all(is_large(l, body_size) for l in lines) and len(lines) <= 4 and len(full.split()) <= HEADING_MAX_WORDS
        if numbered and (bold_heading or large_heading):
            heading = BlockDraft("heading", full, page, bbox, size, bold, column=column)
            heading.as_item = item  # kept in case its neighbours show it is one item of a list
            return heading
        return item
    text = join_lines([l.text for l in lines])
    words = len(text.split())
    if all(is_large(l, body_size) for l in lines) and words <= HEADING_MAX_WORDS and len(lines) <= 4:
        return BlockDraft("heading", text, page, bbox, size, bold, column=column)
    if (
        bold
        and all(l.bold for l in lines)
        and len(lines) <= 2
        and words <= BOLD_HEADING_MAX_WORDS
        and not text.endswith((".", ",", ";", ":", "…"))
        and not text[:1].islower()
    ):
        return BlockDraft("heading", text, page, bbox, size, bold, column=column)
    return BlockDraft("paragraph", text, page, bbox, size, bold, column=column)


def page_blocks(layout: PageLayout, lines: list[Line], body_size: float) -> list[BlockDraft]:
    """The page's blocks in reading order (headings, paragraphs, list items and tables)."""
    ordered = reading_order(layout, lines)
    stats = _stats(ordered, body_size, layout.regions)
    table_region = {id(r.table): r.id for r in layout.regions if r.kind == "table"}
    drafts: list[BlockDraft] = []
    group: _Group | None = None
    prev_group: _Group | None = None

    def flush() -> None:
        nonlocal group, prev_group
        if group is not None:
            drafts.append(_draft(group, layout.number, body_size))
            prev_group = group
        group = None

    for item in ordered:
        if isinstance(item, TableDraft):
            flush()
            prev_group = None
            column = table_region.get(id(item), 0)
            if item.caption:
                x0, top, x1, _ = item.bbox
                drafts.append(BlockDraft("paragraph", item.caption, layout.number, (x0, top, x1, top), column=column))
            drafts.append(BlockDraft("table", "", layout.number, item.bbox, table=item, column=column))
            continue
        line = item
        marker = list_marker(line)
        if marker is not None and not is_bullet_char(line.text[0]):
            context = group.last if group is not None else None
            if not _number_marker_counts(line, context, group if group is not None else prev_group, stats):
                marker = None
        if group is not None and not _breaks(group, line, stats, marker):
            group.lines.append(line)
            continue
        flush()
        group = _Group([line], marker)
    flush()
    _box_titles(drafts, layout.regions)
    drafts = _figure_captions(drafts)
    drafts = _items_in_numbered_runs(drafts)
    _list_levels(drafts)
    return drafts


def _box_titles(drafts: list[BlockDraft], regions: list[Region]) -> None:
    """A short bold text standing alone in a box (a goal's title over its description) is a
    heading, even over more lines than a bold heading in running text."""
    boxed = {r.id for r in regions if r.in_panel}
    per_region = Counter(d.column for d in drafts)
    for d in drafts:
        if (
            d.kind == "paragraph" and d.column in boxed and per_region[d.column] == 1 and d.bold
            and len(d.text.split()) <= HEADING_MAX_WORDS
            and not d.text.endswith((".", ",", ";", ":", "…")) and not d.text[:1].islower()
        ):
            d.kind = "heading"


def _figure_captions(drafts: list[BlockDraft]) -> list[BlockDraft]:
    """A figure in large type over smaller text in its region ("9.6%" over "of mothers are smokers
    at the time of delivery (2014/15)") is one statement, read as one paragraph: apart, the figure
    would be a heading and the caption a measure without its value."""
    out: list[BlockDraft] = []
    for d in drafts:
        head = out[-1] if out else None
        if (
            head is not None and d.kind == "paragraph" and head.kind in ("heading", "paragraph")
            and head.column == d.column and head.size and d.size and head.size >= HEADING_RATIO * d.size
            and FIGURE_ONLY.match(head.text) and not YEAR_ONLY.match(head.text)
        ):
            x0, top, x1, bottom = head.bbox
            out[-1] = BlockDraft("paragraph", f"{head.text} {d.text}", d.page,
                                 (min(x0, d.bbox[0]), top, max(x1, d.bbox[2]), max(bottom, d.bbox[3])),
                                 size=d.size, bold=d.bold, column=d.column)
            continue
        out.append(d)
    return out


def _marker_number(draft: BlockDraft | None) -> int | None:
    if draft is None or draft.kind != "list_item" or not draft.marker:
        return None
    match = re.match(r"^\(?(\d{1,2})[.)]?$", draft.marker)
    return int(match.group(1)) if match else None


def _items_in_numbered_runs(drafts: list[BlockDraft]) -> list[BlockDraft]:
    """A short bold numbered line reads as a heading ("3. Our approach"), unless it sits in a run
    of numbered items whose numbers it continues, at its own indentation, with the same marker
    style and no more space around it than between lines: then it is the one item of the list
    that has no description ("2) Tackling disadvantage – ...", "3) The importance of
    communities", "4) Transforming services – ...")."""
    out = list(drafts)

    def continues(item: BlockDraft, other: BlockDraft | None, step: int) -> bool:
        if other is None or other.kind != "list_item" or other.page != item.page or other.column != item.column:
            return False
        n, m = _marker_number(item), _marker_number(other)
        if n is None or m != n + step or re.sub(r"\d", "", item.marker) != re.sub(r"\d", "", other.marker):
            return False
        if other.marker_x is None or abs(other.marker_x - item.marker_x) > 3.0:
            return False
        upper, lower = (other, item) if step < 0 else (item, other)
        return 0 <= lower.bbox[1] - upper.bbox[3] <= 1.5 * (item.size or 10.0)

    changed = True
    while changed:
        changed = False
        for i, draft in enumerate(out):
            item = draft.as_item
            if draft.kind != "heading" or item is None:
                continue
            before = out[i - 1] if i > 0 else None
            after = out[i + 1] if i + 1 < len(out) else None
            if continues(item, before, -1) or continues(item, after, +1):
                out[i] = item
                changed = True
    return out


def _list_levels(drafts: list[BlockDraft]) -> None:
    """List level = rank of the marker's indentation among the markers of its own list: a run of
    list items in one region. A heading ends a list, and so does a paragraph unless it is indented
    under the list's markers (a paragraph inside an item); a new list after them starts at 0."""
    runs: list[list[BlockDraft]] = []
    current: list[BlockDraft] = []
    for d in drafts:
        if d.kind == "list_item" and d.marker_x is not None:
            if current and d.column != current[-1].column:
                runs.append(current)
                current = []
            current.append(d)
        elif (
            current and d.kind == "paragraph" and d.column == current[-1].column
            and d.bbox[0] > min(x.marker_x for x in current) + INDENT_STEP
        ):
            continue
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    for items in runs:
        xs = sorted(d.marker_x for d in items)
        stops: list[float] = []
        for x in xs:
            if not stops or x - stops[-1] > INDENT_STEP:
                stops.append(x)
        for d in items:
            d.level = max(i for i, s in enumerate(stops) if d.marker_x >= s - INDENT_STEP)
