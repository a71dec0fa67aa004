"""Markdown loader: Markdown files to the document model.

Council Markdown is usually a third party's conversion of a PDF or Word document, so besides
CommonMark (parsed with markdown-it-py, with pipe tables and inline and block HTML) it reads what
converters write:

- ATX and setext headings (level = the number of ``#``; 1 for ``===``, 2 for ``---``);
- a paragraph that is wholly bold is a heading (level None, ``bold=True``), even when its closing
  ``**`` follows a space, which CommonMark does not accept (``**Introduction **``); one that
  opens with a bold number is a numbered item (``**3. **For the ...``); bold-marker noise
  (``** **``) is dropped; a lead-in such as ``**We will:**`` stays a paragraph;
- a short bold title run into the paragraph it heads (``**Better use of resources** Within
  Leeds ...``), or ending a paragraph after a colon, is a heading of its own;
- list items: Markdown lists (marker as printed, ``1.``, ``a)``, ``-``; level = nesting depth from
  0) and paragraphs or lines opening with a marker that CommonMark does not know (``•``, ``✓``,
  ``➢``, ``a.``, ``(b)``, ``iv.``); an item run into the next one on the same line
  (``c. Access ... d. Mental health ...``) is split;
- pipe tables as tables: the first row is the header only when it reads as one; inline markup is
  stripped from cells and ``<br>`` separates a cell's lines; HTML blocks (``<table>``, ``<ul>``,
  ``<p>``) are read by the HTML loader;
- a paragraph a converter broke at a blank line (it stops mid-sentence and the next part starts in
  lower case) is joined again, as are the lines of one paragraph; escapes such as ``\\(`` are undone.

Every block is on page 1 with a character span into the decoded text, from markdown-it's line map.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from extractors.cleaners import clean_text
from extractors.patterns import lead_in_pattern
from pipeline.loaders import document_of
from pipeline.loaders.html import html_blocks
from pipeline.loaders.pdf_lines import SENTENCE_END, join_lines
from pipeline.loaders.text import decode, looks_like_header
from schemas.document import Block, Cell, Document, Page, Row, Span, Table

# Markers a converter leaves at the start of a paragraph or line that CommonMark does not read as
# a list: bullet glyphs and ticks, "a." / "(b)" letters, "iv." numerals, numbers ("3." after a
# bold or escaped number).
GLYPHS = "•●▪◦‣➢➤►▶✓✔✗✘\uf0b7\uf0a7"
ROMAN = "i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii"
MARKERS = (
    rf"(?P<marker>[{GLYPHS}]|[–o](?=\s+[A-Z0-9])|\d{{1,2}}[.)]|\(\d{{1,2}}\)"
    rf"|(?:{ROMAN})[.)]|\((?:{ROMAN})\)|[a-hA-H][.)]|\([a-hA-H]\))"
)
MARKER = re.compile(rf"^{MARKERS}\s+(?=\S)")
# A marker alone on its line, its text on the next ("●" / "Implement a variety of ...").
MARKER_ALONE = re.compile(rf"^{MARKERS}\s*$")
STRONG_GLYPHS = set(GLYPHS)  # a line opening with one of these is an item even mid-paragraph
BOLD_NOISE = re.compile(r"\*\*+")
ALNUM = re.compile(r"[^\W_]")
HTML_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# Words a sentence does not end on: a paragraph ending on one continues in the next.
FUNCTION_WORDS = set(
    "a an and the of to in into within for with without by on at from or nor as than that which who whose "
    "our their its this these those both each every all any no not is are was were be been will would "
    "should shall must can could may might has have had between including such through across about "
    "over under via per but if whether where when while".split()
)
HEADING_WORDS = 20  # a wholly bold paragraph longer than this is emphasis, not a heading
# HTML blocks that may hold blank lines (where CommonMark would end the block) before they close.
CONTAINER_TAGS = {"table", "ul", "ol", "div", "section", "article", "aside", "dl", "blockquote", "figure", "details"}


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def load_markdown(path: Path) -> Document:
    text, warnings = decode(path.read_bytes(), path)
    text, front = split_front_matter(text)
    blocks = parse_markdown(text)
    title = front.get("title") if isinstance(front.get("title"), str) else None  # never str() a YAML alias bomb
    title = title or next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return document_of(path, "markdown", [Page(number=1, blocks=tuple(blocks))], warnings=warnings,
                       metadata={"title": clean_text(str(title))} if title else None)


def split_front_matter(text: str) -> tuple[str, dict]:
    """YAML front matter (``---`` ... ``---`` at the top) read as a dict and blanked out of the text
    (same length, same lines, so spans still index the file).

    >>> split_front_matter("---\\ntitle: Our Plan\\n---\\n# Hi\\n")
    ('   \\n               \\n   \\n# Hi\\n', {'title': 'Our Plan'})
    """
    match = FRONT_MATTER.match(text)
    if not match:
        return text, {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return text, {}
    if not isinstance(data, dict):
        return text, {}
    blank = re.sub(r"[^\n]", " ", match.group(0))
    return blank + text[match.end():], {str(k): v for k, v in data.items()}


# --------------------------------------------------------------------------- inline text


@dataclass
class _Line:
    """One line of inline text as runs of (text, bold); `row` is its line in the source."""

    runs: list[tuple[str, bool]]
    row: int

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)


def _inline_lines(inline: Token | None) -> list[_Line]:
    """An inline token as lines (split at soft and hard breaks and ``<br>``) of bold/plain runs."""
    if inline is None:
        return []
    row = inline.map[0] if inline.map else 0
    lines = [_Line([], row)]
    bold = 0
    for child in inline.children or ():
        kind = child.type
        if kind in ("text", "code_inline"):
            lines[-1].runs.append((child.content, bold > 0))
        elif kind in ("softbreak", "hardbreak"):
            lines.append(_Line([], lines[-1].row + 1))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold = max(bold - 1, 0)
        elif kind == "html_inline":
            tag = HTML_TAG.match(child.content)
            name = tag.group(2).lower() if tag else ""
            if name == "br":
                lines.append(_Line([], lines[-1].row))
            elif name in ("strong", "b"):
                bold = max(bold - 1, 0) if tag.group(1) else bold + 1
    return _resolve_bold_noise(lines)


def _resolve_bold_noise(lines: list[_Line]) -> list[_Line]:
    """``**`` that CommonMark left as text (``**Title **``, ``**3. **``) toggles bold as a
    reader of the source would take it; an unpaired last one is dropped."""
    total = sum(len(BOLD_NOISE.findall(t)) for line in lines for t, b in line.runs if not b)
    if not total:
        return lines
    usable = total - total % 2
    on = False
    seen = 0
    for line in lines:
        runs: list[tuple[str, bool]] = []
        for text, bold in line.runs:
            if bold or "**" not in text:
                runs.append((text, bold or on))
                continue
            pos = 0
            for match in BOLD_NOISE.finditer(text):
                runs.append((text[pos:match.start()], on))
                seen += 1
                if seen <= usable:
                    on = not on
                pos = match.end()
            runs.append((text[pos:], on))
        line.runs = [(t, b) for t, b in runs if t]
    return lines


def _plain(lines: list[_Line]) -> str:
    return clean_text(join_lines([line.text for line in lines]))


def _wholly_bold(lines: list[_Line]) -> bool:
    """Every letter and digit is in a bold run (and there is at least one)."""
    runs = [run for line in lines for run in line.runs]
    return any(bold and ALNUM.search(text) for text, bold in runs) and not any(
        not bold and ALNUM.search(text) for text, bold in runs)


def _ends_bold(lines: list[_Line]) -> bool:
    """The last words are bold (a title may end the paragraph: "... include: **Better outcomes**")."""
    for line in reversed(lines):
        for text, bold in reversed(line.runs):
            if ALNUM.search(text):
                return bold
    return False


def _leads_bold(lines: list[_Line]) -> bool:
    """The first words are bold (at least two letters or digits), as ``**Name** – ...``."""
    for line in lines:
        for text, bold in line.runs:
            if ALNUM.search(text):
                return bold and len(ALNUM.findall(text)) >= 2
    return False


def _drop_prefix(lines: list[_Line], n: int) -> list[_Line]:
    """`lines` without the first `n` characters of the first line (a marker)."""
    first, rest = lines[0], lines[1:]
    runs: list[tuple[str, bool]] = []
    for text, bold in first.runs:
        if n >= len(text):
            n -= len(text)
            continue
        runs.append((text[n:], bold))
        n = 0
    return [_Line(runs, first.row), *rest]


def _lstrip_lines(lines: list[_Line]) -> list[_Line]:
    first = lines[0]
    runs = list(first.runs)
    while runs and not runs[0][0].strip():
        runs.pop(0)
    if runs:
        runs[0] = (runs[0][0].lstrip(), runs[0][1])
    return [_Line(runs, first.row), *lines[1:]]


# --------------------------------------------------------------------------- units


@dataclass
class _Unit:
    """A block being built: lines of text (or a finished table or HTML block) and where it is."""

    kind: str  # heading, paragraph, list_item, table, html
    lines: list[_Line] = field(default_factory=list)
    start: int = 0
    end: int = 0
    level: int | None = None
    marker: str | None = None
    depth: int = 0  # list nesting around a paragraph (level for items found inside it)
    bold_marker: bool = False  # the item's marker was printed bold ("**3. **For ...")
    printed: bool = False  # the marker is in the text, not Markdown list syntax
    table: Table | None = None
    blocks: list[Block] = field(default_factory=list)


class _Source:
    """The text and its line starts: line ranges to character spans."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Characters of lines first..last-1, without surrounding white space."""
        first = max(0, min(first, len(self.starts) - 1))
        start = self.starts[first]
        end = self.starts[last] - 1 if last < len(self.starts) else len(self.text)
        end = max(start, end)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return start, end

    def line_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def find_words(self, start: int, end: int, text: str) -> int | None:
        """Where the words that open `text` stand in the source between start and end, whatever
        markup or escapes lie between them."""
        words = re.findall(r"\w+", text)[:4]
        if not words:
            return None
        match = re.compile(r"[\W_]+".join(map(re.escape, words))).search(self.text, start, end)
        return match.start() if match else None


