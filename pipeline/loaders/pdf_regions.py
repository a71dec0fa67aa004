"""Regions of a PDF page in reading order: panels, columns and bands, found before any line is made.

Layout before meaning: a page is cut into regions first, and lines and blocks are then formed
inside one region at a time, so that a block never mixes the text of two columns, or of a box and
what lies around it. Reading order is a property of regions: columns left to right within a band,
bands top to bottom.

1. *Runs* and *panels* (`pdf_panels`): stretches of one line between wide gaps, and boxes drawn
   around text (filled or outlined) that no run crosses. Panels nest; each one is segmented on
   its own and is one atom in its parent.
2. A recursive XY-cut over the atoms of the page (runs, panels, tables). A *vertical cut* is a
   strip that no atom crosses, or only a few (titles, a full-width box): it splits the atoms into
   columns, and the atoms crossing it cut the columns into bands read one after another. A cut
   counts between columns of prose (the existing rules: lines on both sides, balanced, text reaching
   the gutter), beside a panel or table, or to the right of a short margin label ("Our goals").
   Without one, the atoms are cut into horizontal *slabs* at the gaps between them; neighbouring
   slabs that share a gutter stay together as one band (two columns whose paragraph breaks happen
   to line up are still two columns), and each slab or band is cut again.
3. What cannot be cut further is a *flow*: consecutive flows of one container become one region.

    >>> from pipeline.loaders.pdf_objects import Char
    >>> def word(text, x, y):
    ...     return [Char(ch, x + 6 * i, y, x + 6 * i + 5, y + 10, 10.0, False, "F") for i, ch in enumerate(text)]
    >>> chars = [c for y in range(100, 160, 12) for c in word("the left column text", 50, y) + word("and the right column", 200, y)]
    >>> [len(r.chars) for r in page_regions(chars, 400, 600, 10.0)]
    [100, 100]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.loaders.pdf_lines import NUMBER_MARKER, is_bullet_char
from pipeline.loaders.pdf_objects import Char
from pipeline.loaders.pdf_panels import (
    RUN_GAP_MIN,
    Panel,
    Run,
    contains,
    find_panels,
    make_runs,
    panel_chars,
    panel_extent,
    panel_runs,
    place_tables,
)

# Running headers and footers live in this share of the page height at the top and bottom; they do
# not vote on where the gutters are.
MARGIN_ZONE = 0.08
# A column gutter: share of body rows allowed to cross it, and its narrowest width (points).
GUTTER_CROSSING = 0.1
GUTTER_MIN_WIDTH = 6.0
MIN_COLUMN_LINES = 4
# A row of prose has at least this many characters (a column of prose, MIN_COLUMN_LINES such rows).
PROSE_ROW_CHARS = 15
# Beside a panel or a table, a gutter this narrow (points) is enough; a panel's drawn side this
# close to the gutter (points) backs it.
PANEL_GUTTER = 1.0
PANEL_REACH = 4.0
# Margin labels ("Our goals" beside the goals): at most this many rows of at most this many words.
LABEL_MAX_ROWS = 4
LABEL_MAX_WORDS = 5
# ... set apart from the text beside them by at least this much (ems of that text): more than a
# word space, since labels are also set in bold or larger type than the text.
LABEL_GAP = 0.45
# A tile of an infographic ("9.6%" over "of mothers are smokers at the time of delivery"): a figure
# set at least this much larger than the caption under it.
TILE_FIGURE = re.compile(r"^[£$€]?\d[\d,.]*(?:\s*(?:%|per\b|[kmKM]\b|bn\b|\(.*\)))*")
TILE_SCALE = 1.15


@dataclass(slots=True)
class Atom:
    """One unit of the XY-cut: a run, a panel (with everything in it) or a table."""

    kind: str  # "run", "panel" or "table"
    x0: float
    x1: float
    y0: float
    y1: float
    rows: int
    chars: int
    margin: bool = False
    run: Run | None = None
    panel: Panel | None = None
    table: object | None = None


@dataclass
class Region:
    """A part of the page read as one: a flow of text (its characters) or a table. `follows` names
    the region a paragraph cut at its foot may run on from (the column before, in one band)."""

    id: int
    kind: str  # "text" or "table"
    bbox: tuple[float, float, float, float]
    chars: list[Char] = field(default_factory=list)
    table: object | None = None
    follows: int | None = None
    in_panel: bool = False
    bottom: float = 0.0  # the lowest run's tight band: a flow below it may join this region


@dataclass
class _Piece:
    kind: str  # "flow", "panel", "table", "columns"
    runs: list[Run] = field(default_factory=list)
    panel: Panel | None = None
    table: object | None = None
    children: list["_Piece"] = field(default_factory=list)
    columns: list[list["_Piece"]] = field(default_factory=list)


@dataclass
class _Context:
    height: float
    body_size: float

    @property
    def min_gutter(self) -> float:
        return max(GUTTER_MIN_WIDTH, 0.6 * self.body_size)


# --------------------------------------------------------------------------- atoms


def _atoms(runs: list[Run], panels: list[Panel], tables: list, ctx: _Context) -> list[Atom]:
    atoms = []
    top, bottom = MARGIN_ZONE * ctx.height, (1 - MARGIN_ZONE) * ctx.height
    for run in runs:
        mid = (run.y0 + run.y1) / 2
        visible = sum(1 for c in run.chars if c.text != " ")
        atoms.append(Atom("run", run.x0, run.x1, run.y0, run.y1, 1, visible, mid < top or mid > bottom, run=run))
    for panel in panels:
        extent = panel_extent(panel)
        margin = extent[3] < top or extent[2] > bottom
        atoms.append(Atom("panel", *extent, rows=max(panel.rows, 1), chars=panel_chars(panel), margin=margin, panel=panel))
    for table in tables:
        x0, t, x1, b = table.bbox
        chars = sum(len(c.text) for r in table.rows for c in r.cells)
        atoms.append(Atom("table", x0, x1, t, b, rows=len(table.rows) + 1, chars=chars, table=table))
    return atoms


# --------------------------------------------------------------------------- vertical cuts


def _label_side(atoms: list[Atom], other: list[Atom]) -> bool:
    """A column of a few short labels beside a column of text ("Monitoring progress" / its list)."""
    runs = [a.run for a in atoms if a.kind == "run"]
    if len(runs) != len(atoms):
        return False
    rows = {r.row for r in runs}
    other_rows = sum(a.rows for a in other if a.kind != "run") + len({a.run.row for a in other if a.kind == "run"})
    if not rows or len(rows) > LABEL_MAX_ROWS or other_rows < max(MIN_COLUMN_LINES, 3 * len(rows)):
        return False
    other_sizes = sorted(a.run.size for a in other if a.kind == "run")
    other_size = other_sizes[len(other_sizes) // 2] if other_sizes else 0.0
    for run in runs:
        text = run.text
        if not text or len(text.split()) > LABEL_MAX_WORDS or not any(ch.isalpha() for ch in text):
            return False
        if is_bullet_char(text[0]) or NUMBER_MARKER.match(text + " x"):
            return False  # list markers are not labels
        visible = [c for c in run.chars if c.text != " "]
        bold = sum(1 for c in visible if c.bold) >= 0.7 * len(visible)
        if not bold and run.size < other_size + 1.0:
            return False
    return True


def _vertical_cut(atoms: list[Atom], x_lo: float, x_hi: float, ctx: _Context):
    """The best gutter to split the atoms at, (g0, g1, kind), or None. Coverage counts rows of text (a
    panel or table counts its rows); gutters crossed by fewer rows are tried first, up to a tenth
    of the rows (titles, a box across the columns), and the widest valid one wins."""
    body = [a for a in atoms if not a.margin]
    if len(body) < 2:
        return None
    events: list[tuple[float, int]] = []
    for a in body:
        weight = 1 if a.kind == "run" else a.rows
        events.append((a.x0, weight))
        events.append((a.x1, -weight))
    events.sort()
    # Coverage as (x from, x to, rows covering) pieces between the atoms' first and last edges.
    pieces: list[tuple[float, float, int]] = []
    running = 0
    for (x, w), (nx, _) in zip(events, events[1:]):
        running += w
        if nx > x:
            pieces.append((x, nx, running))
    allowed = max(1, int(GUTTER_CROSSING * _rows(body)))
    for level in sorted({c for _, _, c in pieces if c <= allowed}):
        best = _best_gutter(body, pieces, level, allowed, x_lo, x_hi, ctx)
        if best is not None:
            return best
    return None


def _best_gutter(body: list[Atom], pieces: list[tuple[float, float, int]], level: int, allowed: int,
                 x_lo: float, x_hi: float, ctx: _Context):
    """The widest gutter among the stretches covered by at most `level` rows: (g0, g1, kind)."""
    spans: list[list[float]] = []
    for x0, x1, c in pieces:
        if c <= level:
            if spans and spans[-1][1] == x0:
                spans[-1][1] = x1
            else:
                spans.append([x0, x1])
    best = None
    for g0, g1 in spans:
        width = g1 - g0
        # Atoms poking into one edge of the span (a line a little longer than the others) are on
        # that side: the gutter is what is left between them, its width what most lines leave.
        for s in body:
            if s.x0 <= g0 + 0.01 < s.x1 < g1:
                g0 = s.x1
            elif g0 < s.x0 < g1 - 0.01 <= s.x1:
                g1 = s.x0
        if g1 <= g0 or width < PANEL_GUTTER:
            continue
        left = [s for s in body if s.x1 <= g0 + 0.01]
        right = [s for s in body if s.x0 >= g1 - 0.01]
        halves = [half for s in body if _divisible(s, g0, g1) for half in _halves(s, g0, g1)]
        left += [h for h in halves if h.x1 <= g0 + 0.01]
        right += [h for h in halves if h.x0 >= g1 - 0.01]
        if not left or not right:
            continue
        crossing = [s for s in body if s.x1 > g0 + 0.01 and s.x0 < g1 - 0.01 and not _divisible(s, g0, g1)]
        if crossing:
            # What crosses must stand apart (a title above the columns), not level with the
            # columns' own text: that would fold the columns into one band.
            level_with = [s for s in body if any(s.y0 < c.y1 and s.y1 > c.y0 for c in crossing)]
            if _rows(level_with) > allowed:
                continue
        margin = 0.15 * (x_hi - x_lo)
        central = x_lo + margin <= g0 and g1 <= x_hi - margin
        kind = _gutter_kind(left, right, g0, g1, width, central, ctx)
        if kind is None:
            continue
        score = (width, min(sum(s.chars for s in left), sum(s.chars for s in right)))
        if best is None or score > best[0]:
            best = (score, g0, g1, kind)
    return None if best is None else best[1:]


def _gutter_kind(left: list[Atom], right: list[Atom], g0: float, g1: float, width: float, central: bool,
                 ctx: _Context) -> str | None:
    """Why a gutter splits the page, or None: "panel" (boxes at its sides), "prose" (two columns
    of text, or of list items), "label" (a few short labels to the left of a column) or "tiles"
    (infographic figures, each over its caption)."""
    if _marker_share(left, "left") >= 0.5:
        return None  # list numbers and bullets beside their items, not a column of their own
    nearest_left = max(left, key=lambda s: s.x1)
    nearest_right = min(right, key=lambda s: s.x0)
    left_backed = nearest_left.kind != "run" or any(
        s.kind == "panel" and g0 - PANEL_REACH <= s.panel.box[2] <= g1 + PANEL_REACH for s in left)
    right_backed = nearest_right.kind != "run" or any(
        s.kind == "panel" and g0 - PANEL_REACH <= s.panel.box[0] <= g1 + PANEL_REACH for s in right)
    if (left_backed and _boxed(left)) or (right_backed and _boxed(right)):
        return "panel"
    if width >= ctx.min_gutter and central:
        listed = _marker_share(right, "right") >= 0.5  # a column of list items: ragged, short
        if listed and _marker_share(left, "right") >= 0.5:
            # A list set in two columns ("1. ... 6." beside "7. ... 10.").
            if min(_rows(left), _rows(right)) >= MIN_COLUMN_LINES:
                return "prose"
        elif _prose_columns(left, right, g0, sum(s.chars for s in left), sum(s.chars for s in right), listed):
            return "prose"
    if nearest_right.kind == "run" and width >= max(LABEL_GAP * nearest_right.run.size, RUN_GAP_MIN):
        if _label_side(left, right):
            return "label"
    if width >= ctx.min_gutter and _tiles(left, right):
        return "tiles"
    return None


def _figure_heads(atoms: list[Atom]) -> list[Run] | None:
    """The figures heading the tiles on one side of a gutter: runs of a figure set larger than the
    side's captions, over three rows of text at least; None when the side is not tiles. Icons
    drawn as boxes with a word in them ("KS1") may sit above the figures."""
    runs = [a.run for a in atoms if a.kind == "run"]
    if any(a.kind == "table" for a in atoms) or len({r.row for r in runs}) < 3:
        return None
    sizes = sorted(r.size for r in runs)
    caption = sizes[len(sizes) // 2]
    heads = [r for r in runs if r.size >= TILE_SCALE * caption and TILE_FIGURE.match(r.text)]
    return heads or None


def _tiles(left: list[Atom], right: list[Atom]) -> bool:
    """A row of infographic tiles: figures on one line either side of the gutter, each over its
    caption, so that a line of text across the gutter reads two tiles' captions as one sentence."""
    left_heads, right_heads = _figure_heads(left), _figure_heads(right)
    if not left_heads or not right_heads:
        return False
    return any(a.y0 < b.y1 and b.y0 < a.y1 for a in left_heads for b in right_heads)


