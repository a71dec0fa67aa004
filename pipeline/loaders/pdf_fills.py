"""Filled boxes as a reader sees them: pieces of one shaded area put back together.

Word paints a shaded table cell in pieces (above the text, beside it, each line, below it) and
spreadsheets paint gradients as thin strips. Left apart, every piece would add ruling edges and
split a cell into rows that are not there.
"""

from __future__ import annotations

from dataclasses import dataclass

# A stretch is horizontal/vertical when its other extent is below this, in points.
AXIS_TOLERANCE = 0.6


@dataclass(frozen=True, slots=True)
class FilledRect:
    x0: float
    top: float
    x1: float
    bottom: float
    color: str  # "#rrggbb"



def is_box(points: list[tuple[float, float, bool]]) -> bool:
    """Whether a subpath is an axis-aligned rectangle."""
    for (p0x, p0y, _), (p1x, p1y, straight) in zip(points, points[1:]):
        if not straight or (abs(p1x - p0x) > AXIS_TOLERANCE and abs(p1y - p0y) > AXIS_TOLERANCE):
            return False
    return True


def _merge_runs(boxes: list[FilledRect], vertical: bool, accept) -> list[FilledRect]:
    """Merge runs of boxes that share their sides and touch end to end, when `accept(run)`."""
    if vertical:
        key = lambda b: (round(b.x0), round(b.x1), b.top)  # noqa: E731
        touches = lambda a, b: abs(b.x0 - a.x0) <= 0.5 and abs(b.x1 - a.x1) <= 0.5 and abs(b.top - a.bottom) <= 0.6  # noqa: E731
    else:
        key = lambda b: (round(b.top), round(b.bottom), b.x0)  # noqa: E731
        touches = lambda a, b: abs(b.top - a.top) <= 0.5 and abs(b.bottom - a.bottom) <= 0.5 and abs(b.x0 - a.x1) <= 0.6  # noqa: E731
    runs: list[list[FilledRect]] = []
    for b in sorted(boxes, key=key):
        if runs and touches(runs[-1][-1], b):
            runs[-1].append(b)
        else:
            runs.append([b])
    out = []
    for run in runs:
        if len(run) > 1 and accept(run):
            colour = run[len(run) // 2].color
            out.append(FilledRect(min(b.x0 for b in run), min(b.top for b in run), max(b.x1 for b in run), max(b.bottom for b in run), colour))
        else:
            out.extend(run)
    return out


def _merge_same_colour(boxes: list[FilledRect], limit: int = 1500) -> list[FilledRect]:
    """Boxes of one colour that touch and together tile a rectangle become that rectangle: Word
    paints a shaded cell in pieces (above the text, beside it, each line, below it)."""
    by_colour: dict[str, list[FilledRect]] = {}
    for b in boxes:
        by_colour.setdefault(b.color, []).append(b)
    out: list[FilledRect] = []
    for colour, group in by_colour.items():
        if len(group) == 1 or len(group) > limit:
            out.extend(group)
            continue
        parent = list(range(len(group)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        ordered = sorted(range(len(group)), key=lambda i: group[i].x0)
        for k, i in enumerate(ordered):
            a = group[i]
            for j in ordered[k + 1:]:
                b = group[j]
                if b.x0 > a.x1 + 0.6:
                    break
                if b.top <= a.bottom + 0.6 and a.top <= b.bottom + 0.6:
                    parent[find(i)] = find(j)
        parts: dict[int, list[FilledRect]] = {}
        for i, b in enumerate(group):
            parts.setdefault(find(i), []).append(b)
        for part in parts.values():
            x0, top = min(b.x0 for b in part), min(b.top for b in part)
            x1, bottom = max(b.x1 for b in part), max(b.bottom for b in part)
            area = sum((b.x1 - b.x0) * (b.bottom - b.top) for b in part)
            if len(part) > 1 and area >= 0.97 * (x1 - x0) * (bottom - top):
                out.append(FilledRect(x0, top, x1, bottom, colour))
            else:
                out.extend(part)
    return out


def merge_bands(boxes: list[FilledRect], thin: float = 6.0, run: int = 4) -> list[FilledRect]:
    """Filled boxes that read as one area: boxes of one colour tiling a rectangle, and runs of at
    least `run` thin strips of changing colour (a gradient)."""
    boxes = _merge_same_colour(boxes)
    boxes = _merge_runs(boxes, True, lambda r: len(r) >= run and all(b.bottom - b.top <= thin for b in r))
    return _merge_runs(boxes, False, lambda r: len(r) >= run and all(b.x1 - b.x0 <= thin for b in r))
