"""Tables on a PDF page: pdfplumber's table finder run on the page's ruling edges, cells read
from our characters, header rows recognised, and tables continued on the next page stitched on.

Ruled tables come from pdfplumber's `TableFinder` ("lines" strategy) fed with the edges
`pdf_objects` read. Tables without ruling are only taken when the text itself forms a clear grid
(`find_text_tables`): a false table scrambles prose, so that finder is deliberately strict.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from pdfplumber.table import TableFinder

from pipeline.loaders.pdf_lines import (
    SENTENCE_END,
    Line,
    fold_whitespace,
    group_lines,
    is_bullet_char,
    join_lines,
    list_marker,
    split_at_gaps,
    strip_bullet,
)
from pipeline.loaders.pdf_objects import Char, PageObjects
from schemas.document import BBox, Cell, Row

LINES_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "edge_min_length": 3,
    "intersection_tolerance": 3,
}
# Column positions of two table parts match when every boundary is within this many points.
COLUMN_TOLERANCE = 4.0
# Fill colours that are the paper, not a marking.
PAPER = {"#ffffff"}
NUMERIC = re.compile(r"^[\d\s.,%£$€+\-–/()]+$")
HEADER_MAX_WORDS = 6
LABEL_MAX_WORDS = 15


@dataclass
class TableDraft:
    """A table found on one page, before stitching and before it becomes a `Block`."""

    page: int
    bbox: tuple[float, float, float, float]
    columns: tuple[float, ...]  # x of each column's left edge, then the right edge of the last
    rows: list[Row]
    header: tuple[str, ...] = ()
    pages: list[int] = field(default_factory=list)
    # A title row spanning the table ("SILVER & GOLD Award Holders"), read as a paragraph before it.
    caption: str = ""

    @property
    def top(self) -> float:
        return self.bbox[1]


class _EdgePage:
    """The little of a pdfplumber `Page` that `TableFinder` reads: edges, bbox and words."""

    def __init__(self, objects: PageObjects, words: list[dict] | None = None):
        self.edges = list(objects.edges)
        self.edges += closing_edges(self.edges)
        self.bbox = (0, 0, objects.width, objects.height)
        self._words = words or []

    def extract_words(self, **_settings) -> list[dict]:
        return self._words


def closing_edges(edges: list[dict]) -> list[dict]:
    """Horizontal edges a table split over a page break leaves out: where three or more column
    rules end (or start) at the same height with no rule across them, one is added."""
    verticals = [e for e in edges if e["orientation"] == "v" and e["height"] >= 10]
    horizontals = [e for e in edges if e["orientation"] == "h" and e["width"] >= 3]
    added = []
    for end in ("bottom", "top"):
        groups: list[list[dict]] = []
        for e in sorted(verticals, key=lambda e: e[end]):
            if groups and e[end] - groups[-1][-1][end] <= 1.0:
                groups[-1].append(e)
            else:
                groups.append([e])
        for group in groups:
            xs = sorted({round(e["x0"]) for e in group})
            if len(xs) < 3:
                continue
            y = sum(e[end] for e in group) / len(group)
            x0, x1 = min(e["x0"] for e in group), max(e["x0"] for e in group)
            if not any(abs(h["top"] - y) <= 3 and h["x0"] <= x0 + 3 and h["x1"] >= x1 - 3 for h in horizontals):
                added.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0, "orientation": "h"})
    return added


def has_ruling(objects: PageObjects) -> bool:
    """Cheap test: enough horizontal and vertical edges to form a grid."""
    h = v = 0
    for e in objects.edges:
        if e["orientation"] == "h" and e["width"] >= 3:
            h += 1
        elif e["orientation"] == "v" and e["height"] >= 3:
            v += 1
        if h >= 2 and v >= 2:
            return True
    return False


def _box(b) -> BBox:
    return BBox(x0=round(b[0], 2), top=round(b[1], 2), x1=round(b[2], 2), bottom=round(b[3], 2))


def cell_fills(objects: PageObjects, bbox) -> tuple[str, ...]:
    """Fill colours of the rectangles that paint a cell: covering most of it, or drawn inside it."""
    x0, top, x1, bottom = bbox
    area = max((x1 - x0) * (bottom - top), 1e-6)
    found: list[tuple[float, str]] = []
    for r in objects.fills:
        ix = min(x1, r.x1) - max(x0, r.x0)
        iy = min(bottom, r.bottom) - max(top, r.top)
        if ix <= 0 or iy <= 0:
            continue
        inter = ix * iy
        rect_area = max((r.x1 - r.x0) * (r.bottom - r.top), 1e-6)
        if inter >= 0.5 * area or inter >= 0.8 * rect_area:
            if r.color not in PAPER:
                found.append((rect_area, r.color))
    found.sort(key=lambda t: -t[0])
    colours: list[str] = []
    for _, colour in found:
        if colour not in colours:
            colours.append(colour)
    return tuple(colours)


def _first_word_width(line: Line) -> float:
    width = 0.0
    for c in line.chars:
        if c.text == " " and width:
            break
        width += c.x1 - c.x0
    return width


def hard_break(line: Line, nxt: Line, limit: float) -> bool:
    """Whether the line ends where its writer pressed Enter: the next line's first word would
    have fitted before the wrap limit, and the next line starts like a new item."""
    if not nxt.text[:1].isupper() and not nxt.text[:1].isdigit():
        return False
    space = 0.28 * line.size
    return line.x1 + space + _first_word_width(nxt) < limit - 2


def cell_items(lines: list[Line], limit: float | None = None) -> list[str]:
    """A cell's visual lines regrouped into items: a new item where a line starts with a bullet,
    where a numbered line follows a finished sentence, where the gap above is wider than the
    cell's line spacing, or where the line above ended although the next word would have fitted
    (`limit` is the x where the cell's text wraps). Bullets are dropped; numbers are kept."""
    items: list[list[str]] = []
    pitches = [b.bottom - a.bottom for a, b in zip(lines, lines[1:])]
    spacing = min(pitches) if pitches else 0.0
    for i, line in enumerate(lines):
        text = line.text
        marker = list_marker(line)
        bullet = bool(marker) and is_bullet_char(text[0])
        new = not items
        if items and not new:
            prev = lines[i - 1]
            pitch = line.bottom - prev.bottom
            size = max(line.size, prev.size, 1.0)
            if bullet:
                new = True
            elif marker and (SENTENCE_END.search(prev.text) or items[-1][0][:1].isdigit()):
                new = True
            elif pitch > 1.6 * size or (len(lines) >= 3 and pitch > 1.3 * spacing and pitch - spacing > 0.25 * size):
                new = True
            elif limit is not None and hard_break(prev, line, limit):
                new = True
        if bullet:
            text = strip_bullet(text)
        if not text:
            continue
        if new or not items:
            items.append([text])
        else:
            items[-1].append(text)
    return [t for t in (join_lines(item) for item in items) if t]


def read_cell(objects: PageObjects, chars: list[Char], bbox) -> tuple[Cell, float]:
    """A cell's content, and the share of its characters set in bold."""
    lines = group_lines(chars)
    # Text wraps at the cell's right side less the padding, taken equal to the left padding.
    limit = bbox[2] - max(min((l.x0 for l in lines), default=bbox[0]) - bbox[0], 0.0)
    items = cell_items(lines, limit)
    visible = [c for c in chars if c.text.strip()]
    bold = sum(1 for c in visible if c.bold) / len(visible) if visible else 0.0
    cell = Cell(
        text=fold_whitespace(" ".join(items)),
        lines=tuple(items),
        fills=cell_fills(objects, bbox),
        bbox=_box(bbox),
    )
    return cell, bold


def _chars_in(chars: list[Char], bbox) -> list[Char]:
    x0, top, x1, bottom = bbox
    return [c for c in chars if x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom]


class _CharIndex:
    """Characters sorted by vertical centre, for quick lookups of the ones inside a box."""

    def __init__(self, chars: list[Char]):
        self.chars = sorted(chars, key=lambda c: c.top + c.bottom)
        self.keys = [(c.top + c.bottom) / 2 for c in self.chars]

    def inside(self, bbox) -> list[Char]:
        lo = bisect_left(self.keys, bbox[1])
        hi = bisect_right(self.keys, bbox[3])
        x0, x1 = bbox[0], bbox[2]
        return [c for c in self.chars[lo:hi] if x0 <= (c.x0 + c.x1) / 2 <= x1]


def is_header(cells: list[Cell], bold: list[float], following: list[list[Cell]]) -> bool:
    """Whether a table's first row is its header: set in bold, on a filled background that the next
    row does not share, or short labels with no numbers above rows of longer text or figures."""
    texts = [c.text for c in cells if c.text]
    if len(texts) < 2 or any(len(t.split()) > LABEL_MAX_WORDS for t in texts):
        return False  # headers are labels, not sentences
    filled_bold = [b for c, b in zip(cells, bold) if c.text]
    if filled_bold and min(filled_bold) >= 0.7:
        return True
    # A header colour no data row below uses (zebra striping repeats its colours).
    fills = {f for c in cells for f in c.fills}
    below = {f for row in following[:5] for c in row for f in c.fills}
    if fills and not fills & below and all(c.fills for c in cells if c.text):
        return True
    if all(len(t.split()) <= HEADER_MAX_WORDS and not NUMERIC.match(t) for t in texts):
        rest = [c.text for row in following[:5] for c in row if c.text]
        if not rest:
            return False
        if any(NUMERIC.match(t) for t in rest):
            return True
        mean_first = sum(len(t.split()) for t in texts) / len(texts)
        mean_rest = sum(len(t.split()) for t in rest) / len(rest)
        return mean_first <= 0.5 * mean_rest
    return False


def _area(b) -> float:
    return (b[2] - b[0]) * (b[3] - b[1])


def _fold_subdivisions(grid: list[list[tuple | None]], index: "_CharIndex") -> list[list[tuple | None]]:
    """Rows of the grid that only subdivide a cell of the row above (stripes in a status cell,
    a nested table): no text, and some positions spanned from above. Their boxes are folded
    into the cells above, so the cells keep the fills drawn in them."""
    out: list[list[tuple | None]] = []
    for boxes in grid:
        spanned = any(b is None for b in boxes)
        empty = all(b is None or not index.inside(b) for b in boxes)
        if out and spanned and empty:
            above = out[-1]
            for j, b in enumerate(boxes):
                if b is not None and j < len(above) and above[j] is not None:
                    a = above[j]
                    above[j] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
            continue
        out.append(list(boxes))
    return out


def _build(objects: PageObjects, chars: list[Char], grid: list[list[tuple | None]], bbox) -> TableDraft | None:
    """Turn a grid of cell boxes (None where a neighbour spans) into a table draft, or None when it
    does not read as a table."""
    index = _CharIndex(_chars_in(chars, bbox))
    grid = _fold_subdivisions(grid, index)
    rows: list[Row] = []
    bolds: list[list[float]] = []
    filled = positions = 0
    for boxes in grid:
        cells: list[Cell] = []
        row_bold: list[float] = []
        # Where cells overlap (a spanning cell over a split one), a character belongs to the
        # smallest cell that holds it.
        claimed: set[int] = set()
        contents: dict[int, list[Char]] = {}
        for j in sorted((j for j, b in enumerate(boxes) if b is not None), key=lambda j: _area(boxes[j])):
            contents[j] = [c for c in index.inside(boxes[j]) if id(c) not in claimed]
            claimed.update(id(c) for c in contents[j])
        for j, b in enumerate(boxes):
            if b is None:
                cells.append(Cell())
                row_bold.append(0.0)
                continue
            positions += 1
            cell, bold = read_cell(objects, contents[j], b)
            filled += bool(cell.text)
            cells.append(cell)
            row_bold.append(bold)
        present = [b for b in boxes if b is not None]
        row_box = (min(b[0] for b in present), min(b[1] for b in present), max(b[2] for b in present), max(b[3] for b in present))
        rows.append(Row(cells=tuple(cells), page=objects.number, bbox=_box(row_box)))
        bolds.append(row_bold)
    if filled < 2 or filled < 0.2 * positions:
        return None
    xs = sorted({b[0] for boxes in grid for b in boxes if b})
    return _finish(objects.number, bbox, xs, rows, bolds)


def _finish(page: int, bbox, xs: list[float], rows: list[Row], bolds: list[list[float]]) -> TableDraft | None:
    """Drop empty rows and columns, take a title row off the top as the caption, and recognise
    the header row."""
    keep = [i for i, r in enumerate(rows) if any(c.text for c in r.cells)]
    rows = [rows[i] for i in keep]
    bolds = [bolds[i] for i in keep]
    width = max((len(r.cells) for r in rows), default=0)
    used = [j for j in range(width) if any(j < len(r.cells) and r.cells[j].text for r in rows)]
    if len(rows) < 2 or len(used) < 2:
        return None
    if len(used) < width:
        rows = [Row(cells=tuple(r.cells[j] if j < len(r.cells) else Cell() for j in used), page=r.page, bbox=r.bbox) for r in rows]
        bolds = [[b[j] if j < len(b) else 0.0 for j in used] for b in bolds]
        xs = [xs[j] for j in used if j < len(xs)]
    columns = tuple(round(x, 1) for x in xs) + (round(bbox[2], 1),)
    caption = ""
    first = [c.text for c in rows[0].cells if c.text]
    if len(first) == 1 and len(rows) >= 3 and is_header(list(rows[1].cells), bolds[1], [list(r.cells) for r in rows[2:]]):
        caption = first[0]
        rows, bolds = rows[1:], bolds[1:]
    header: tuple[str, ...] = ()
    if len(rows) >= 2 and is_header(list(rows[0].cells), bolds[0], [list(r.cells) for r in rows[1:]]):
        header = tuple(c.text for c in rows[0].cells)
        rows = rows[1:]
    return TableDraft(page=page, bbox=tuple(bbox), columns=columns, rows=rows, header=header, pages=[page], caption=caption)


def find_ruled_tables(objects: PageObjects) -> list[TableDraft]:
    """Tables drawn with ruling lines or cell backgrounds, at least two rows by two columns."""
    if not has_ruling(objects):
        return []
    finder = TableFinder(_EdgePage(objects), LINES_SETTINGS)
    chars = [c for c in objects.chars if c.text.strip() or c.text == " "]
    drafts = []
    for table in finder.tables:
        grid = [list(row.cells) for row in table.rows]
        columns = max((len(r) for r in grid), default=0)
        if len(grid) < 2 or columns < 2:
            continue
        draft = _build(objects, chars, grid, table.bbox)
        if draft is not None:
            drafts.append(draft)
    return _outermost(drafts)


def _outermost(drafts: list[TableDraft]) -> list[TableDraft]:
    """Tables nested in a cell of another table are already part of that cell's text."""

    def inside(a, b) -> bool:
        return a is not b and a.bbox[0] >= b.bbox[0] - 1 and a.bbox[1] >= b.bbox[1] - 1 and a.bbox[2] <= b.bbox[2] + 1 and a.bbox[3] <= b.bbox[3] + 1

    return [d for d in drafts if not any(inside(d, other) for other in drafts)]


def _horizontal_rules(objects: PageObjects, taken: list) -> list[tuple[float, float, float]]:
    """Long horizontal edges outside the tables already found, merged: (top, x0, x1)."""
    found: list[list[float]] = []
    for e in sorted((e for e in objects.edges if e["orientation"] == "h" and e["width"] >= 60), key=lambda e: e["top"]):
        y = e["top"]
        if any(b[0] - 2 <= e["x0"] and e["x1"] <= b[2] + 2 and b[1] - 2 <= y <= b[3] + 2 for b in taken):
            continue
        for r in found:
            if abs(r[0] - y) <= 1.5 and e["x0"] <= r[2] + 3 and e["x1"] >= r[1] - 3:
                r[1], r[2] = min(r[1], e["x0"]), max(r[2], e["x1"])
                break
        else:
            found.append([y, e["x0"], e["x1"]])
    return [tuple(r) for r in sorted(found)]


def find_rule_tables(objects: PageObjects, taken: list) -> list[TableDraft]:
    """Tables ruled with horizontal lines only, as Word draws many: at least three rules of the
    same length stacked, the bands between them holding text that falls into the same two or more
    columns (columns come from the gaps no text crosses)."""
    rules = _horizontal_rules(objects, taken)
    stacks: list[list[tuple[float, float, float]]] = []
    for r in rules:
        last = stacks[-1][-1] if stacks else None
        if (
            last is not None
            and abs(r[1] - last[1]) <= 6
            and abs(r[2] - last[2]) <= 6
            and r[0] - last[0] <= 0.25 * objects.height
        ):
            stacks[-1].append(r)
        else:
            stacks.append([r])
    chars = [c for c in objects.chars if c.text.strip()]
    drafts = []
    for stack in (part for whole in stacks for part in _split_stack(whole)):
        if len(stack) < 3:
            continue
        draft = _rule_table(objects, chars, stack)
        if draft is not None:
            drafts.append(draft)
    return drafts


def _split_stack(stack: list[tuple[float, float, float]]) -> list[list[tuple[float, float, float]]]:
    """Cut a stack of rules where one band is far taller than the rest: the gap between two
    tables ruled alike, not a row."""
    heights = sorted(b[0] - a[0] for a, b in zip(stack, stack[1:]))
    if len(heights) < 2:
        return [stack]
    limit = max(3 * heights[len(heights) // 2], 40.0)
    parts = [[stack[0]]]
    for a, b in zip(stack, stack[1:]):
        if b[0] - a[0] > limit:
            parts.append([b])
        else:
            parts[-1].append(b)
    return parts


def _rule_table(objects: PageObjects, chars: list[Char], stack: list[tuple[float, float, float]]) -> TableDraft | None:
    x0 = min(r[1] for r in stack)
    x1 = max(r[2] for r in stack)
    bands = [(a[0], b[0]) for a, b in zip(stack, stack[1:]) if b[0] - a[0] > 3]
    band_chars = [[c for c in chars if x0 <= c.mid_x <= x1 and top <= c.mid_y <= bottom] for top, bottom in bands]
    # Column gaps: x ranges that no stretch of text crosses in any band.
    lo = int(x0)
    covered = [False] * (int(x1) - lo + 2)
    sizes = []
    for cs in band_chars:
        for line in group_lines(cs):
            sizes.append(line.size)
            for a, b, _ in split_at_gaps(line, 1.0 * line.size):
                for i in range(max(int(a) - lo, 0), min(int(b) - lo + 1, len(covered))):
                    covered[i] = True
    if not sizes:
        return None
    min_gap = max(6.0, 0.8 * dominant_size(sizes))
    columns: list[list[int]] = []
    gap = 0
    for i, c in enumerate(covered):
        if c:
            if not columns or gap >= min_gap:
                columns.append([i, i])
            columns[-1][1] = i
            gap = 0
        else:
            gap += 1
    if not 2 <= len(columns) <= 12:
        return None
    edges = [x0] + [lo + (a[1] + b[0]) / 2 for a, b in zip(columns, columns[1:])] + [x1]
    spans = [(edges[j], edges[j + 1]) for j in range(len(columns))]
    rows_with_text = [i for i, cs in enumerate(band_chars) if cs]
    multi = sum(1 for i in rows_with_text if len({j for c in band_chars[i] for j, (a, b) in enumerate(spans) if a <= c.mid_x <= b}) >= 2)
    if len(rows_with_text) < 2 or multi < 0.5 * len(rows_with_text):
        return None
    grid = [[(a, bands[i][0], b, bands[i][1]) for a, b in spans] for i in rows_with_text]
    bbox = (x0, stack[0][0], x1, stack[-1][0])
    return _build(objects, chars, grid, bbox)


def dominant_size(sizes: list[float]) -> float:
    return max(set(sizes), key=sizes.count)


def find_text_tables(objects: PageObjects, lines: list[Line]) -> list[TableDraft]:
    """Tables without ruling, only where the text forms a clear grid: at least three consecutive
    lines, each split by wide gaps into at least three stretches that start at the same x
    positions. Each such line is one row; the stretches are its cells."""
    if not lines:
        return []
    drafts: list[TableDraft] = []
    run: list[tuple[Line, list[tuple[float, float, int]]]] = []

    def aligned(a: list, b: list) -> bool:
        return len(a) == len(b) and all(abs(x[0] - y[0]) <= 3 or abs(x[1] - y[1]) <= 3 for x, y in zip(a, b))

    def close() -> None:
        if len(run) >= 3:
            draft = _text_table(objects, run)
            if draft is not None:
                drafts.append(draft)
        run.clear()

    for line in sorted(lines, key=lambda l: l.top):
        segments = split_at_gaps(line, 2.0 * line.size)
        if len(segments) >= 3 and (not run or (aligned(run[-1][1], segments) and line.top - run[-1][0].bottom < 2.5 * line.size)):
            run.append((line, segments))
            continue
        close()
        if len(segments) >= 3:
            run.append((line, segments))
    close()
    return drafts


def _text_table(objects: PageObjects, run: list[tuple[Line, list]]) -> TableDraft | None:
    columns = len(run[0][1])
    rows: list[Row] = []
    for line, segments in run:
        cells = []
        for x0, x1, _ in segments:
            chars = [c for c in line.chars if x0 - 0.5 <= c.mid_x <= x1 + 0.5]
            cell, _ = read_cell(objects, chars, (x0, line.top, x1, line.bottom))
            cells.append(cell)
        rows.append(Row(cells=tuple(cells), page=objects.number, bbox=_box((line.x0, line.top, line.x1, line.bottom))))
    # Prose never has three short stretches per line on three lines running; demand it.
    short = sum(1 for r in rows for c in r.cells if len(c.text.split()) <= 6)
    if short < 0.8 * columns * len(rows):
        return None
    x1 = max(l.x1 for l, _ in run)
    bbox = (min(l.x0 for l, _ in run), run[0][0].top, x1, run[-1][0].bottom)
    bolds = [[1.0 if line.bold else 0.0] * columns for line, _ in run]
    xs = [s[0] for s in run[0][1]]
    return _finish(objects.number, bbox, xs, rows, bolds)


# --------------------------------------------------------------------------- page breaks


def _key(texts) -> tuple[str, ...]:
    return tuple(fold_whitespace(t).lower() for t in texts if t and t.strip())


def continues(prev: TableDraft, nxt: TableDraft) -> bool:
    """Whether `nxt` (first thing on its page) carries on `prev` (last thing on the page before):
    the same header, or the same number of columns at the same x positions."""
    if prev.header and nxt.header and _key(prev.header) == _key(nxt.header):
        return True
    if nxt.header and prev.header:
        return False
    if len(prev.columns) != len(nxt.columns):
        return False
    return all(abs(a - b) <= COLUMN_TOLERANCE for a, b in zip(prev.columns, nxt.columns))


def _merge_cells(a: Cell, b: Cell) -> Cell:
    if not b.text and not b.fills:
        return a
    if not a.text:
        return Cell(text=b.text, lines=b.lines, fills=a.fills + tuple(f for f in b.fills if f not in a.fills), bbox=a.bbox or b.bbox)
    lines = list(a.lines)
    extra = list(b.lines)
    if lines and extra and not SENTENCE_END.search(lines[-1]) and extra[0][:1].islower():
        lines[-1] = join_lines([lines[-1], extra.pop(0)])
    lines.extend(extra)
    fills = a.fills + tuple(f for f in b.fills if f not in a.fills)
    return Cell(text=join_lines([a.text, b.text]), lines=tuple(lines), fills=fills, bbox=a.bbox)


def merge_rows(a: Row, b: Row) -> Row:
    """A row continued across a page break (its first cell empty), merged cell by cell into the
    row it continues; the result keeps the first row's page and box."""
    width = max(len(a.cells), len(b.cells))
    cells_a = list(a.cells) + [Cell()] * (width - len(a.cells))
    cells_b = list(b.cells) + [Cell()] * (width - len(b.cells))
    return Row(cells=tuple(_merge_cells(x, y) for x, y in zip(cells_a, cells_b)), page=a.page, bbox=a.bbox, continued=False)


def _continues_row(last: Row, first: Row) -> bool:
    """Whether the first row after a page break is the rest of the last row before it: its first
    cell is empty, or its first cell carries on a sentence the last row's first cell left open."""
    head = first.cells[0].text
    if not head:
        return True
    before = last.cells[0].text if last.cells else ""
    return head[:1].islower() and bool(before) and not SENTENCE_END.search(before)


def append_continuation(prev: TableDraft, nxt: TableDraft) -> None:
    """Stitch `nxt` onto `prev`: a repeated header is dropped, a first row whose first cell is
    empty is merged into the last row."""
    rows = list(nxt.rows)
    if nxt.header and _key(nxt.header) != _key(prev.header):
        # Not a repeat of prev's header after all: it is data.
        rows.insert(0, Row(cells=tuple(Cell(text=t, lines=(t,) if t else ()) for t in nxt.header), page=nxt.page))
    # Further header rows repeated under the header (a units row: "£m | £m").
    top_keys = {_key(r.texts) for r in prev.rows[:2]}
    while rows and prev.rows and _key(rows[0].texts) in top_keys and not rows[0].cells[0].text:
        rows.pop(0)
    if rows and prev.rows and rows[0].cells and _continues_row(prev.rows[-1], rows[0]):
        prev.rows[-1] = merge_rows(prev.rows[-1], rows.pop(0))
    prev.rows.extend(rows)
    for p in nxt.pages:
        if p not in prev.pages:
            prev.pages.append(p)


def table_text(rows: list[Row]) -> str:
    """A table as text: each row's non-empty cells joined by " | ", one row a line."""
    return "\n".join(" | ".join(t for t in row.texts if t) for row in rows)