def _divisible(atom: Atom, g0: float, g1: float) -> bool:
    """Whether a panel spanning the gutter holds nothing that crosses it (a header bar over two
    columns): then its two halves belong to the two columns."""
    if atom.kind != "panel" or not (atom.x0 < g0 and atom.x1 > g1):
        return False
    panel = atom.panel
    parts = [(r.x0, r.x1) for r in panel.runs] + [(c.box[0], c.box[2]) for c in panel.children]
    parts += [(t.bbox[0], t.bbox[2]) for t in panel.tables]
    return all(x1 <= g0 + 0.01 or x0 >= g1 - 0.01 for x0, x1 in parts)


def _halves(atom: Atom, g0: float, g1: float) -> list[Atom]:
    panel = atom.panel
    middle = (g0 + g1) / 2
    out = []
    for keep, box in ((lambda x1, x0: x1 <= g0 + 0.01, (panel.box[0], panel.box[1], middle, panel.box[3])),
                      (lambda x1, x0: x0 >= g1 - 0.01, (middle, panel.box[1], panel.box[2], panel.box[3]))):
        half = Panel(
            box=box,
            runs=[r for r in panel.runs if keep(r.x1, r.x0)],
            children=[c for c in panel.children if keep(c.box[2], c.box[0])],
            tables=[t for t in panel.tables if keep(t.bbox[2], t.bbox[0])],
        )
        if not half.runs and not half.children and not half.tables:
            continue
        half.rows = len({r.row for r in panel_runs(half)}) or 1
        x0, x1, y0, y1 = panel_extent(half)
        out.append(Atom("panel", x0, x1, y0, y1, rows=half.rows, chars=panel_chars(half), margin=atom.margin, panel=half))
    return out


