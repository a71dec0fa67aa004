"""Runs and panels: the units a PDF page is cut into regions with (see `pdf_regions`).

A *run* is a stretch of characters on one baseline, in the order the PDF paints them, cut where a
gap wider than about an em opens (or a narrower one where the type changes: a bold label, then
text). A run lies within one column, so the cuts between columns are found among runs before any
line is made.

A *panel* is a box drawn around text: a filled shape (a coloured box, a speech bubble) or an
outline, holding at least one run and cut by none, not a highlight behind a line, not cutting a
table. Panels nest. Boxes of one height touching side by side are a row (one more panel around
them); one-line boxes touching on one baseline are one strip ("C1" | "Grow our own").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.loaders.pdf_objects import Char

# A run ends where the next glyph is further away than this (ems, and points at least).
RUN_GAP = 0.9
RUN_GAP_MIN = 4.0
# ... or, where the type changes (bold to regular, or size), further than this (ems).
STYLE_GAP = 0.4
# Smallest box that can be a panel (points), and most candidate boxes looked at on one page.
PANEL_MIN_WIDTH = 20.0
PANEL_MIN_HEIGHT = 12.0
MAX_PANEL_CANDIDATES = 400
# A box of a line or two fitting its text closer than this (points) at a side is a highlight
# behind the text, not a panel around it.
HIGHLIGHT_PAD = 1.5


@dataclass(slots=True)
class Run:
    """Characters on one baseline between wide gaps. x0/x1 span the visible glyphs; y0/y1 are a
    tight band around the glyphs' middle, so that lines one above the other do not touch."""

    chars: list[Char]
    x0: float
    x1: float
    y0: float
    y1: float
    top: float
    bottom: float
    size: float
    row: int = -1

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars).strip()


@dataclass
class Panel:
    """A box around text: its drawn bounds, the runs directly in it, the panels and tables in it."""

    box: tuple[float, float, float, float]
    runs: list[Run] = field(default_factory=list)  # directly inside (not in a child panel)
    children: list["Panel"] = field(default_factory=list)
    tables: list = field(default_factory=list)
    rows: int = 0


def make_runs(chars: list[Char]) -> list[Run]:
    """Cut the characters, in painting order, into runs; spaces go with the run they follow."""
    runs: list[Run] = []
    current: list[Char] = []
    pending: list[Char] = []
    last_x0 = last_x1 = last_bottom = last_size = 0.0
    last_bold = False
    started = False
    for c in chars:
        if c.text == " ":
            (current if current else pending).append(c)
            continue
        if started:
            size = c.size if c.size > last_size else last_size
            if size < 1.0:
                size = 1.0
            gap = c.x0 - last_x1
            if c.bold != last_bold or abs(c.size - last_size) > 0.5:
                limit = STYLE_GAP * size  # "Monitoring progress  To monitor ...": a label, then text
            else:
                limit = RUN_GAP * size if RUN_GAP * size > RUN_GAP_MIN else RUN_GAP_MIN
            if not (abs(c.bottom - last_bottom) <= 0.3 * size and -0.3 * size <= gap <= limit and c.x0 >= last_x0 - 0.5):
                runs.append(_run(current))
                current = []
        if pending:
            current.extend(pending)
            pending = []
        current.append(c)
        last_x0, last_x1, last_bottom, last_size, last_bold = c.x0, c.x1, c.bottom, c.size, c.bold
        started = True
    if current:
        runs.append(_run(current))
    _number_rows(runs)
    return runs