def parse_markdown(text: str) -> list[Block]:
    """Markdown text to blocks, every one on page 1 with a span into `text`."""
    source = _Source(text)
    lines = text.split("\n")
    tables = pandoc_tables(lines)
    masked = list(lines)
    for first, last, _, _ in tables:
        masked[first:last] = [""] * (last - first)
    units = _units(parser().parse("\n".join(masked)), source)
    units += [_pandoc_table(found, source) for found in tables]
    units.sort(key=lambda unit: unit.start)
    units = [group for unit in units for group in _groups(unit, source)]
    units = _nest_printed(_join_broken(units))
    blocks: list[dict] = []
    for unit in units:
        blocks.extend(_finish(unit, source))
    return [Block(id=f"p1-b{i}", page=1, **fields) for i, fields in enumerate(blocks, start=1)]


def _units(tokens: list[Token], source: _Source) -> list[_Unit]:
    units: list[_Unit] = []
    lists: list[Token] = []
    items: list[dict] = []  # open list items: marker, level, first line, their unit once it has text
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            ordered = lists and lists[-1].type == "ordered_list_open"
            marker = f"{token.info}{token.markup}" if ordered else token.markup
            items.append({"marker": marker, "level": len(lists) - 1, "row": token.map[0] if token.map else 0, "unit": None})
        elif kind == "list_item_close":
            items.pop()
        elif kind == "heading_open":
            start, end = source.span(*token.map)
            units.append(_Unit("heading", _inline_lines(_next_inline(tokens, i)), start, end, level=int(token.tag[1])))
        elif kind == "paragraph_open":
            lines = _inline_lines(_next_inline(tokens, i))
            item = items[-1] if items else None
            if item is not None and item["unit"] is None:
                start, end = source.span(item["row"], token.map[1])
                unit = _Unit("list_item", lines, start, end, level=item["level"], marker=item["marker"], depth=item["level"] + 1)
                item["unit"] = unit
                units.append(unit)
            elif item is not None and units and item["unit"] is units[-1]:
                units[-1].lines.extend(lines)  # a later paragraph of the same item
                units[-1].end = source.span(*token.map)[1]
            else:
                start, end = source.span(*token.map)
                units.append(_Unit("paragraph", lines, start, end, depth=len(lists)))
        elif kind in ("code_block", "fence") and token.map:
            # Converters indent wrapped lines by accident: an "indented code block" is text.
            first = token.map[0] + (1 if kind == "fence" else 0)
            lines = [_Line([(line, False)], first + k) for k, line in enumerate(token.content.split("\n")) if line.strip()]
            if lines:
                units.append(_Unit("paragraph", lines, *source.span(*token.map), depth=len(lists)))
        elif kind == "table_open":
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            units.append(_table(tokens[i:end + 1], source))
            i = end
        elif kind == "html_block" and token.map:
            unit, last_row = _html_block(token, source)
            if unit is not None:
                units.append(unit)
            if last_row is not None:  # the block went on past a blank line: skip what lies inside it
                while i + 1 < len(tokens) and (tokens[i + 1].map is None or tokens[i + 1].map[0] <= last_row):
                    i += 1
        i += 1
    return units