def _prose_rows(atoms: list[Atom]) -> int:
    """Rows of running text (a few words at least) on this side."""
    per_row: dict[int, int] = {}
    boxed = 0
    for a in atoms:
        if a.kind == "run":
            per_row[a.run.row] = per_row.get(a.run.row, 0) + a.chars
        elif a.chars >= PROSE_ROW_CHARS * a.rows:
            boxed += a.rows
    return boxed + sum(1 for n in per_row.values() if n >= PROSE_ROW_CHARS)


def _boxed(atoms: list[Atom]) -> bool:
    """Whether boxes (panels, tables) hold at least half the rows of this side of a gutter: then
    their sides mark the gutter, however narrow; a box within a column of prose does not."""
    boxed = sum(a.rows for a in atoms if a.kind != "run")
    return boxed > 0 and boxed >= 0.5 * _rows(atoms)


def _rows(atoms: list[Atom]) -> int:
    return len({a.run.row for a in atoms if a.kind == "run"}) + sum(a.rows for a in atoms if a.kind != "run")


def _marker_share(atoms: list[Atom], side: str) -> float:
    """Of the rows on this side of a gutter, the share whose run nearest to it is a list marker
    alone ("7.", "•")."""
    nearest: dict[int, Run] = {}
    for a in atoms:
        if a.kind != "run":
            continue
        r = a.run
        best = nearest.get(r.row)
        if best is None or (r.x1 > best.x1 if side == "left" else r.x0 < best.x0):
            nearest[r.row] = r
    if not nearest:
        return 0.0
    markers = sum(1 for r in nearest.values() if _is_marker(r.text))
    return markers / len(nearest)


