"""Characters to visual lines, and the small text cleaners the PDF loader applies to them.

A `Line` is a run of characters sharing a baseline inside one column. Its text has word spaces
restored from the gaps between glyphs. The cleaners are plain `str -> str` functions; their
docstrings show what they do.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter

from pipeline.loaders.pdf_objects import Char

# A gap wider than this share of the font size between two glyphs is a word space.
WORD_SPACE = 0.17
# Glyphs that open a bulleted list item when they start a line.
BULLET_GLYPHS = set("•●▪◦‣⁃∙·○◆◇■□►▶➢➤❖✓✔✗✘◼▫◾⦁➔→") | {"-", "–", "—", "*", "o", "", "", "", "", ""}
# Bullets that are also ordinary characters: they need white space after them.
AMBIGUOUS_BULLETS = {"-", "–", "—", "*", "o", "·"}
TICKS = {"✓", "✔"}
# Symbol and Wingdings bullets come out in the private use area: print them as what they show.
PRIVATE_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf0fc": "✓", "\uf076": "❖", "\uf0a8": "◦", "\uf06e": "■"}
NUMBER_MARKER = re.compile(
    r"^(?P<marker>\(?\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+[a-z]?\.?|\(?[a-z][.)]|\([a-z]\)"
    r"|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)\)|(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)[.)]"
    r"|(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)[.)]|\(?[A-H]\))(?:\s+(?=\S)|(?<=\d[.)])(?=[a-z])|(?<=\d\.)(?=[A-Z][a-z]{2}))"
)
# A contents line: dot leaders (or a wide gap) then a page number.
CONTENTS_LINE = re.compile(r"(?:\.{4,}|…{2,}|\. \. \. )\s*\d{1,4}$")
SENTENCE_END = re.compile(r"[.!?:;]['\"’”)]*$")
# A drawn bullet: a small filled dot or square, at most this share of the text size across and
# this far (in ems) before the first glyph of its line, centred on the line's middle.
DRAWN_BULLET_MAX = 0.5
DRAWN_BULLET_MIN = 1.5  # points
DRAWN_BULLET_REACH = 2.0
DRAWN_BULLET_FONT = "(drawn bullet)"


@dataclass(slots=True)
class Line:
    chars: list[Char]
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool
    column: int = 0  # index of the column it sits in; -1 when it spans columns
    # The bottom most of its characters share (a bullet from another font hangs lower): line
    # spacing is measured between baselines.
    baseline: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def words(self) -> int:
        return len(self.text.split())


def is_bullet_char(ch: str) -> bool:
    return ch in BULLET_GLYPHS or "\uf000" <= ch <= "\uf0ff"


def fold_whitespace(text: str) -> str:
    """Collapse runs of white space.

    >>> fold_whitespace("  Improve   school\\n attendance ")
    'Improve school attendance'
    """
    return " ".join(text.split())


def join_lines(lines: list[str]) -> str:
    """Join visual lines into running text, repairing words hyphenated at a line end.

    >>> join_lines(["we recog-", "nise the need", "for Early-", "Help"])
    'we recognise the need for Early-Help'
    """
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("/"):
            out = out + line  # "Milestones/" + "Impact"
        elif out.endswith("-") and len(out) > 1 and out[-2].isalnum():
            # "recog-" + "nise" is one word; "Early-" + "Help" and "2024-" + "25" keep the hyphen.
            out = out[:-1] + line if line[:1].islower() and out[-2].isalpha() else out + line
        else:
            out = f"{out} {line}"
    return fold_whitespace(out)


def strip_bullet(text: str) -> str:
    """Remove leading bullet glyphs and ticks.

    >>> strip_bullet("• ✓ We will listen")
    'We will listen'
    """
    text = text.strip()
    while text and is_bullet_char(text[0]) and (len(text) == 1 or text[1] == " " or is_bullet_char(text[1])):
        if text[0] in AMBIGUOUS_BULLETS and len(text) > 1 and text[1] != " ":
            break
        text = text[1:].strip()
    return text


def dominant(values: list[float]) -> float:
    """The most common value (the first one seen among ties).

    >>> dominant([10.0, 12.0, 12.0, 10.0]), dominant([9.5, 9.5]), dominant([])
    (10.0, 9.5, 0.0)
    """
    if not values:
        return 0.0
    first = values[0]
    if values.count(first) == len(values):  # one value throughout: the common case, without counting
        return first
    return Counter(values).most_common(1)[0][0]


_X0 = attrgetter("x0")
_BOTTOM = attrgetter("bottom")


def line_from_chars(chars: list[Char], column: int = 0) -> Line:
    chars = sorted(chars, key=_X0)
    parts: list[str] = []
    prev: Char | None = None
    for c in chars:
        if prev is not None and c.text != " " and prev.text != " ":
            gap = c.x0 - prev.x1
            if gap > WORD_SPACE * min(c.size, prev.size):
                parts.append(" ")
        parts.append(c.text)
        prev = c
    visible = [c for c in chars if c.text != " "] or chars
    # One pass for the extent, sizes, weight and baselines (the same values as min / max /
    # sum over the characters one property at a time).
    first = visible[0]
    x0, top, x1, bottom = first.x0, first.top, first.x1, first.bottom
    sizes: list[float] = []
    baselines: list[float] = []
    bold_count = 0
    for c in visible:
        if c.x0 < x0:
            x0 = c.x0
        if c.top < top:
            top = c.top
        if c.x1 > x1:
            x1 = c.x1
        if c.bottom > bottom:
            bottom = c.bottom
        if c.bold:
            bold_count += 1
        sizes.append(round(c.size * 2) / 2)
        baselines.append(round(c.bottom, 1))
    return Line(
        chars=chars,
        text=fold_whitespace("".join(parts)),
        x0=x0,
        top=top,
        x1=x1,
        bottom=bottom,
        size=dominant(sizes),
        bold=bold_count / len(visible) >= 0.7,
        column=column,
        baseline=dominant(baselines),
    )


def group_lines(chars: list[Char] | tuple[Char, ...], column: int = 0) -> list[Line]:
    """Cluster characters into lines by their bottom edge (the baseline, give or take the
    descender), then order each line left to right. Lines come back top to bottom."""
    visible = [c for c in chars if c.text.strip() or c.text == " "]
    if not visible:
        return []
    ordered = sorted(visible, key=_BOTTOM)
    groups: list[list[Char]] = []
    current: list[Char] = []
    ref_bottom = 0.0
    ref_size = 0.0
    for c in ordered:
        if current and c.bottom - ref_bottom <= 0.5 * max(ref_size, c.size):
            current.append(c)
            if c.size > ref_size:
                ref_size = c.size
            continue
        if current:
            groups.append(current)
        current = [c]
        ref_bottom = c.bottom
        ref_size = c.size
    if current:
        groups.append(current)
    groups = _attach_scripts(groups)
    lines = []
    for group in groups:
        if any(c.text.strip() for c in group):
            lines.append(line_from_chars(group, column))
    return lines


def _attach_scripts(groups: list[list[Char]]) -> list[list[Char]]:
    """Superscripts ("6th") and subscripts sit off the baseline in a smaller size and come out
    as a line of their own: put them back into the line they overlap."""
    if len(groups) < 2:
        return groups
    spans = [_span(g) for g in groups]
    out: list[list[Char]] = []
    skip = set()
    for i, group in enumerate(groups):
        if i in skip:
            continue
        top, bottom, size = spans[i]
        host = None
        for j in (i + 1, i - 1):
            if 0 <= j < len(groups) and j not in skip:
                h_top, h_bottom, h_size = spans[j]
                if size <= 0.8 * h_size and h_top - 1 <= (top + bottom) / 2 <= h_bottom + 1 and len(group) <= 0.5 * len(groups[j]):
                    host = j
                    break
        if host is None:
            out.append(group)
        elif host > i:
            groups[host] = groups[host] + group
        else:
            out[-1] = out[-1] + group
    return out


def _span(group: list[Char]) -> tuple[float, float, float]:
    """Top, bottom and largest size of a group of characters (as min / max over each would give)."""
    first = group[0]
    top, bottom, size = first.top, first.bottom, first.size
    for c in group:
        if c.top < top:
            top = c.top
        if c.bottom > bottom:
            bottom = c.bottom
        if c.size > size:
            size = c.size
    return top, bottom, size


def with_drawn_bullets(chars: list[Char], shapes) -> list[Char]:
    """Bullets drawn as shapes (a dot or square painted before each item) have no glyph in the text
    layer: put a "•" where each is drawn, just before the glyph it precedes, so that its line reads
    as a list item. `shapes` are filled boxes with x0, top, x1, bottom."""
    small = [s for s in shapes if DRAWN_BULLET_MIN <= s.x1 - s.x0 <= 12 and DRAWN_BULLET_MIN <= s.bottom - s.top <= 12
             and 0.5 <= (s.x1 - s.x0) / (s.bottom - s.top) <= 2.0]
    if not small:
        return chars
    small = list({(round(s.x0, 1), round(s.top, 1), round(s.x1, 1), round(s.bottom, 1)): s for s in small}.values())
    neighbours = _neighbours(small)
    boxes = [s for s in shapes if s.x1 - s.x0 > 20 and s.bottom - s.top > 12]
    visible = sorted((i for i, c in enumerate(chars) if c.text.strip()), key=lambda i: chars[i].mid_y)
    keys = [chars[i].mid_y for i in visible]
    before: dict[int, Char] = {}
    for shape in small:
        cy = (shape.top + shape.bottom) / 2
        span = max(shape.x1 - shape.x0, shape.bottom - shape.top)
        near_x, near_y = neighbours[id(shape)]
        nearest = None
        blocked = False
        for i in visible[bisect_left(keys, cy - 15): bisect_right(keys, cy + 15)]:
            c = chars[i]
            if not c.top <= cy <= c.bottom or abs(c.mid_y - cy) > 0.3 * c.size:
                continue
            if c.x1 > shape.x0 - 0.2 and c.x0 < shape.x1 + 0.2:
                blocked = True  # a glyph is printed there already
                break
            if 0 <= shape.x0 - c.x1 < 0.5 * c.size:
                blocked = True  # in the middle of a line, not at its start
                break
            gap = c.x0 - shape.x1
            if 0 < gap <= DRAWN_BULLET_REACH * c.size and span <= DRAWN_BULLET_MAX * c.size:
                if nearest is None or c.x0 < chars[nearest].x0:
                    nearest = i
        if blocked or nearest is None or nearest in before:
            continue
        c = chars[nearest]
        if near_x <= 3.0 * c.size or near_y <= 0.9 * c.size:
            continue  # a pattern: a dotted rule, windows in a drawing, legend keys
        if any(_holds(b, c.mid_x, c.mid_y) and not _holds(b, (shape.x0 + shape.x1) / 2, cy) for b in boxes):
            continue  # the text is in a box the shape is outside of: not its bullet
        before[nearest] = Char("•", shape.x0, c.top, shape.x1, c.bottom, c.size, False, DRAWN_BULLET_FONT)
    # The bullets of a list line up: a lone shape before a line is more likely a drawing's.
    before = {i: b for i, b in before.items()
              if sum(1 for o in before.values() if abs(o.x0 - b.x0) <= 1.0 and abs((o.x1 - o.x0) - (b.x1 - b.x0)) <= 0.5) >= 2}
    if not before:
        return chars
    out: list[Char] = []
    for i, c in enumerate(chars):
        if i in before:
            out.append(before[i])
        out.append(c)
    return out


def _holds(box, x: float, y: float) -> bool:
    return box.x0 <= x <= box.x1 and box.top <= y <= box.bottom


def _neighbours(shapes: list) -> dict[int, tuple[float, float]]:
    """For each shape, how far the nearest shape of its size is beside it (same row) and above or
    below it (same column): dotted rules, grids of windows in a drawing and rows of legend keys
    have close neighbours; the bullets of a list are a line apart."""
    buckets: dict[tuple[int, int], list] = {}
    for s in shapes:
        buckets.setdefault((int(s.x0 // 20), int(s.top // 20)), []).append(s)
    out = {}
    for s in shapes:
        bx, by = int(s.x0 // 20), int(s.top // 20)
        near_x = near_y = float("inf")
        for i in (bx - 2, bx - 1, bx, bx + 1, bx + 2):
            for j in (by - 1, by, by + 1):
                for o in buckets.get((i, j), ()):
                    if o is s or abs((o.x1 - o.x0) - (s.x1 - s.x0)) > 1.5:
                        continue
                    dx, dy = abs(o.x0 - s.x0), abs(o.top - s.top)
                    if dx < (s.x1 - s.x0) + 1:
                        near_y = min(near_y, dy)
                    if dy < (s.bottom - s.top):
                        near_x = min(near_x, dx)
        out[id(s)] = (near_x, near_y)
    return out


def split_at_gaps(line: Line, gap: float) -> list[tuple[float, float, int]]:
    """The stretches of a line separated by gaps wider than `gap` points: (x0, x1, visible chars)."""
    segments: list[tuple[float, float, int]] = []
    start = end = None
    count = 0
    for c in line.chars:
        if c.text == " ":
            continue
        if start is None:
            start, end, count = c.x0, c.x1, 1
        elif c.x0 - end > gap:
            segments.append((start, end, count))
            start, end, count = c.x0, c.x1, 1
        else:
            end = max(end, c.x1)
            count += 1
    if start is not None:
        segments.append((start, end, count))
    return segments


def list_marker(line: Line) -> tuple[str, str, float] | None:
    """The list marker a line starts with: (marker as printed, text after it, gap after it in
    font sizes); None when the line does not start with one."""
    text = line.text
    if not text:
        return None
    first = text[0]
    if is_bullet_char(first):
        visible = [c for c in line.chars if c.text != " "]
        gap = (visible[1].x0 - visible[0].x1) / max(visible[0].size, 1) if len(visible) > 1 else 0.0
        rest = text[1:]
        if first in AMBIGUOUS_BULLETS:
            if not rest.startswith(" "):
                return None
            if first == "o" and gap < 0.6 and "courier" not in visible[0].font.lower():
                return None
        marker = PRIVATE_BULLETS.get(first, "•" if "\uf000" <= first <= "\uf0ff" else first)
        rest = rest.strip()
        if rest[:1] in TICKS and rest[1:2] == " " and first not in TICKS:
            marker = f"{first} {rest[0]}"
            rest = rest[1:].strip()
        if not rest:
            return None
        return marker, rest, gap
    match = NUMBER_MARKER.match(text)
    if match:
        marker = match.group("marker")
        n = len(marker.replace(" ", ""))
        visible = [c for c in line.chars if c.text != " "]
        gap = 0.0
        if len(visible) > n:
            gap = (visible[n].x0 - visible[n - 1].x1) / max(visible[n - 1].size, 1)
        return marker, text[match.end():].strip(), gap
    return None


def split_inner_bullets(lines: list[Line]) -> list[Line]:
    """Two bulleted lists set side by side come out as one line per row ("• Low birth weight
    • Stable family relationships"): cut such lines before a bullet that follows a wide gap."""
    out: list[Line] = []
    for line in lines:
        visible = [c for c in line.chars if c.text != " "]
        cuts = [
            i for i in range(1, len(visible))
            if is_bullet_char(visible[i].text) and visible[i].text not in AMBIGUOUS_BULLETS
            and visible[i].x0 - visible[i - 1].x1 > 1.5 * visible[i].size
        ]
        if not cuts:
            out.append(line)
            continue
        bounds = [0] + cuts + [len(visible)]
        for a, b in zip(bounds, bounds[1:]):
            x_from, x_to = visible[a].x0, visible[b - 1].x1
            part = [c for c in line.chars if x_from - 0.1 <= c.x0 and c.x1 <= x_to + 0.1]
            out.append(line_from_chars(part, line.column))
    return out