def _next_inline(tokens: list[Token], i: int) -> Token | None:
    return tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1].type == "inline" else None


def _html_block(token: Token, source: _Source) -> tuple[_Unit | None, int | None]:
    """An HTML block through the HTML loader. CommonMark ends an HTML block at a blank line; a
    ``<table>`` (or list, div ...) left open there runs on to its closing tag."""
    start, end = source.span(*token.map)
    markup = token.content
    last_row = None
    opening = re.match(r"\s*<([a-zA-Z][\w-]*)", markup)
    if opening and token.level == 0:
        tag = opening.group(1).lower()
        close = re.compile(rf"</\s*{tag}\s*>", re.I)
        if tag in CONTAINER_TAGS and not close.search(markup):
            found = close.search(source.text, end)
            if found:
                end = found.end()
                markup = source.text[start:end]
                last_row = source.line_of(end)
    blocks = html_blocks(markup)
    return (_Unit("html", start=start, end=end, blocks=blocks) if blocks else None), last_row


# --------------------------------------------------------------------------- tables


def _cell(inline: Token | None) -> Cell:
    lines = [clean_text(line.text) for line in _inline_lines(inline)]
    lines = [line for line in lines if line]
    return Cell(text=" ".join(lines), lines=tuple(lines))


def reads_as_header(cells: list[str]) -> bool:
    """Whether a pipe table's first row is a header, not data a converter put first: header
    vocabulary, or every cell filled with a short label that is not a number.

    >>> reads_as_header(["Priority", "Indicator", "Source"]), reads_as_header(["LP9 Health and Wellbeing", "8 4", ""])
    (True, False)
    """
    if len(cells) == 2 and (cells[0].rstrip().endswith(":") or len(cells[1].split()) > 6):
        return False  # a key/value table: "Lead: | Director of Children's Services"
    if looks_like_header(cells):
        return True
    if len(cells) < 2 or any(not c.strip() for c in cells):
        return False
    return all(len(c.split()) <= 8 and not re.fullmatch(r"[\d\s.,%£/-]+", c) for c in cells)


