"""Table rows across page breaks, shared by every loader: when a row continues the one before
it, and how the two merge."""

from __future__ import annotations

from pipeline.loaders.pdf_lines import SENTENCE_END, join_lines
from schemas.document import Cell, Row


def merge_cells(a: Cell, b: Cell) -> Cell:
    """Cell `b` (after the break) appended to cell `a`; a sentence left open joins its line."""
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
    """A row continued across a page break merged cell by cell into the row it continues; the
    result keeps the first row's page, box and span start."""
    width = max(len(a.cells), len(b.cells))
    cells_a = list(a.cells) + [Cell()] * (width - len(a.cells))
    cells_b = list(b.cells) + [Cell()] * (width - len(b.cells))
    span = a.span.model_copy(update={"end": b.span.end}) if a.span and b.span else a.span
    return Row(cells=tuple(merge_cells(x, y) for x, y in zip(cells_a, cells_b)), page=a.page, bbox=a.bbox, span=span)


def key_column(rows: list[Row]) -> int:
    """The first column filled in (nearly) every row: a row without it continues the last one."""
    if not rows:
        return 0
    width = max(len(r.cells) for r in rows)
    for col in range(width):
        filled = sum(1 for r in rows if col < len(r.cells) and r.cells[col].text.strip())
        if filled >= 0.8 * len(rows):
            return col
    return 0


def continues_row(rows: list[Row], row: Row, following: list[Row] | tuple[Row, ...] = ()) -> bool:
    """Whether `row`, the first after a page break, is the rest of the last of `rows`: its key
    column (judged over the rows on both sides of the break) is empty, or the key column
    carries on a sentence the row before left open."""
    if not rows or not row.cells:
        return False
    col = key_column([*rows, row, *following])
    head = row.cells[col].text if col < len(row.cells) else ""
    if not head.strip():
        return True
    before = rows[-1].cells[col].text if col < len(rows[-1].cells) else ""
    return head[:1].islower() and bool(before) and not SENTENCE_END.search(before)