def _is_marker(text: str) -> bool:
    """A list marker standing alone: "•", "7.", "10)", "(ii)"."""
    if len(text) == 1 and is_bullet_char(text):
        return True
    match = NUMBER_MARKER.match(text + " x")
    return bool(match) and match.group("marker") == text


def _prose_columns(left: list[Atom], right: list[Atom], g0: float, left_chars: int, right_chars: int,
                   listed: bool = False) -> bool:
    """Two columns of running text: enough lines on each side, not lopsided, and the left column's
    lines reaching (near) the gutter: a column of short labels is not a column of text."""
    if _rows(left) < MIN_COLUMN_LINES or _rows(right) < MIN_COLUMN_LINES:
        return False
    if any(_prose_rows(side) < MIN_COLUMN_LINES for side in (left, right)):
        return False  # a column of values or short labels is not a column of text
    balance = 0.2
    if all(_rows(side) >= 8 and sum(a.chars for a in side) >= 20 * _rows(side) for side in (left, right)):
        balance = 0.1  # two columns of prose, one much longer than the other
    if min(left_chars, right_chars) < balance * max(left_chars, right_chars):
        return False
    reach: dict[object, float] = {}
    for s in left:
        key = s.run.row if s.kind == "run" else id(s)
        reach[key] = max(reach.get(key, 0.0), s.x1)
    if listed:
        return True
    left_x0 = min(s.x0 for s in left)
    gaps = sorted(g0 - x for x in reach.values())
    return gaps[len(gaps) // 2] <= 0.35 * max(g0 - left_x0, 1.0)


def _split_vertical(atoms: list[Atom], cut, x_lo: float, x_hi: float, ctx: _Context) -> list[_Piece] | None:
    """Columns either side of the gutter; atoms crossing it (and what sits level with them) make
    full-width bands between the bands of columns."""
    g0, g1, kind = cut
    atoms = [half for a in atoms for half in (_halves(a, g0, g1) if _divisible(a, g0, g1) else [a])]
    side: dict[int, str] = {}
    furniture = _furniture(atoms, ctx)
    for a in atoms:
        if id(a) in furniture:
            continue  # running headers and footers stay whole, across the columns
        if a.x1 <= g0 + 0.5:
            side[id(a)] = "left"
        elif a.x0 >= g1 - 0.5:
            side[id(a)] = "right"
    spans = sorted([a.y0, a.y1] for a in atoms if id(a) not in side)
    members = [a for a in atoms if id(a) in side]
    # Full-width bands: the crossing atoms' heights, grown by any atom level with them.
    changed = True
    while changed:
        changed = False
        merged: list[list[float]] = []
        for s in sorted(spans):
            if merged and s[0] <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], s[1])
            else:
                merged.append(list(s))
        spans = merged
        for a in members:
            for s in spans:
                if a.y0 < s[1] and a.y1 > s[0] and not (s[0] <= a.y0 and a.y1 <= s[1]):
                    s[0], s[1] = min(s[0], a.y0), max(s[1], a.y1)
                    changed = True
    full_ids = {id(a) for a in atoms if id(a) not in side or any(a.y0 < s[1] and a.y1 > s[0] for s in spans)}
    if len(full_ids) == len(atoms):
        return None
    # Slots down the page: band 0 (columns), span 0 (full width), band 1, span 1, ... band n.
    slots: list[list[Atom]] = [[] for _ in range(2 * len(spans) + 1)]
    for a in sorted(atoms, key=lambda a: (a.y0, a.x0)):
        if id(a) in full_ids:
            k = next(i for i, s in enumerate(spans) if a.y0 < s[1] and a.y1 > s[0] or id(a) not in side and s[0] <= a.y0 <= s[1])
            slots[2 * k + 1].append(a)
        else:
            slots[2 * sum(1 for s in spans if s[1] <= a.y0)].append(a)
    pieces: list[_Piece] = []
    for k, slot in enumerate(slots):
        if not slot:
            continue
        if k % 2:
            pieces.extend(_segment(slot, x_lo, x_hi, ctx))
            continue
        left = [a for a in slot if side[id(a)] == "left"]
        right = [a for a in slot if side[id(a)] == "right"]
        if left and right and kind != "prose" and _labels(left) and _rows(left) <= 0.5 * _rows(right):
            # Margin labels ("Our goals", "What we mean"): each read just before what it labels.
            pieces.extend(_interleave(_segment(left, x_lo, g0, ctx), _segment(right, g1, x_hi, ctx)))
            continue
        columns = [c for c in (_segment(left, x_lo, g0, ctx), _segment(right, g1, x_hi, ctx)) if c]
        if len(columns) == 1:
            pieces.extend(columns[0])
        elif columns:
            pieces.append(_Piece("columns", columns=columns))
    return pieces