def _table(tokens: list[Token], source: _Source) -> _Unit:
    raw: list[tuple[bool, list[int] | None, list[Cell]]] = []
    for i, token in enumerate(tokens):
        if token.type == "tr_open":
            raw.append((False, token.map, []))
        elif token.type in ("th_open", "td_open") and raw:
            if token.type == "th_open":
                raw[-1] = (True, raw[-1][1], raw[-1][2])
            raw[-1][2].append(_cell(_next_inline(tokens, i)))
    keep = [col for col in range(max((len(cells) for _, _, cells in raw), default=0))
            if any(col < len(cells) and cells[col].text for _, _, cells in raw)]
    raw = [(head, where, [cells[col] for col in keep if col < len(cells)]) for head, where, cells in raw]
    header: tuple[str, ...] = ()
    if len(raw) > 1 and raw[0][0] and reads_as_header([c.text for c in raw[0][2]]):
        header = tuple(c.text for c in raw[0][2])
        raw = raw[1:]
    rows = []
    for _, where, cells in raw:
        if not any(c.text for c in cells):
            continue  # an empty row (converters pad tables with them)
        span = Span(start=(s := source.span(*where))[0], end=s[1]) if where else None
        rows.append(Row(cells=tuple(cells), page=1, span=span))
    start, end = source.span(*tokens[0].map)
    return _Unit("table", start=start, end=end, table=Table(header=header, rows=tuple(rows), pages=(1,)))


