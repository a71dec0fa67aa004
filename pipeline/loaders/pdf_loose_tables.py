"""Tables drawn without column rules, found from how their text lines up.

Word often rules a table with horizontal lines only; some tables have no lines at all. Both are
taken only when the text falls into the same columns row after row: a false table scrambles
prose, so these finders are deliberately strict.
"""

from __future__ import annotations

from pipeline.loaders.pdf_lines import Line, group_lines, split_at_gaps
from pipeline.loaders.pdf_objects import Char, PageObjects
from pipeline.loaders.pdf_regions import TILE_FIGURE, TILE_SCALE
from pipeline.loaders.pdf_tables import TableDraft, build_table, finish_table, read_cell, to_bbox
from schemas.document import Row


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
    return build_table(objects, chars, grid, bbox)


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
    above: Line | None = None  # the line over the run

    def aligned(a: list, b: list) -> bool:
        return len(a) == len(b) and all(abs(x[0] - y[0]) <= 3 or abs(x[1] - y[1]) <= 3 for x, y in zip(a, b))

    def close() -> None:
        if len(run) >= 3 and not _figure_row(above, run[0][0]):
            draft = _text_table(objects, run)
            if draft is not None:
                drafts.append(draft)
        run.clear()

    previous: Line | None = None
    for line in sorted(lines, key=lambda l: l.top):
        segments = split_at_gaps(line, 2.0 * line.size)
        if len(segments) >= 3 and run and aligned(run[-1][1], segments) and line.top - run[-1][0].bottom < 2.5 * line.size:
            run.append((line, segments))
        else:
            close()
            if len(segments) >= 3:
                above = previous
                run.append((line, segments))
        previous = line
    close()
    return drafts


def _figure_row(line: Line | None, first: Line) -> bool:
    """A line of figures in larger type over the run: infographic tiles ("9.6%  158  91.2%" over
    their captions), read tile by tile, not a table whose rows are lines of three captions."""
    if line is None or line.size < TILE_SCALE * first.size or first.top - line.bottom > 3.0 * first.size:
        return False
    pieces = ["".join(c.text for c in line.chars if x0 - 0.5 <= c.mid_x <= x1 + 0.5).strip()
              for x0, x1, _ in split_at_gaps(line, 2.0 * first.size)]
    return len(pieces) >= 2 and all(TILE_FIGURE.match(p) for p in pieces if p)


def _text_table(objects: PageObjects, run: list[tuple[Line, list]]) -> TableDraft | None:
    columns = len(run[0][1])
    rows: list[Row] = []
    for line, segments in run:
        cells = []
        for x0, x1, _ in segments:
            chars = [c for c in line.chars if x0 - 0.5 <= c.mid_x <= x1 + 0.5]
            cell, _ = read_cell(objects, chars, (x0, line.top, x1, line.bottom))
            cells.append(cell)
        rows.append(Row(cells=tuple(cells), page=objects.number, bbox=to_bbox((line.x0, line.top, line.x1, line.bottom))))
    # Prose never has three short stretches per line on three lines running; demand it.
    short = sum(1 for r in rows for c in r.cells if len(c.text.split()) <= 6)
    if short < 0.8 * columns * len(rows):
        return None
    x1 = max(l.x1 for l, _ in run)
    bbox = (min(l.x0 for l, _ in run), run[0][0].top, x1, run[-1][0].bottom)
    bolds = [[1.0 if line.bold else 0.0] * columns for line, _ in run]
    xs = [s[0] for s in run[0][1]]
    return finish_table(objects.number, bbox, xs, rows, bolds)