def _furniture(atoms: list[Atom], ctx: _Context) -> set[int]:
    """Atoms in the top or bottom margin set apart from the body by white space (a running header,
    a footer); the first line of a column that starts high on the page is not."""
    body = [a for a in atoms if not a.margin]
    out = set()
    for a in atoms:
        if not a.margin:
            continue
        size = a.run.size if a.kind == "run" else ctx.body_size
        gaps = [max(b.y0 - a.y1, a.y0 - b.y1) for b in body if b.x0 < a.x1 and a.x0 < b.x1]
        if not gaps or min(gaps) > 1.5 * size:
            out.add(id(a))
    return out


def _labels(atoms: list[Atom]) -> bool:
    """A column of short labels: a few words a row, no list markers, no boxes."""
    if any(a.kind != "run" for a in atoms) or len({a.run.row for a in atoms}) > 3 * LABEL_MAX_ROWS:
        return False
    for a in atoms:
        text = a.run.text
        if len(text.split()) > LABEL_MAX_WORDS or not any(ch.isalpha() for ch in text):
            return False
        if is_bullet_char(text[0]) or NUMBER_MARKER.match(text + " x"):
            return False
    return True


def _span(piece: _Piece) -> tuple[float, float]:
    """The heights a piece covers (top, bottom)."""
    if piece.kind == "flow":
        return min(r.y0 for r in piece.runs), max(r.y1 for r in piece.runs)
    if piece.kind == "panel":
        return piece.panel.box[1], piece.panel.box[3]
    if piece.kind == "table":
        return piece.table.bbox[1], piece.table.bbox[3]
    spans = [_span(p) for column in piece.columns for p in column]
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _interleave(labels: list[_Piece], body: list[_Piece]) -> list[_Piece]:
    """Each label before the first piece of the body that reaches down to it."""
    out: list[_Piece] = []
    pending = sorted(labels, key=lambda p: _span(p)[0])
    for piece in body:
        bottom = _span(piece)[1]
        while pending and _span(pending[0])[0] < bottom:
            out.append(pending.pop(0))
        out.append(piece)
    return out + pending