# --------------------------------------------------------------------------- pandoc's own tables

DASH_RULE = re.compile(r"^\s*-{3,}\s*$")  # the rule above and below a multiline table
DASH_GROUPS = re.compile(r"^\s*-{2,}(?:[ \t]+-{2,})+\s*$")  # its columns: two or more runs of dashes


def pandoc_tables(lines: list[str]) -> list[tuple[int, int, list[str], list[tuple[int, int, list[str]]]]]:
    """Pandoc's simple and multiline tables (what a DOCX-to-Markdown conversion writes for a
    table without pipes), as (first line, end line, header cells, rows as (first line, end line,
    cells)). A run of dashes under each column heading gives the columns; a simple table has a
    row a line and ends at a blank line, a multiline table sits between two rules of dashes and
    parts its rows with blank lines.

        >>> pandoc_tables(["  ---------------", "  **Key**   **Priority**", "  --------- -----",
        ...                "  P1        Prevent homelessness", "            earlier", "",
        ...                "  P2        End B&B", "  ---------------"])
        [(0, 8, ['**Key**', '**Priority**'], [(3, 5, ['P1', 'Prevent homelessness earlier']), (6, 7, ['P2', 'End B&B'])])]
    """
    found = []
    i = 0
    while i < len(lines):
        if not DASH_GROUPS.match(lines[i]) or i == 0 or not lines[i - 1].strip():
            i += 1
            continue
        head = i - 1
        while head > 0 and lines[head - 1].strip() and not DASH_RULE.match(lines[head - 1]):
            head -= 1
        multiline = head > 0 and DASH_RULE.match(lines[head - 1]) is not None
        starts = [m.start() for m in re.finditer(r"-+", lines[i])]

        def cells(rows: list[str]) -> list[str]:
            out = []
            for k, start in enumerate(starts):
                stop = starts[k + 1] if k + 1 < len(starts) else None
                out.append(" ".join(" ".join(line[0 if k == 0 else start:stop].split()) for line in rows).strip())
            return out

        rows, j = [], i + 1
        if multiline:
            end = next((k for k in range(i + 1, min(len(lines), i + 400)) if DASH_RULE.match(lines[k])), None)
            if end is None:
                i += 1
                continue
            while j < end:
                if not lines[j].strip():
                    j += 1
                    continue
                k = j
                while k < end and lines[k].strip():
                    k += 1
                rows.append((j, k, cells(lines[j:k])))
                j = k
            first, last = head - 1, end + 1
        else:
            while j < len(lines) and lines[j].strip() and not DASH_GROUPS.match(lines[j]):
                rows.append((j, j + 1, cells([lines[j]])))
                j += 1
            if j < len(lines) and DASH_GROUPS.match(lines[j]):
                j += 1  # a closing rule
            first, last = head, j
        if rows and len(starts) >= 2:
            found.append((first, last, cells(lines[head:i]), [r for r in rows if any(r[2])]))
            i = last
        else:
            i += 1
    return found


def _pandoc_table(found, source: _Source) -> _Unit:
    first, last, head, rows = found

    def cell(text: str) -> Cell:
        return _cell(parser().parseInline(text)[0]) if text else Cell()

    header = tuple(cell(h).text for h in head)
    out = [Row(cells=tuple(cell(c) for c in cells), page=1, span=Span(start=(s := source.span(a, b))[0], end=s[1]))
           for a, b, cells in rows]
    if not reads_as_header(list(header)) and any(header):
        out.insert(0, Row(cells=tuple(Cell(text=h) for h in header), page=1))
        header = ()
    start, end = source.span(first, last)
    return _Unit("table", start=start, end=end, table=Table(header=header, rows=tuple(out), pages=(1,)))


# --------------------------------------------------------------------------- paragraphs and items


def _family(marker: str) -> str:
    """The kind of series a marker belongs to: number, roman, letter or glyph."""
    core = marker.strip("().")
    if core.isdigit():
        return "number"
    if re.fullmatch(ROMAN, core):
        return "roman"
    if len(core) == 1 and core.isalpha() and core not in "o":
        return "letter"
    return "glyph"


