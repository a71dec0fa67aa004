"""Tables that run over a page break, stitched into one: the repeated header row dropped, the row
cut by the break merged back into the row it continues."""

from __future__ import annotations

from pipeline.loaders.pdf_lines import fold_whitespace
from pipeline.loaders.pdf_tables import TableDraft
from pipeline.loaders.rows import continues_row, merge_rows
from schemas.document import Cell, Row

# Column positions of two table parts match when every boundary is within this many points.
COLUMN_TOLERANCE = 4.0


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
    if rows and prev.rows and rows[0].cells and continues_row(prev.rows, rows[0], rows[1:]):
        prev.rows[-1] = merge_rows(prev.rows[-1], rows.pop(0))
    prev.rows.extend(rows)
    for p in nxt.pages:
        if p not in prev.pages:
            prev.pages.append(p)


def table_text(rows: list[Row]) -> str:
    """A table as text: each row's non-empty cells joined by " | ", one row a line."""
    return "\n".join(" | ".join(t for t in row.texts if t) for row in rows)