# --------------------------------------------------------------------------- horizontal cuts


def _gaps(intervals: list[list[float]]) -> list[tuple[float, float, bool, bool]]:
    """Gaps between merged x-intervals [x0, x1, panel at x0, panel at x1]: (g0, g1, panel on the
    left, panel on the right)."""
    return [(a[1], b[0], a[3], b[2]) for a, b in zip(intervals, intervals[1:])]


def _add_intervals(intervals: list[list[float]], atoms: list[Atom]) -> list[list[float]]:
    return _merge_intervals([list(i) for i in intervals] + [[a.x0, a.x1, a.kind != "run", a.kind != "run"] for a in atoms])


def _merge_intervals(items: list[list[float]]) -> list[list[float]]:
    items = sorted((list(i) for i in items), key=lambda i: i[0])
    merged: list[list[float]] = []
    for i in items:
        if merged and i[0] <= merged[-1][1]:
            if i[1] >= merged[-1][1]:
                merged[-1][1], merged[-1][3] = i[1], i[3]
        else:
            merged.append(i)
    return merged


def _shared_gutter(group: list[list[float]], slab: list[list[float]], ctx: _Context) -> bool:
    """Whether the group and the slab have a gutter in common: a gap of their union with material
    of each on both sides of it (a bullet column's gap is not shared by a box starting in it)."""
    union = _merge_intervals(group + slab)
    for g0, g1, pl, pr in _gaps(union):
        if g1 - g0 < (PANEL_GUTTER if (pl or pr) else ctx.min_gutter):
            continue
        if all(any(i[1] <= g0 for i in part) and any(i[0] >= g1 for i in part) for part in (group, slab)):
            return True
    return False