def _groups(unit: _Unit, source: _Source) -> list[_Unit]:
    """A paragraph or item split where a line opens with a marker (converters write one item a
    line), each part an item with that marker; a paragraph that opens with one is an item."""
    if unit.kind not in ("paragraph", "list_item") or not unit.lines:
        return [unit]
    out: list[_Unit] = []
    for index, line in enumerate(unit.lines):
        stripped = _lstrip_lines([line])
        text = stripped[0].text
        match = MARKER.match(text) or MARKER_ALONE.match(text)
        current = out[-1] if out else None
        if index and match and not _starts_item(match.group("marker"), current, unit):
            match = None
        if current is not None and not match:
            current.lines.append(line)
            continue
        start = source.starts[line.row] if line.row < len(source.starts) else unit.start
        start = max(start, unit.start)
        if current is not None:
            current.end = max(current.start, min(unit.end, _line_end(source, out[-1].lines[-1].row)))
        if match is None or (index == 0 and unit.kind == "list_item" and not _glyph_only(match.group("marker"))):
            part = _Unit(unit.kind, stripped, start, unit.end, level=unit.level, marker=unit.marker, depth=unit.depth)
        else:
            marker = match.group("marker")
            body = _drop_prefix(stripped, match.end())
            if index == 0 and unit.kind == "paragraph" and _bold_title(body, marker):
                part = _Unit("paragraph", stripped, start, unit.end, depth=unit.depth)  # "**1. Introduction**"
            else:
                level = unit.level if index == 0 and unit.kind == "list_item" else unit.depth
                bold_marker = bool(stripped[0].runs) and stripped[0].runs[0][1]
                part = _Unit("list_item", body, start, unit.end, level=level, marker=marker, depth=unit.depth,
                             bold_marker=bold_marker, printed=True)
        out.append(part)
    return out


def _glyph_only(marker: str) -> bool:
    """A glyph opening a Markdown list item's text is its printed marker ("- ✓ Done")."""
    return _family(marker) == "glyph" and marker not in "–o"


def _starts_item(marker: str, current: _Unit | None, unit: _Unit) -> bool:
    """Whether a line opening with `marker` inside a paragraph starts a new item: a bullet glyph
    always; a number or letter when the part before is an item of the same kind or a lead-in."""
    if marker in STRONG_GLYPHS:
        return True
    if current is None:
        return False
    if current.marker and _family(current.marker) == _family(marker):
        return True
    return _plain(current.lines).endswith(":")


def _bold_title(body: list[_Line], marker: str) -> bool:
    """A wholly bold, short numbered line reads as a numbered heading ("**1. Introduction**")."""
    if _family(marker) == "glyph":
        return False
    text = _plain(body)
    return _wholly_bold(body) and len(text.split()) <= 10 and not text.endswith((".", ",", ";"))


def _line_end(source: _Source, row: int) -> int:
    return source.span(row, row + 1)[1]


def continues(before: str, after: str, *, item: bool = False) -> bool:
    """Whether paragraph `after` is the rest of `before`, broken at a blank line by a converter:
    `before` stops mid-sentence and `after` opens in lower case, or `before` ends on a word no
    sentence ends on, or (a paragraph, not a list item) on a lower-case word after eight or more.

    >>> continues("improving the quality and", "function of routes")
    True
    >>> continues("Historically a village, Dalston was boosted by the arrival of the first", "Dalston Junction station")
    True
    >>> continues("Forum Central", "We also have a role"), continues("Our vision.", "more")
    (False, False)
    """
    if not before or not after or SENTENCE_END.search(before):
        return False
    words = before.split()
    last = words[-1]
    if after[0].islower() or last.lower() in FUNCTION_WORDS:
        return True
    return not item and len(words) >= 8 and last.isalpha() and last.islower() and (after[0].isupper() or after[0].isdigit())


