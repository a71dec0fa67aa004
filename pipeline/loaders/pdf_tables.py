"""Ruled tables on a PDF page: pdfplumber's table finder run on the page's ruling edges, cells read
from our characters, header rows recognised.

Ruled tables come from pdfplumber's `TableFinder` ("lines" strategy) fed with the edges
`pdf_objects` read. Tables without (column) rules are in `pdf_loose_tables`; tables continued over
a page break are stitched in `pdf_stitch`.
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


def to_bbox(b) -> BBox:
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
    pitches = [b.baseline - a.baseline for a, b in zip(lines, lines[1:])]
    spacing = min(pitches) if pitches else 0.0
    for i, line in enumerate(lines):
        text = line.text
        marker = list_marker(line)
        bullet = bool(marker) and is_bullet_char(text[0])
        new = not items
        if items and not new:
            prev = lines[i - 1]
            pitch = line.baseline - prev.baseline
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
        bbox=to_bbox(bbox),
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


def _under_header(header: tuple[str, ...], row: Row) -> bool:
    """Whether a row is the lower half of a two-row header: the header spans columns (empty
    cells after a label) that this row names, and this row leaves empty the columns the header
    names alone ("2025/26" over "Q1 Q2 Q3 Q4"; "Ref" over nothing)."""
    texts = row.texts
    if len(texts) != len(header) or not any(not h for h in header):
        return False
    spanned = [j for j, h in enumerate(header) if not h and j > 0]
    return any(texts[j] for j in spanned) and any(h and not t for h, t in zip(header, texts))


def combine_headers(top: tuple[str, ...], below: tuple[str, ...]) -> tuple[str, ...]:
    """A two-row header as one: the upper label carried over the columns it spans.

    >>> combine_headers(("Ref", "2025/26", "", "Status"), ("", "Q1", "Q2", ""))
    ('Ref', '2025/26 Q1', '2025/26 Q2', 'Status')
    """
    out = []
    carry = ""
    for upper, lower in zip(top, below):
        if upper:
            carry = upper
        label = upper or (carry if lower else "")
        out.append(" ".join(t for t in (label, lower) if t))
    return tuple(out)


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


def build_table(objects: PageObjects, chars: list[Char], grid: list[list[tuple | None]], bbox) -> TableDraft | None:
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
        rows.append(Row(cells=tuple(cells), page=objects.number, bbox=to_bbox(row_box)))
        bolds.append(row_bold)
    if filled < 2 or filled < 0.2 * positions:
        return None
    xs = sorted({b[0] for boxes in grid for b in boxes if b})
    return finish_table(objects.number, bbox, xs, rows, bolds)


def finish_table(page: int, bbox, xs: list[float], rows: list[Row], bolds: list[list[float]]) -> TableDraft | None:
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
        rows, bolds = rows[1:], bolds[1:]
        if len(rows) >= 2 and _under_header(header, rows[0]) and is_header(list(rows[0].cells), bolds[0], [list(r.cells) for r in rows[1:]]):
            header = combine_headers(header, tuple(c.text for c in rows[0].cells))
            rows = rows[1:]
    return TableDraft(page=page, bbox=tuple(bbox), columns=columns, rows=rows, header=header, pages=[page], caption=caption)


def find_ruled_tables(objects: PageObjects, boxes: list | None = None) -> list[TableDraft]:
    """Tables drawn with ruling lines or cell backgrounds, at least two rows by two columns. The
    cells of a grid of one row (a ruled key: "On track | Slipping | Off track") are added to
    `boxes`, when given: they are boxes around text all the same. (One-column grids are not:
    Word rules them around every line of a boxed paragraph.)"""
    if not has_ruling(objects):
        return []
    finder = TableFinder(_EdgePage(objects), LINES_SETTINGS)
    chars = [c for c in objects.chars if c.text.strip() or c.text == " "]
    drafts = []
    for table in finder.tables:
        grid = [list(row.cells) for row in table.rows]
        columns = max((len(r) for r in grid), default=0)
        if len(grid) < 2 or columns < 2:
            if boxes is not None and len(grid) == 1 and columns >= 2:
                boxes.extend(tuple(cell) for cell in grid[0] if cell)
            continue
        draft = build_table(objects, chars, grid, table.bbox)
        if draft is not None:
            drafts.append(draft)
    return _outermost(drafts)


def _outermost(drafts: list[TableDraft]) -> list[TableDraft]:
    """Tables nested in a cell of another table are already part of that cell's text."""

    def inside(a, b) -> bool:
        return a is not b and a.bbox[0] >= b.bbox[0] - 1 and a.bbox[1] >= b.bbox[1] - 1 and a.bbox[2] <= b.bbox[2] + 1 and a.bbox[3] <= b.bbox[3] + 1

    return [d for d in drafts if not any(inside(d, other) for other in drafts)]