def _horizontal_groups(atoms: list[Atom], ctx: _Context) -> list[list[Atom]]:
    """Slabs of atoms between horizontal gaps, neighbouring slabs kept together while they share a
    gutter (a band of columns cut only where nothing spans it)."""
    slabs: list[list[Atom]] = []
    bottom = float("-inf")
    for a in sorted(atoms, key=lambda a: a.y0):
        if slabs and a.y0 < bottom:
            slabs[-1].append(a)
            bottom = max(bottom, a.y1)
        else:
            slabs.append([a])
            bottom = a.y1
    if len(slabs) == 1:
        return slabs
    groups: list[list[Atom]] = []
    intervals: list[list[float]] = []
    for slab in slabs:
        own = _add_intervals([], slab)
        if groups and _shared_gutter(intervals, own, ctx):
            groups[-1].extend(slab)
            intervals = _merge_intervals(intervals + own)
            continue
        groups.append(list(slab))
        intervals = own
    return groups


# --------------------------------------------------------------------------- the recursion


def _segment(atoms: list[Atom], x_lo: float, x_hi: float, ctx: _Context) -> list[_Piece]:
    if len(atoms) <= 1:
        return _leaf(atoms, ctx)
    cut = _vertical_cut(atoms, x_lo, x_hi, ctx)
    if cut is not None:
        pieces = _split_vertical(atoms, cut, x_lo, x_hi, ctx)
        if pieces is not None:
            return pieces
    groups = _horizontal_groups(atoms, ctx)
    if len(groups) <= 1:
        return _leaf(atoms, ctx)
    out: list[_Piece] = []
    for group in groups:
        out.extend(_segment(group, x_lo, x_hi, ctx))
    return out


def _leaf(atoms: list[Atom], ctx: _Context) -> list[_Piece]:
    """What no cut separates: its runs as one flow, panels and tables where they stand (after the
    text level with them and to their left, else by height)."""
    runs = [a for a in atoms if a.kind == "run"]
    others = sorted((a for a in atoms if a.kind != "run"), key=lambda a: (a.y0, a.x0))
    items: list[tuple[tuple[float, float], _Piece]] = []
    if runs:
        key = (min(a.y0 for a in runs), min(a.x0 for a in runs))
        items.append((key, _Piece("flow", runs=[a.run for a in runs])))
        flow_x1 = max(a.x1 for a in runs)
        flow_y = (key[0], max(a.y1 for a in runs))
    for a in others:
        key = (a.y0, a.x0)
        if runs and flow_x1 <= a.x0 + 2 and flow_y[0] < a.y1 and flow_y[1] > a.y0:
            key = (max(key[0], items[0][0][0]) + 1e-3, a.x0)  # a label to its left comes first
        if a.kind == "panel":
            items.append((key, _panel_piece(a.panel, ctx)))
        else:
            items.append((key, _Piece("table", table=a.table)))
    items.sort(key=lambda t: t[0])
    return [p for _, p in items]


def _panel_piece(panel: Panel, ctx: _Context) -> _Piece:
    atoms = _atoms(panel.runs, panel.children, panel.tables, ctx)
    for a in atoms:
        a.margin = False  # inside a box, nothing is page furniture
    return _Piece("panel", panel=panel, children=_segment(atoms, panel.box[0], panel.box[2], ctx))


# --------------------------------------------------------------------------- regions