def _join_broken(units: list[_Unit]) -> list[_Unit]:
    """Paragraphs that a converter broke at a blank line joined again (see `continues`)."""
    out: list[_Unit] = []
    tail = ""
    for unit in units:
        prev = out[-1] if out else None
        if (  # a heading's last words pushed into a paragraph of their own ("in Good Urban Design")
            unit.kind == "paragraph" and prev is not None and prev.kind == "heading" and not prev.lines[-1].text.rstrip().endswith((".", ":"))
            and (head := _plain(unit.lines))[:1].islower() and len(head.split()) <= 8 and not _wholly_bold(unit.lines)
        ):
            prev.lines.extend(unit.lines)
            prev.end = unit.end
            continue
        if (
            unit.kind == "paragraph" and prev is not None and prev.kind in ("paragraph", "list_item") and tail
            and continues(tail, _plain(unit.lines), item=prev.kind == "list_item")
            and not _ends_bold(prev.lines) and not _wholly_bold(unit.lines)
        ):
            prev.lines.extend(unit.lines)
            prev.end = unit.end
            tail = _plain(prev.lines)
            continue
        out.append(unit)
        tail = _plain(unit.lines) if unit.kind in ("paragraph", "list_item") else ""
    return out


def _nest_printed(units: list[_Unit]) -> list[_Unit]:
    """Levels for items whose markers are printed in the text: in a run of such items, a new
    kind of marker goes one level down ("A." then "i."), a kind seen before returns to its level.
    Any other block ends the run."""
    families: list[str] = []
    for unit in units:
        if unit.kind != "list_item" or not unit.printed:
            families = []
            continue
        family = _family(unit.marker or "")
        if family in families:
            del families[families.index(family) + 1:]
        else:
            families.append(family)
        unit.level = (unit.level or 0) + len(families) - 1
    return units


def _finish(unit: _Unit, source: _Source) -> list[dict]:
    """Block fields for a unit: headings and items as they are, paragraphs classified (bold
    headings, bold titles run in), items run on into the next split."""
    if unit.kind == "table":
        table = unit.table
        body = "\n".join(" | ".join(t for t in r.texts if t) for r in table.rows)
        text = body or " | ".join(t for t in table.header if t)
        return [dict(kind="table", text=text, span=Span(start=unit.start, end=unit.end), table=table)] if text else []
    if unit.kind == "html":
        return [block.model_dump(exclude={"id", "page", "span"}) | {"span": Span(start=unit.start, end=unit.end)}
                for block in unit.blocks]
    text = _plain(unit.lines)
    if not text:
        return []
    span = Span(start=unit.start, end=unit.end)
    if unit.kind == "heading":
        return [dict(kind="heading", text=text, span=span, level=unit.level, bold=True if _wholly_bold(unit.lines) else None)]
    if unit.kind == "list_item":
        bold = True if unit.bold_marker or _leads_bold(unit.lines) else None
        item = dict(kind="list_item", text=text, span=span, level=unit.level, marker=unit.marker, bold=bold)
        return _run_on(item, source) if unit.printed else [item]
    return _paragraph(unit, text, source)


def _paragraph(unit: _Unit, text: str, source: _Source) -> list[dict]:
    span = Span(start=unit.start, end=unit.end)
    if _wholly_bold(unit.lines):
        words = len(text.split())
        sentence = words > 6 and text.endswith((".", "!", "?", ";", ","))  # bold for emphasis
        if words <= HEADING_WORDS and not sentence and not lead_in_pattern().match(text):
            return [dict(kind="heading", text=text, span=span, level=None, bold=True)]
        return [dict(kind="paragraph", text=text, span=span, bold=True)]
    lead, rest = _bold_edge(unit.lines, leading=True)
    if lead and _run_in_title(lead) and rest[:1].isupper() and len(rest.split()) >= 4:
        cut = source.find_words(unit.start, unit.end, rest)
        if cut is not None:
            return [dict(kind="heading", text=lead, span=Span(start=unit.start, end=_rstrip(source, unit.start, cut)), bold=True),
                    dict(kind="paragraph", text=rest, span=Span(start=cut, end=unit.end))]
    body, tail = _bold_edge(unit.lines, leading=False)
    if tail and _run_in_title(tail) and len(tail.split()) <= 12 and re.search(r"[:.!?]$", body):
        cut = source.find_words(unit.start, unit.end, tail)
        if cut is not None and cut > unit.start:
            return [dict(kind="paragraph", text=body, span=Span(start=unit.start, end=_rstrip(source, unit.start, cut))),
                    dict(kind="heading", text=tail, span=Span(start=cut, end=unit.end), bold=True)]
    return [dict(kind="paragraph", text=text, span=span, bold=True if _leads_bold(unit.lines) else None)]