def _run(chars: list[Char]) -> Run:
    visible = [c for c in chars if c.text != " "]
    n = len(visible)
    middle = visible[n // 2]
    size = middle.size if n < 3 else sorted(c.size for c in visible)[n // 2]
    mid = (middle.top + middle.bottom) / 2 if n < 3 else sorted(c.top + c.bottom for c in visible)[n // 2] / 2
    x0 = x1 = None
    top = bottom = None
    for c in visible:
        if x0 is None:
            x0, x1, top, bottom = c.x0, c.x1, c.top, c.bottom
            continue
        if c.x0 < x0:
            x0 = c.x0
        if c.x1 > x1:
            x1 = c.x1
        if c.top < top:
            top = c.top
        if c.bottom > bottom:
            bottom = c.bottom
    return Run(chars=chars, x0=x0, x1=x1, y0=mid - 0.35 * size, y1=mid + 0.35 * size, top=top, bottom=bottom, size=size)


def _number_rows(runs: list[Run]) -> None:
    """Runs sharing a baseline get one row number (rows count lines without forming them)."""
    row = -1
    anchor = None
    for run in sorted(runs, key=lambda r: (r.y0 + r.y1) / 2):
        mid = (run.y0 + run.y1) / 2
        if anchor is None or mid - anchor > 0.5 * run.size:
            row += 1
            anchor = mid
        run.row = row


def contains(outer, inner, tolerance: float = 1.0) -> bool:
    return (outer[0] - tolerance <= inner[0] and outer[1] - tolerance <= inner[1]
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


def _inside(run: Run, box) -> int:
    """1 when every glyph of the run has its centre in the box, 0 when none has, -1 when it is cut."""
    inside = outside = 0
    for c in run.chars:
        if c.text == " ":
            continue
        x, y = (c.x0 + c.x1) / 2, (c.top + c.bottom) / 2
        if box[0] <= x <= box[2] and box[1] <= y <= box[3]:
            inside += 1
        else:
            outside += 1
        if inside and outside:
            return -1
    return 1 if inside else 0


def find_panels(boxes: list[tuple[float, float, float, float]], runs: list[Run], tables: list) -> list[Panel]:
    """Boxes that frame text: at least one run inside, none cut by a side, no line of text running
    on across a side (a run inside with another on its baseline just outside), not cutting a
    table. Returned as a tree (children inside their smallest enclosing panel), outermost first."""
    seen: set[tuple[int, int, int, int]] = set()
    candidates = []
    for b in sorted(boxes, key=lambda b: -(b[2] - b[0]) * (b[3] - b[1])):
        if b[2] - b[0] < PANEL_MIN_WIDTH or b[3] - b[1] < PANEL_MIN_HEIGHT:
            continue
        key = tuple(round(v) for v in b)
        if key in seen:
            continue
        seen.add(key)
        candidates.append(b)
        if len(candidates) >= MAX_PANEL_CANDIDATES:
            break
    table_boxes = [t.bbox for t in tables]
    accepted: list[tuple[tuple, list[Run]]] = []
    for box in candidates:
        if any(overlaps(box, t) and not contains(box, t) for t in table_boxes):
            continue
        inside: list[Run] = []
        ok = True
        for run in runs:
            if run.x1 < box[0] - 1 or run.x0 > box[2] + 1 or run.bottom < box[1] - 1 or run.top > box[3] + 1:
                continue
            where = _inside(run, box)
            if where < 0:
                ok = False
                break
            if where:
                inside.append(run)
        if not ok or not inside:
            continue
        if _runs_on(inside, runs, box):
            continue
        pads = (min(r.x0 for r in inside) - box[0], box[2] - max(r.x1 for r in inside))
        if min(pads) < HIGHLIGHT_PAD and len({r.row for r in inside}) <= 2:
            continue  # a highlight behind a line of text, not a box around it
        if ok:
            accepted.append((box, inside))
    # Boxes that overlap without one holding the other: keep the one holding more text.
    kept: list[tuple[tuple, list[Run]]] = []
    for box, inside in sorted(accepted, key=lambda a: -len(a[1])):
        if any(overlaps(box, k) and not contains(box, k) and not contains(k, box) for k, _ in kept):
            continue
        kept.append((box, inside))
    kept = _join_strips(kept)
    kept += _rows_of_boxes(kept)
    kept.sort(key=lambda k: (k[0][2] - k[0][0]) * (k[0][3] - k[0][1]), reverse=True)
    panels = [Panel(box=box) for box, _ in kept]
    parent: dict[int, Panel | None] = {}
    for i, panel in enumerate(panels):
        best = None
        for other in panels[:i]:
            if contains(other.box, panel.box):
                best = other  # later (smaller) enclosing panels win
        parent[id(panel)] = best
        if best is not None:
            best.children.append(panel)
    owner: dict[int, Panel] = {}
    for panel, (_, inside) in zip(panels, kept):
        for run in inside:
            current = owner.get(id(run))
            if current is None or contains(current.box, panel.box):
                owner[id(run)] = panel
    for run in runs:
        panel = owner.get(id(run))
        if panel is not None:
            panel.runs.append(run)
    for panel, (_, inside) in zip(panels, kept):
        panel.rows = len({r.row for r in inside})
    return [p for p in panels if parent[id(p)] is None]


def _join_strips(kept: list[tuple[tuple, list[Run]]]) -> list[tuple[tuple, list[Run]]]:
    """Boxes side by side that touch, of one height, each holding one line on the same baseline
    ("C1" in a dark box, "Grow our own" in the pale bar beside it) are one strip: one line."""
    kept = list(kept)

    def heads_column(box) -> bool:  # a box straight below it: this one is a column's heading
        return any(abs(k[0] - box[0]) <= 3 and abs(k[2] - box[2]) <= 3 and 0 <= k[1] - box[3] <= 3 * (box[3] - box[1])
                   for k, _ in kept)

    changed = True
    while changed:
        changed = False
        for i, (a, runs_a) in enumerate(kept):
            rows_a = {r.row for r in runs_a}
            if len(rows_a) != 1:
                continue
            for j, (b, runs_b) in enumerate(kept):
                if i == j or {r.row for r in runs_b} != rows_a:
                    continue
                if abs(a[2] - b[0]) <= 1.5 and abs(a[1] - b[1]) <= 1.5 and abs(a[3] - b[3]) <= 1.5 and not (
                        heads_column(a) and heads_column(b)):
                    merged = ((a[0], min(a[1], b[1]), b[2], max(a[3], b[3])), runs_a + runs_b)
                    kept = [k for n, k in enumerate(kept) if n not in (i, j)] + [merged]
                    changed = True
                    break
            if changed:
                break
    return kept


def _rows_of_boxes(kept: list[tuple[tuple, list[Run]]]) -> list[tuple[tuple, list[Run]]]:
    """Boxes of one height touching side by side (a code box and its statement, shaded cells of a
    table drawn without rules) make a row: one more panel around them, so that rows stay whole
    and a row's cells are read one after another."""
    order = sorted(range(len(kept)), key=lambda i: kept[i][0][0])
    rows: list[list[int]] = []
    for i in order:
        box = kept[i][0]
        for row in rows:
            last = kept[row[-1]][0]
            if abs(last[2] - box[0]) <= 1.5 and abs(last[1] - box[1]) <= 1.5 and abs(last[3] - box[3]) <= 1.5:
                row.append(i)
                break
        else:
            rows.append([i])
    out = []
    for row in rows:
        if len(row) < 2:
            continue
        boxes = [kept[i][0] for i in row]
        union = (boxes[0][0], min(b[1] for b in boxes), boxes[-1][2], max(b[3] for b in boxes))
        if any(overlaps(union, k) and not contains(union, k) and not contains(k, union) for k, _ in kept):
            continue
        out.append((union, [r for i in row for r in kept[i][1]]))
    return out


def _runs_on(inside: list[Run], runs: list[Run], box) -> bool:
    """Whether a line inside the box goes on outside it, after a gap no wider than a tab: a box
    highlighting part of a line, not a panel."""
    rows = {r.row for r in inside}
    members = {id(r) for r in inside}
    for run in runs:
        if run.row not in rows or id(run) in members or not (run.x0 >= box[2] or run.x1 <= box[0]):
            continue
        for other in inside:
            if other.row != run.row or abs(other.size - run.size) > 0.5 or abs(other.bottom - run.bottom) > 0.15 * run.size:
                continue
            if max(run.x0 - other.x1, other.x0 - run.x1) < 1.2 * run.size:
                return True
    return False


def overlaps(a, b) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def place_tables(panels: list[Panel], tables: list) -> list:
    """Give each table to the smallest panel holding it; return those left for the page."""
    left = []
    for table in tables:
        holder = None
        stack = list(panels)
        while stack:
            panel = stack.pop()
            if contains(panel.box, table.bbox):
                holder = panel
                stack = list(panel.children)
        if holder is None:
            left.append(table)
        else:
            holder.tables.append(table)
    return left


def panel_runs(panel: Panel) -> list[Run]:
    out = list(panel.runs)
    for child in panel.children:
        out.extend(panel_runs(child))
    return out


def panel_extent(panel: Panel) -> tuple[float, float, float, float]:
    """Where a panel's content lies (x0, x1, y0, y1): its text and tables, not its drawn sides, so
    that a label poking into the box's padding still stands apart from the box's text."""
    runs = panel_runs(panel)
    xs0 = [r.x0 for r in runs] + [t.bbox[0] for t in panel.tables]
    xs1 = [r.x1 for r in runs] + [t.bbox[2] for t in panel.tables]
    ys0 = [r.y0 for r in runs] + [t.bbox[1] for t in panel.tables]
    ys1 = [r.y1 for r in runs] + [t.bbox[3] for t in panel.tables]
    return min(xs0), max(xs1), min(ys0), max(ys1)


def panel_chars(panel: Panel) -> int:
    return sum(1 for r in panel_runs(panel) for c in r.chars if c.text != " ")
