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


@dataclass
class TableDraft:
    """A table found on one page, before stitching and before it becomes a `Block`."""

    page: int
    bbox: tuple[float, float, float, float]
    columns: tuple[float, ...]  # x of each column's left edge, then the right edge of the last
    rows: list[Row]
    header: tuple[str, ...] = ()
    pages: list[int] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.bbox[1]


class _EdgePage:
    """The little of a pdfplumber `Page` that `TableFinder` reads: edges, bbox and words."""

    def __init__(self, objects: PageObjects, words: list[dict] | None = None):
        self.edges = list(objects.edges)
        self.bbox = (0, 0, objects.width, objects.height)
        self._words = words or []

    def extract_words(self, **_settings) -> list[dict]:
        return self._words


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


def cell_items(lines: list[Line]) -> list[str]:
    """A cell's visual lines regrouped into items: a new item where a line starts with a bullet,
    where a numbered line follows a finished sentence, or where the gap above is wider than the
    cell's line spacing. Bullets are dropped; numbers are kept."""
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
    items = cell_items(lines)
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


def is_header(cells: list[Cell], bold: list[float], next_cells: list[Cell] | None) -> bool:
    """Whether a table's first row is its header: set in bold, on a filled background that the next
    row does not share, or all short labels with no numbers."""
    texts = [c.text for c in cells if c.text]
    if len(texts) < 2 and not (len(texts) == 1 and len(cells) == 1):
        return False
    filled_bold = [b for c, b in zip(cells, bold) if c.text]
    if filled_bold and min(filled_bold) >= 0.7:
        return True
    fills = {f for c in cells for f in c.fills}
    next_fills = {f for c in next_cells or [] for f in c.fills}
    if fills and fills != next_fills and all(c.fills for c in cells if c.text):
        return True
    if all(len(t.split()) <= HEADER_MAX_WORDS and not NUMERIC.match(t) for t in texts):
        following = [c.text for c in next_cells or [] if c.text]
        return any(len(t.split()) > HEADER_MAX_WORDS or NUMERIC.match(t) for t in following)
    return False


def _build(objects: PageObjects, chars: list[Char], grid: list[list[tuple | None]], bbox) -> TableDraft | None:
    """Turn a grid of cell boxes (None where a neighbour spans) into a table draft, or None when it
    does not read as a table."""
    index = _CharIndex(_chars_in(chars, bbox))
    rows: list[Row] = []
    bolds: list[list[float]] = []
    filled = positions = 0
    for boxes in grid:
        cells: list[Cell] = []
        row_bold: list[float] = []
        for b in boxes:
            if b is None:
                cells.append(Cell())
                row_bold.append(0.0)
                continue
            positions += 1
            cell, bold = read_cell(objects, index.inside(b), b)
            filled += bool(cell.text)
            cells.append(cell)
            row_bold.append(bold)
        present = [b for b in boxes if b is not None]
        row_box = (min(b[0] for b in present), min(b[1] for b in present), max(b[2] for b in present), max(b[3] for b in present))
        rows.append(Row(cells=tuple(cells), page=objects.number, bbox=_box(row_box)))
        bolds.append(row_bold)
    if filled < 2 or filled < 0.2 * positions:
        return None
    # Drop rows that hold nothing at all (spacer rows).
    keep = [i for i, r in enumerate(rows) if any(c.text or c.fills for c in r.cells)]
    rows = [rows[i] for i in keep]
    bolds = [bolds[i] for i in keep]
    if len(rows) < 2:
        return None
    xs = sorted({round(b[0], 1) for boxes in grid for b in boxes if b} | {round(bbox[2], 1)})
    header: tuple[str, ...] = ()
    if is_header(list(rows[0].cells), bolds[0], list(rows[1].cells)):
        header = tuple(c.text for c in rows[0].cells)
        rows = rows[1:]
    return TableDraft(page=objects.number, bbox=bbox, columns=tuple(xs), rows=rows, header=header, pages=[objects.number])


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
    return drafts


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
    # Prose never has three numeric-or-short stretches per line on three lines running; demand it.
    short = sum(1 for r in rows for c in r.cells if len(c.text.split()) <= 6)
    if short < 0.8 * columns * len(rows):
        return None
    x0 = min(l.x0 for l, _ in run)
    x1 = max(l.x1 for l, _ in run)
    bbox = (x0, run[0][0].top, x1, run[-1][0].bottom)
    header: tuple[str, ...] = ()
    first = run[0][0]
    bold = [1.0 if first.bold else 0.0] * columns
    if is_header(list(rows[0].cells), bold, list(rows[1].cells)):
        header = tuple(c.text for c in rows[0].cells)
        rows = rows[1:]
    xs = tuple(round(s[0], 1) for s in run[0][1]) + (round(x1, 1),)
    return TableDraft(page=objects.number, bbox=bbox, columns=xs, rows=rows, header=header, pages=[objects.number])


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


def append_continuation(prev: TableDraft, nxt: TableDraft) -> None:
    """Stitch `nxt` onto `prev`: a repeated header is dropped, a first row whose first cell is
    empty is merged into the last row."""
    rows = list(nxt.rows)
    if nxt.header and _key(nxt.header) != _key(prev.header):
        # Not a repeat of prev's header after all: it is data.
        rows.insert(0, Row(cells=tuple(Cell(text=t, lines=(t,) if t else ()) for t in nxt.header), page=nxt.page))
    if rows and prev.rows and rows[0].cells and not rows[0].cells[0].text:
        prev.rows[-1] = merge_rows(prev.rows[-1], rows.pop(0))
    prev.rows.extend(rows)
    for p in nxt.pages:
        if p not in prev.pages:
            prev.pages.append(p)


def table_text(rows: list[Row]) -> str:
    """A table as text: each row's non-empty cells joined by " | ", one row a line."""
    return "\n".join(" | ".join(t for t in row.texts if t) for row in rows)