def _rstrip(source: _Source, start: int, end: int) -> int:
    """`end` moved back over white space and bold markers."""
    while end > start and (source.text[end - 1].isspace() or source.text[end - 1] == "*"):
        end -= 1
    return end


def _run_in_title(text: str) -> bool:
    """A bold run that reads as a title: two to fifteen words, not ending as a sentence or label."""
    return 2 <= len(text.split()) <= 15 and not re.search(r"[.,;:–—-]$", text)


def _bold_edge(lines: list[_Line], *, leading: bool) -> tuple[str, str]:
    """The bold run that opens (leading) or closes the paragraph, and the rest of its text:
    (title, rest) when leading, (rest, title) when trailing; empty strings when there is none."""
    runs = [(text, bold) for line in lines for text, bold in [*line.runs, (" ", False)]]
    if not leading:
        runs = runs[::-1]
    edge: list[str] = []
    k = 0
    while k < len(runs) and (runs[k][1] or not runs[k][0].strip()):
        edge.append(runs[k][0])
        k += 1
    if not edge or k == len(runs):
        return "", ""
    other = [text for text, _ in runs[k:]]
    if not leading:
        edge, other = edge[::-1], other[::-1]
    title, remainder = clean_text("".join(edge)), clean_text(" ".join(other))
    if not title or not remainder:
        return "", ""
    return (title, remainder) if leading else (remainder, title)


def _next_marker(marker: str) -> str | None:
    """The marker that follows `marker` in its series.

    >>> _next_marker("c."), _next_marker("(ii)"), _next_marker("9)"), _next_marker("•")
    ('d.', '(iii)', '10)', '•')
    """
    match = re.fullmatch(r"(\(?)(\w+)([.)])", marker)
    if not match:
        return marker if marker in STRONG_GLYPHS else None
    open_, core, close = match.groups()
    romans = ROMAN.split("|")
    if core.isdigit():
        nxt = str(int(core) + 1)
    elif core in romans:
        index = romans.index(core)
        nxt = romans[index + 1] if index + 1 < len(romans) else None
    elif len(core) == 1 and core.isalpha() and core not in "zZ":
        nxt = chr(ord(core) + 1)
    else:
        nxt = None
    return f"{open_}{nxt}{close}" if nxt else None


def _run_on_tail(items: list[dict], source: _Source) -> list[dict]:
    """Split the paragraph off the last of `items` (see `_run_on`); returns that paragraph."""
    last = items[-1]
    if not items[-2]["text"].endswith(")"):
        return []
    found = re.search(r"\)\s+(?=[A-Z][a-z]+\s)", last["text"])
    if not found or len(last["text"][found.end():].split()) < 6:
        return []
    head, tail = last["text"][:found.start() + 1], last["text"][found.end():]
    span = last["span"]
    cut = source.find_words(span.start, span.end, tail)
    if cut is None:
        return []
    items[-1] = last | {"text": head, "span": Span(start=span.start, end=_rstrip(source, span.start, cut))}
    return [dict(kind="paragraph", text=tail, span=Span(start=cut, end=span.end))]


def _run_on(fields: dict, source: _Source) -> list[dict]:
    """An item whose text runs on into the next item of its series ("c. Access ... d. Mental
    health ...", as converters join lines) split into the two items; when the item before ended
    on a bracket ("(number of attendances)") and the last one runs on past its own into a new
    sentence, that sentence is a paragraph after the items."""
    out = [fields]
    while True:
        last = out[-1]
        nxt = _next_marker(last["marker"] or "")
        found = re.search(rf"(?<=\s){re.escape(nxt)}\s+(?=[A-Z0-9(‘“\"'])", last["text"]) if nxt else None
        if not found or found.start() < 2:
            return out + _run_on_tail(out, source) if len(out) > 1 else out
        before, after = last["text"][:found.start()].rstrip(), last["text"][found.end():].strip()
        span = last["span"]
        where = re.compile(rf"(?<=\s){re.escape(nxt)}\s").search(source.text, span.start, span.end)
        cut = where.start() if where else span.end
        out[-1] = last | {"text": before, "span": Span(start=span.start, end=_rstrip(source, span.start, cut) if where else span.end)}
        out.append(last | {"text": after, "marker": nxt, "bold": None, "span": Span(start=cut, end=span.end) if where else span})
