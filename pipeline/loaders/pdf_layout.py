"""Reading order and blocks for one PDF page.

Columns first: a vertical gutter that no text crosses over most of the page body splits the page,
and each column is read top to bottom before the next. Lines that cross the gutter (titles) and
tables wider than a column cut the page into bands read one after another. Then consecutive lines
of a column become blocks: headings (larger than the body text, or short bold lines on their own),
list items (a bullet or a list number, with their continuation lines) and paragraphs.
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
    group_lines,
    is_bullet_char,
    join_lines,
    line_from_chars,
    list_marker,
    split_at_gaps,
)
from pipeline.loaders.pdf_objects import Char
from pipeline.loaders.pdf_tables import TableDraft

# Running headers and footers live in this share of the page height at the top and bottom.
MARGIN_ZONE = 0.08
# A heading's font is at least this much larger than the body text (ratio and points).
HEADING_RATIO = 1.15
HEADING_POINTS = 1.0
HEADING_MAX_WORDS = 25
BOLD_HEADING_MAX_WORDS = 15
# A column gutter: share of body lines allowed to cross it, and its narrowest width (points).
GUTTER_CROSSING = 0.1
GUTTER_MIN_WIDTH = 6.0
MIN_COLUMN_LINES = 4


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
    """What pass one learned about a page: its lines (in columns) and tables."""

    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list[TableDraft]
    gutters: list[tuple[float, float]] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)  # size histogram of regular-weight text
    bold_sizes: Counter = field(default_factory=Counter)  # ... and of bold text
    chars: int = 0
    images: int = 0

    def column_of(self, x: float) -> int:
        return sum(1 for g0, g1 in self.gutters if x > (g0 + g1) / 2)


# --------------------------------------------------------------------------- columns


def line_segments(lines: list[Line]) -> list[tuple[int, float, float, int]]:
    out = []
    for i, line in enumerate(lines):
        for x0, x1, n in split_at_gaps(line, max(0.9 * line.size, 4.0)):
            out.append((i, x0, x1, n))
    return out


def find_gutters(
    segments: list[tuple[int, float, float, int]], x_lo: float, x_hi: float, body_size: float, depth: int = 0
) -> list[tuple[float, float]]:
    """Vertical strips free of text that split the segments (line id, x0, x1, chars) into columns
    of prose. Searched again inside each column found, to two levels."""
    line_ids = {s[0] for s in segments}
    if len(line_ids) < 2 * MIN_COLUMN_LINES or x_hi - x_lo < 100:
        return []
    lo, hi = int(x_lo), int(x_hi) + 2
    diff = [0] * (hi - lo + 2)
    for _, x0, x1, _ in segments:
        a = max(int(x0) - lo, 0)
        b = min(int(x1) + 1 - lo, hi - lo)
        diff[a] += 1
        diff[b + 1] -= 1
    coverage = []
    running = 0
    for d in diff[: hi - lo + 1]:
        running += d
        coverage.append(running)
    allowed = max(1, int(GUTTER_CROSSING * len(line_ids)))
    margin = 0.15 * (x_hi - x_lo)
    start = int(x_lo + margin) - lo
    stop = int(x_hi - margin) - lo
    min_width = max(GUTTER_MIN_WIDTH, 0.6 * body_size)
    runs: list[tuple[int, int]] = []
    run_start = None
    for i in range(start, stop + 1):
        if coverage[i] <= allowed:
            if run_start is None:
                run_start = i
        elif run_start is not None:
            runs.append((run_start, i - 1))
            run_start = None
    if run_start is not None:
        runs.append((run_start, stop))
    best = None
    for a, b in runs:
        g0, g1 = a + lo, b + 1 + lo
        if g1 - g0 < min_width:
            continue
        left = [s for s in segments if s[2] <= g0 + 0.5]
        right = [s for s in segments if s[1] >= g1 - 0.5]
        left_lines = {s[0] for s in left}
        right_lines = {s[0] for s in right}
        if len(left_lines) < MIN_COLUMN_LINES or len(right_lines) < MIN_COLUMN_LINES:
            continue
        left_chars = sum(s[3] for s in left)
        right_chars = sum(s[3] for s in right)
        if min(left_chars, right_chars) < 0.2 * max(left_chars, right_chars):
            continue
        # Prose columns reach (near) the gutter: a column of short labels is not a column of text.
        reach: dict[int, float] = {}
        for s in left:
            reach[s[0]] = max(reach.get(s[0], 0.0), s[2])
        left_x0 = min(s[1] for s in left)
        gaps = sorted(g0 - x for x in reach.values())
        if gaps[len(gaps) // 2] > 0.35 * max(g0 - left_x0, 1.0):
            continue
        score = (g1 - g0, min(left_chars, right_chars))
        if best is None or score > best[0]:
            best = (score, g0, g1, left, right)
    if best is None:
        return []
    _, g0, g1, left, right = best
    found = [(float(g0), float(g1))]
    if depth < 1:
        found += find_gutters(left, x_lo, g0, body_size, depth + 1)
        found += find_gutters(right, g1, x_hi, body_size, depth + 1)
    return sorted(found)


def lines_in_columns(chars: list[Char], gutters: list[tuple[float, float]]) -> list[Line]:
    """Lines built within each column; a line cut by a gutter it actually crosses (a title over
    both columns) is put back together and marked column -1."""
    if not gutters:
        return group_lines(chars, 0)
    splits = [(g0 + g1) / 2 for g0, g1 in gutters]
    by_column: dict[int, list[Char]] = defaultdict(list)
    for c in chars:
        by_column[sum(1 for s in splits if c.mid_x > s)].append(c)
    lines: list[Line] = []
    for column, column_chars in sorted(by_column.items()):
        lines.extend(group_lines(column_chars, column))
    lines.sort(key=lambda l: (l.column, l.top))
    # Re-join lines cut at a gutter they cross.
    merged: list[Line] = []
    used: set[int] = set()
    by_col: dict[int, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        by_col[line.column].append(i)
    for i, line in enumerate(lines):
        if i in used:
            continue
        parts = [line]
        current = line
        while True:
            nxt = None
            for j in by_col.get(current.column + 1, []):
                other = lines[j]
                if j in used or abs(other.baseline - current.baseline) > 0.3 * max(other.size, current.size):
                    continue
                gap = other.x0 - current.x1
                gutter = gutters[current.column] if 0 <= current.column < len(gutters) else None
                if gutter and gap < min(1.0 * max(other.size, current.size), gutter[1] - gutter[0]):
                    nxt = j
                    break
            if nxt is None:
                break
            used.add(nxt)
            current = lines[nxt]
            parts.append(current)
        if len(parts) == 1:
            merged.append(line)
        else:
            merged.append(line_from_chars([c for p in parts for c in p.chars], -1))
    return merged


# --------------------------------------------------------------------------- reading order


def reading_order(layout: PageLayout, lines: list[Line]) -> list[Line | TableDraft]:
    """Lines and tables in the order a reader takes them: band by band, column by column."""
    columns = len(layout.gutters) + 1
    items: list[tuple[float, int, int, Line | TableDraft]] = []
    for line in lines:
        if line.column < 0:
            items.append((line.top, 0, columns - 1, line))
        else:
            items.append((line.top, line.column, line.column, line))
    for table in layout.tables:
        x0, top, x1, _ = table.bbox
        items.append((top, layout.column_of(x0 + 1), layout.column_of(x1 - 1), table))
    items.sort(key=lambda t: t[0])
    if columns == 1:
        return [t[3] for t in items]
    ordered: list[Line | TableDraft] = []
    band: list[tuple[float, int, int, Line | TableDraft]] = []
    for item in items:
        if item[1] != item[2]:
            ordered.extend(t[3] for t in sorted(band, key=lambda t: (t[1], t[0])))
            band = []
            ordered.append(item[3])
        else:
            band.append(item)
    ordered.extend(t[3] for t in sorted(band, key=lambda t: (t[1], t[0])))
    return ordered


# --------------------------------------------------------------------------- blocks


@dataclass
class _PageStats:
    body_size: float
    pitch: dict[float, float]
    right: dict[int, float]
    left: dict[int, float]

    def typical_pitch(self, size: float) -> float:
        return self.pitch.get(size, 1.2 * size)

    def width(self, column: int) -> float:
        return max(self.right.get(column, 0.0) - self.left.get(column, 0.0), 1.0)


def _stats(ordered: list[Line | TableDraft], body_size: float) -> _PageStats:
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
    return _PageStats(body_size=body_size, pitch=pitch, right=right, left=left)


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
            line.column == prev.column + 1 and marker is None and line.text[:1].islower()
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
    if line.x0 > prev.x0 + 1.2 * size and len(group.lines) > 1:
        return True  # an indented first line
    if SENTENCE_END.search(prev.text) and short_prev:
        return True
    return False


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
        if numbered and bold and len(lines) <= 2 and len(full.split()) <= BOLD_HEADING_MAX_WORDS and not full.endswith((".", ";", ",")):
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
    stats = _stats(ordered, body_size)
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
            if item.caption:
                x0, top, x1, _ = item.bbox
                drafts.append(BlockDraft("paragraph", item.caption, layout.number, (x0, top, x1, top), column=layout.column_of(x0 + 1)))
            drafts.append(BlockDraft("table", "", layout.number, item.bbox, table=item, column=layout.column_of(item.bbox[0] + 1)))
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
    drafts = _items_in_numbered_runs(drafts)
    _list_levels(drafts)
    return drafts


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
    """List level = rank of the marker's indentation among the page column's list markers."""
    by_column: dict[int, list[BlockDraft]] = defaultdict(list)
    for d in drafts:
        if d.kind == "list_item" and d.marker_x is not None:
            by_column[d.column].append(d)
    for items in by_column.values():
        xs = sorted(d.marker_x for d in items)
        stops: list[float] = []
        for x in xs:
            if not stops or x - stops[-1] > 4.0:
                stops.append(x)
        for d in items:
            d.level = max(i for i, s in enumerate(stops) if d.marker_x >= s - 4.0)