def _flatten(pieces: list[_Piece], out: list[Region], in_panel: bool) -> tuple[int | None, int | None]:
    """Append the pieces' regions to `out` in reading order; consecutive flows of one list become
    one region. Returns the ids of the first and last text regions added (or None)."""
    first = last = None
    open_flow: Region | None = None
    for piece in pieces:
        if piece.kind == "flow":
            chars = [c for r in piece.runs for c in r.chars]
            top, bottom = min(r.y0 for r in piece.runs), max(r.y1 for r in piece.runs)
            if open_flow is not None and top >= open_flow.bottom:
                open_flow.chars.extend(chars)
                open_flow.bbox = _union(open_flow.bbox, _runs_box(piece.runs))
                open_flow.bottom = max(open_flow.bottom, bottom)
            else:
                open_flow = Region(len(out), "text", _runs_box(piece.runs), chars=chars, in_panel=in_panel, bottom=bottom)
                out.append(open_flow)
            first = open_flow.id if first is None else first
            last = open_flow.id
            continue
        open_flow = None
        if piece.kind == "table":
            out.append(Region(len(out), "table", tuple(piece.table.bbox), table=piece.table, in_panel=in_panel))
        elif piece.kind == "panel":
            f, l = _flatten(piece.children, out, True)
            first = f if first is None else first
            last = l if l is not None else last
        elif piece.kind == "columns":
            previous_last = None
            for column in piece.columns:
                start = len(out)
                f, l = _flatten(column, out, in_panel)
                if f is not None and previous_last is not None and out[start].kind == "text" and out[start].id == f:
                    out[start].follows = previous_last
                previous_last = l if out and out[-1].kind == "text" else None
                first = f if first is None else first
                last = l if l is not None else last
    return first, last


def _runs_box(runs: list[Run]) -> tuple[float, float, float, float]:
    return min(r.x0 for r in runs), min(r.top for r in runs), max(r.x1 for r in runs), max(r.bottom for r in runs)


def _union(a, b):
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def single_region(chars: list[Char], tables: list = ()) -> list[Region]:
    """The whole page as one flow, tables where they stand by height: the fallback."""
    regions: list[Region] = []
    text = [c for c in chars if c.text.strip() or c.text == " "]
    items = [(t.bbox[1], t) for t in tables]
    if text:
        visible = [c for c in text if c.text != " "] or text
        box = (min(c.x0 for c in visible), min(c.top for c in visible), max(c.x1 for c in visible), max(c.bottom for c in visible))
        items.append((box[1], box))
    for _, item in sorted(items, key=lambda t: t[0]):
        if isinstance(item, tuple):
            regions.append(Region(len(regions), "text", item, chars=text))
        else:
            regions.append(Region(len(regions), "table", tuple(item.bbox), table=item))
    return regions


def page_regions(chars: list[Char], width: float, height: float, body_size: float,
                 boxes: list[tuple[float, float, float, float]] = (), tables: list = (),
                 cells: list[tuple[float, float, float, float]] = ()) -> list[Region]:
    """The page's regions in reading order: text regions (their characters, in painting order) and
    tables. `boxes` are the drawn boxes that may frame panels; `tables` were found before;
    `cells` are the cells of ruled grids too small to be tables, taken as boxes only where they
    hold no drawn box (grid lines may come from decoration, not from cells)."""
    boxes = list(boxes)
    for cell in cells:
        if not any(contains(cell, b) and max(abs(u - v) for u, v in zip(cell, b)) > 2.0 for b in boxes):
            boxes.append(cell)
    ctx = _Context(height=height, body_size=body_size)
    runs = make_runs([c for c in chars if c.text.strip() or c.text == " "])
    if not runs and not tables:
        return []
    tables = list(tables)
    panels = find_panels(list(boxes), runs, tables) if boxes else []
    in_panels = {id(r) for p in panels for r in panel_runs(p)}
    loose = [r for r in runs if id(r) not in in_panels]
    page_tables = place_tables(panels, tables)
    atoms = _atoms(loose, panels, page_tables, ctx)
    regions: list[Region] = []
    _flatten(_segment(atoms, 0.0, width, ctx), regions, False)
    return regions
