"""Plain-text loader, for text as PDF-to-text converters write it.

What it understands:

- paragraphs separated by blank lines, hard-wrapped lines joined;
- headings: short standalone lines, all-capitals lines, "Priority 2 ..." blocks;
- list items: bullets (``-``, ``•``, ``✓``, ...) and numbers (``1.``, ``a)``), with their
  continuation lines; the marker is kept apart from the text;
- lead-in lines such as ``We will:`` as blocks of their own;
- tables as runs of tab-separated lines, cells holding HTML fragments (``<p>``, ``<ul><li>``,
  ``<br>``, ``<i>``, ``<div style="background-color: red">``); a header row repeated at a page
  break is dropped and the row continued across the break (empty first cell) is merged;
- form feeds as page breaks (otherwise everything is page 1, except that a repeated table
  header also counts as a page break, since that is how converters show one);
- words a converter broke with a space ("Strategic o bjective", "Con sultation", "well -being")
  mended where the document prints the whole word elsewhere (`SplitWords`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from extractors.cleaners import clean_text, fold_whitespace, printable_ratio, strip_markup
from extractors.patterns import header_words, lead_in_pattern, priority_heading_pattern
from pipeline.loaders import LoadError, document_of
from pipeline.loaders.rows import continues_row, merge_rows
from schemas.document import Block, Cell, Document, Page, Row, Span, Table

BULLET_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>(?:[-–•●▪◦*‣➢►✓✔\uf0b7\uf0a7](?:[ \t]+[✓✔])?)|o(?=[ \t]+[A-Z0-9]))(?:[ \t]+|$)(?P<text>.*)$"
)
NUMBER_LINE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>\d{1,2}[a-z]?[.)]|\(?[a-z]\)|\(?(?:ii|iii|iv|vi|vii|viii|ix)\))[ \t]+(?P<text>\S.*)$"
)
# A numbered paragraph of a report or plan ("11.8 It is not just homes ..."): a line that starts
# one starts a block, even where the conversion left no blank line between paragraphs.
PARAGRAPH_START = re.compile(r"^\s*\d{1,3}\.\d{1,2}\s+[A-Z\"“‘']")
# A line that opens with a printed code and a capitalised word ("SO5 To protect ...", "LP 9 Small
# Settlements") starts a block too: a flattened table's row, or a policy.
# A printed code as conversions leave it: "SO1", "S03" (O for 0), "LP 9", "CP6a".
CODE = r"[A-Z]{1,4}[0-9O]?[0-9]{1,2}[a-z]?"
CODE_START = re.compile(rf"^\s*[A-Z]{{1,4}}\s?[0-9O]?[0-9]{{1,2}}[a-z]?\s+[A-Z][a-z]")
BOLD_LEAD = re.compile(r"^\s*(?:\*\*|__)[^*_]{2,}(?:\*\*|__)")
SEPARATOR_CELL = re.compile(r"^\s*:?-{3,}:?\s*$")
HTML_HINT = re.compile(r"<\s*/?\s*(p|ul|ol|li|br|div|i|b|u|span|em|strong)\b", re.I)
BLOCK_TAGS = {"p", "li", "div", "ul", "ol", "td", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}
COLOUR_STYLE = re.compile(r"background(?:-color)?\s*:\s*([#\w()., ]+?)\s*(?:;|$)", re.I)


def utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for text saved as UTF-16 without a byte-order mark (every other
    byte NUL), else None.

    >>> utf16_without_bom("We will".encode("utf-16-le")), utf16_without_bom(bytes(range(256)))
    ('utf-16-le', None)
    """
    sample = raw[:4096]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * half and even <= 0.02 * half:
        return "utf-16-le"
    if even >= 0.3 * half and odd <= 0.02 * half:
        return "utf-16-be"
    return None


def decode(raw: bytes, path: Path) -> tuple[str, list[str]]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one when every
    other byte is NUL), else Windows-1252."""
    warnings: list[str] = []
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = utf16_without_bom(raw)
        if encoding is None:
            raise LoadError(path, "binary content, not a text document", "expected UTF-8 text", code="E104")
        raw = (b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff") + raw[: len(raw) // 2 * 2]
        warnings.append(f"UTF-16 without a byte-order mark; read as {encoding.upper()}")
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = raw.decode("cp1252", errors="replace")
        warnings.append("not valid UTF-8; decoded as Windows-1252")
    if printable_ratio(text[:20000]) < 0.95:
        raise LoadError(path, "binary content, not a text document", "expected UTF-8 text", code="E104")
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


def load_text(path: Path) -> Document:
    raw = path.read_bytes()
    text, warnings = decode(raw, path)
    pages = parse_text(text)
    return document_of(path, "text", pages, warnings=warnings)


# --------------------------------------------------------------------------- cells


def _fills_of(tag: Tag) -> list[str]:
    fills = []
    for element in [tag, *tag.find_all(True)]:
        style = element.get("style") or ""
        for match in COLOUR_STYLE.finditer(style):
            fills.append(match.group(1).strip().lower())
        if element.get("bgcolor"):
            fills.append(str(element["bgcolor"]).strip().lower())
    return fills


def parse_cell(raw: str) -> Cell:
    """One tab-separated cell, possibly holding HTML, to a Cell with lines and fills."""
    raw = raw.strip()
    if not raw:
        return Cell()
    if not HTML_HINT.search(raw):
        text = clean_text(raw)
        return Cell(text=text, lines=(text,) if text else ())
    soup = BeautifulSoup(raw, "html.parser")
    fills = _fills_of(soup)
    lines: list[str] = []
    current: list[str] = []
    current_owner = None

    def flush() -> None:
        nonlocal current
        line = fold_whitespace(" ".join(current))
        if line:
            lines.append(line)
        current = []

    for node in soup.descendants:
        if isinstance(node, Tag) and node.name == "br":
            flush()
            continue
        if not isinstance(node, NavigableString) or not str(node).strip():
            continue
        owner = next((p for p in node.parents if p.name in BLOCK_TAGS), None)
        if owner is not current_owner:
            flush()
            current_owner = owner
        current.append(str(node))
    flush()
    lines = [clean_text(line) for line in lines if clean_text(line)]
    return Cell(text=fold_whitespace(" ".join(lines)), lines=tuple(lines), fills=tuple(fills))


# --------------------------------------------------------------------------- tables


def _row_key(cells: list[str]) -> tuple[str, ...]:
    return tuple(c.strip().lower() for c in cells if c.strip())


def looks_like_header(cells: list[str]) -> bool:
    """A first row of short cells using table-header vocabulary ("Ref", "Key Action", "RAG")."""
    filled = [fold_whitespace(strip_markup(c)) for c in cells if c.strip()]
    if len(filled) < 2:
        return False
    if any(len(c.split()) > 8 for c in filled):
        return False
    vocabulary = header_words()
    hits = sum(1 for c in filled if set(re.findall(r"[a-z]+", c.lower())) & vocabulary)
    return hits >= max(1, len(filled) // 3)


@dataclass
class _TableBuilder:
    header: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    start: int = 0
    end: int = 0


def _split_cells(line: str) -> list[str]:
    return line.split("\t")


# --------------------------------------------------------------------------- text blocks


@dataclass
class _Pending:
    kind: str
    lines: list[str]
    start: int
    end: int
    marker: str | None = None
    level: int | None = None
    label: bool = False  # a bare "Objective 1:" whose name follows on the next lines


def _classify(text: str) -> tuple[str, int | None]:
    words = text.split()
    if priority_heading_pattern().match(text) and len(words) <= 45:
        return "heading", 1
    if not words or len(words) > 16:
        return "paragraph", None
    if text.endswith((".", ",", ";", ":", "…")) or text.startswith(('"', "“")):
        return "paragraph", None
    first = text.lstrip("'\"‘“(")[:1]
    if not (first.isupper() or first.isdigit()):
        return "paragraph", None
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 3:
        return "heading", 1
    return "heading", None


class SplitWords:
    """Mends words that a PDF-to-text converter broke with a space ("Strategic o bjective 1",
    "Con sultation", "h ealthy"), judged by the document's own words, since no word list is
    shipped: two tokens are joined when the document prints the joined word at least twice
    and one of the two is a fragment, a token found only beside a neighbour it joins into a
    printed word ("bjective" beside "o"; "to" also stands alone, so "in to" stays). A space
    before the hyphen of a compound ("well -being") is dropped too. A clean document has no
    fragments, so nothing in it changes.
    """

    TOKEN = re.compile(r"[A-Za-z]+")
    PAIR = re.compile(r"\b([A-Za-z]+) (?=([a-z]+)\b)")  # the second word looked at, not taken
    SPACED_HYPHEN = re.compile(r"(?<=[a-z]) -(?=[a-z])")

    def __init__(self, text: str):
        tokens = [m.group(0).lower() for m in self.TOKEN.finditer(text)]
        self.words = Counter(tokens)
        before: dict[str, set[str]] = defaultdict(set)
        after: dict[str, set[str]] = defaultdict(set)
        for a, b in zip(tokens, tokens[1:]):
            after[a].add(b)
            before[b].add(a)
        self.fragments = {
            t for t in self.words
            if (before[t] and all(self.words.get(p + t, 0) for p in before[t]))
            or (after[t] and all(self.words.get(t + q, 0) for q in after[t]))}

    def _join(self, m: re.Match) -> str:
        a, b = m.group(1).lower(), m.group(2)
        if self.words.get(a + b, 0) >= 2 and (a in self.fragments or b in self.fragments):
            return m.group(1)
        return m.group(0)

    def __call__(self, line: str) -> str:
        if not self.fragments or " " not in line:
            return line
        return self.SPACED_HYPHEN.sub("-", self.PAIR.sub(self._join, line))


def parse_text(text: str) -> list[Page]:
    """Split text into pages of blocks. Offsets in spans index into `text` (a line's mended
    words keep its offsets)."""
    pages: list[Page] = []
    mend = SplitWords(text)
    # Absolute offsets of each line, across form-feed pages.
    page_texts = text.split("\f")
    offset = 0
    page_number = 1
    all_blocks: list[tuple[int, Block]] = []
    counter = 0

    def add(block_kwargs: dict, page: int) -> None:
        nonlocal counter
        counter += 1
        all_blocks.append((page, Block(id=f"p{page}-b{counter}", page=page, **block_kwargs)))

    for page_text in page_texts:
        lines: list[tuple[int, int, str]] = []
        pos = offset
        for raw_line in page_text.split("\n"):
            lines.append((pos, pos + len(raw_line), mend(raw_line)))
            pos += len(raw_line) + 1
        page_number = _parse_lines(lines, page_number, add)
        offset += len(page_text) + 1
        page_number += 1

    by_page: dict[int, list[Block]] = {}
    for page, block in all_blocks:
        by_page.setdefault(page, []).append(block)
    last = max(by_page) if by_page else 1
    for number in range(1, last + 1):
        pages.append(Page(number=number, blocks=tuple(by_page.get(number, []))))
    return pages


PAGE_WORD = re.compile(r"\bpage\b\s*\|?\s*\d", re.I)
RUNNING_GAP = 300  # characters between two printings of a running header, at the least


def furniture(lines: list[tuple[int, int, str]]) -> set[int]:
    """Indices of running headers and footers: a line printed three or more times whose digits
    change ("... PLAN 2021  Page | 17") or that names a page number.

    Repeated structural lines ("We will:", a table header) have no changing digits and stay.
    """
    seen: dict[str, list[int]] = {}
    for index, (_, _, line) in enumerate(lines):
        if "\t" in line or not line.strip() or len(line) > 150 or priority_heading_pattern().match(line.strip()):
            continue
        key = re.sub(r"\d+", "#", " ".join(line.split())).lower()
        if "#" in key:
            seen.setdefault(key, []).append(index)
    dropped: set[int] = set()
    for key, indices in seen.items():
        raw = {" ".join(lines[i][2].split()) for i in indices}
        long_enough = len(key.split()) >= 4
        # A running header is printed once a page, pages apart; lines a few apart that differ in
        # their figures ("Open 2 family hubs by 2025", "Open 3 ... by 2026") are the text itself.
        gaps = [lines[b][0] - lines[a][1] for a, b in zip(indices, indices[1:])]
        spread = sum(g >= RUNNING_GAP for g in gaps) * 2 >= len(gaps)  # mostly pages apart (blank pages aside)
        if len(indices) >= 3 and ((len(raw) > 1 and long_enough and spread) or PAGE_WORD.search(key.replace("#", "1"))):
            dropped.update(indices)
    return dropped


def _parse_lines(lines: list[tuple[int, int, str]], page: int, add) -> int:
    """Parse one form-feed page; returns the last page number used (tables may add breaks)."""
    skip = furniture(lines)
    justified = {i for i, (_, _, line) in enumerate(lines) if i not in skip and _tabbed_prose(line)}
    lines = [(s, e, "" if i in skip else line.replace("\t", " ") if i in justified else line)
             for i, (s, e, line) in enumerate(lines)]
    justified = {lines[i][:2] for i in justified}  # by span: the pairing below moves lines
    lines = pair_code_runs(split_glued_codes(lines))
    i = 0
    n = len(lines)
    width = wrap_width(lines)
    pending: _Pending | None = None
    table: _TableBuilder | None = None  # open until non-table text: blank lines keep it open

    def flush() -> None:
        nonlocal pending
        if pending is None:
            return
        raw = " ".join(line.strip() for line in pending.lines)
        text = clean_text(raw)
        if text:
            span = Span(start=pending.start, end=pending.end)
            bold = True if BOLD_LEAD.match(raw) else None  # "**The best start in life** – ..."
            if pending.kind == "list_item":
                add(dict(kind="list_item", text=text, span=span, marker=pending.marker, level=pending.level, bold=bold), page)
            else:
                kind, level = _classify(text)
                add(dict(kind=kind, text=text, span=span, level=level, bold=bold), page)
        pending = None

    def close_table() -> None:
        nonlocal table
        if table is None:
            return
        t = Table(header=table.header, rows=tuple(table.rows), pages=tuple(sorted(set(table.pages))))
        body = "\n".join(" | ".join(c for c in r.texts if c) for r in table.rows)
        add(dict(kind="table", text=body, span=Span(start=table.start, end=table.end), table=t), table.pages[0])
        table = None

    while i < n:
        start, end, line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        if "\t" in line:
            flush()
            segment = []
            while i < n and "\t" in lines[i][2] and lines[i][2].strip():
                segment.append(lines[i])
                i += 1
            page, table = _add_table_segment(segment, table, page, close_table)
            continue
        # Non-table text ends any open table (a new segment after it starts a new table).
        if table is not None:
            close_table()
        bullet = BULLET_LINE.match(line)
        number = NUMBER_LINE.match(line)
        if number and not bullet and _numbered_heading(lines, i, number):
            flush()
            pending = _Pending("paragraph", [line], start, end)
            flush()  # short enough to be classified a heading, number kept in its text
        elif bullet or number:
            match = bullet or number
            flush()
            body = match.group("text").strip()
            if not body:
                i += 1
                continue
            indent = len(match.group("indent").expandtabs(4))
            pending = _Pending("list_item", [body], start, end, marker=match.group("marker").strip(), level=indent // 2)
        elif pending is not None and pending.kind == "list_item" and (
                line[:1].isspace() or line[:1].islower() or _wraps_on(pending.lines[-1], width)
                or (i > 0 and lines[i - 1][:2] in justified and pending.lines[-1].rstrip()[-1:] not in ".!?:;")):
            # An indented line, one that starts in lower case, or any line after one the
            # conversion wrapped (at full width, or justified with tabs) mid-sentence, continues
            # the item.
            pending.lines.append(line)
            pending.end = end
        elif line.rstrip().endswith(":") and line[:1].isupper() and _list_follows(lines, i) and (
                pending is None or pending.lines[-1].rstrip()[-1:] in ".!?:" or pending.lines[-1].rstrip()[-1:].isdigit()):
            # "In Western Area, we will also:" right above its lettered list introduces it, even
            # with no blank line between it and the paragraph (or page number) before.
            flush()
            pending = _Pending("paragraph", [line], start, end)
            flush()
        elif lead_in_pattern().match(line.strip()):
            flush()
            pending = _Pending("paragraph", [line], start, end)
            flush()
        elif (heading := priority_heading_pattern().match(line.strip())) and len(line.split()) <= 15:
            # "Strategic Objective SO2: Local economy" starts a block even inside a paragraph;
            # a bare "Priority 1" keeps the wrapped title lines that follow it.
            flush()
            pending = _Pending("paragraph", [line], start, end, label=True)
            if heading.group("title").strip():
                flush()
        elif pending is not None and pending.label and len(pending.lines) > 1 and line.rstrip().endswith(":"):
            # The label's name has been read; a line ending ":" ("This will be achieved
            # through:") introduces what follows, it does not continue the name.
            flush()
            pending = _Pending("paragraph", [line], start, end)
        elif pending is not None and pending.kind == "paragraph" and not _new_paragraph(pending.lines[-1], line, width):
            pending.lines.append(line)
            pending.end = end
        else:
            flush()
            pending = _Pending("paragraph", [line], start, end)
        i += 1
    flush()
    close_table()
    return page


CODE_ONLY = re.compile(rf"^\s*(?P<code>{CODE})\s*$")
CODE_GLUED = re.compile(rf"^\s*(?P<code>{CODE})(?P<text>[A-Z][a-z].*)$")


def _prefix(code: str) -> str:
    return re.match(r"[A-Z]+", code.replace("0", "O")).group(0).rstrip("O") or code[:1]


GLUED_BEFORE_CODE = re.compile(rf"(?<=[a-z]{{3}})(?={CODE}\s+[A-Z][a-z])")


def split_glued_codes(lines: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A flattened table row whose first cell ran into the code of the next ("Nature and
    landscapeSO5 To protect ..."): the code starts a line of its own.

        >>> split_glued_codes([(10, 40, "landscapeSO5 To protect the environment")])
        [(10, 19, 'landscape'), (19, 40, 'SO5 To protect the environment')]
    """
    out = []
    for start, end, line in lines:
        m = GLUED_BEFORE_CODE.search(line)
        if m and not line[:m.start()].strip().startswith(("http", "www")):
            out += [(start, start + m.start(), line[:m.start()]), (start + m.start(), end, line[m.start():])]
        else:
            out.append((start, end, line))
    return out


def pair_code_runs(lines: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """A table of codes and texts ("SO1 | To respond to the climate emergency ...") that a
    conversion flattened column by column: a run of lines that are only codes (the last may have
    the first text glued on, "SO5Encourage population growth"), then the texts, each starting on
    a line with a capital letter and wrapped onto lines that do not. Where the texts number as
    many as the codes (a column heading such as "Strategic objective" before them aside), each
    code is put back before its text, one block each. Anything else is left as it is.

        >>> rows = [(0, 0, "SO1"), (0, 0, "SO2"), (0, 0, "SO3"), (0, 0, "Strategic objective"),
        ...         (0, 0, "To respond to the climate"), (0, 0, "emergency by design"),
        ...         (0, 0, "To deliver at least 15,120 homes"), (0, 0, "To provide 35 hectares of land"), (0, 0, "")]
        >>> [t for _, _, t in pair_code_runs(rows) if t]
        ['Strategic objective', 'SO1 To respond to the climate emergency by design', 'SO2 To deliver at least 15,120 homes', 'SO3 To provide 35 hectares of land']
    """
    out: list[tuple[int, int, str]] = []
    i, n = 0, len(lines)
    while i < n:
        run = i
        codes: list[str] = []
        while run < n and (m := CODE_ONLY.match(lines[run][2])):
            codes.append(m.group("code"))
            run += 1
        glued = CODE_GLUED.match(lines[run][2]) if run < n and len(codes) >= 2 else None
        if glued:
            codes.append(glued.group("code"))
        if len(codes) < 3 or len({_prefix(c) for c in codes}) != 1:
            out.append(lines[i])
            i += 1
            continue
        # The texts: an item starts on a line that opens with a capital; at most one more than
        # the codes are read (a column heading may come first), up to a blank line.
        items: list[list[int]] = []
        j = run
        if glued:
            items.append([run])
            j = run + 1
        while j < n and lines[j][2].strip():
            text = lines[j][2].strip()
            if text[:1].isupper() or text[:1].isdigit() or not items:
                if len(items) == len(codes) + 1:
                    break
                items.append([j])
            else:
                items[-1].append(j)
            j += 1

        def words(item: list[int]) -> int:
            return sum(len(lines[k][2].split()) for k in item)

        heading = None
        if len(items) == len(codes) + 1:
            if not glued and words(items[0]) <= 3 and "." not in lines[items[0][0]][2]:
                heading, items = items[0], items[1:]  # the column's heading
            elif words(items[-1]) <= 3:
                items = items[:-1]  # the next column's first cell ("UC1")
            else:
                items = []  # one text too many: a code was lost, and pairing would misalign
        if len(items) != len(codes) or any(words(item) < 4 for item in items):
            out.append(lines[i])
            i += 1
            continue
        for k in range(i, run):
            out.append((lines[k][0], lines[k][1], ""))  # the codes move to their texts
        if heading:
            out.append(lines[heading[0]])
            out.append((lines[heading[0]][1], lines[heading[0]][1], ""))
        for code, item in zip(codes, items):
            first, last = lines[item[0]], lines[item[-1]]
            body = " ".join(lines[k][2].strip() for k in item)
            if glued and item[0] == run:
                body = " ".join([glued.group("text").strip()] + [lines[k][2].strip() for k in item[1:]])
            out.append((first[0], last[1], f"{code} {body}"))
            out.append((last[1], last[1], ""))  # one block each
        i = item[-1] + 1
    return out


def wrap_width(lines: list[tuple[int, int, str]]) -> int | None:
    """The width a hard-wrapped text was set to, or None when its lines are not wrapped to one
    width (one paragraph a line, or a conversion whose lines run on irregularly).

    The width is the 90th percentile of the lengths of lines of 20 characters or more; the text
    is wrapped when at least 40% of those lines come within -15%..+10% of it.
    """
    lengths = sorted(len(line.strip()) for _, _, line in lines if len(line.strip()) >= 20)
    if len(lengths) < 20:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    near = sum(1 for length in lengths if 0.85 * width <= length <= 1.1 * width)
    return width if near >= 0.4 * len(lengths) else None


def _new_paragraph(previous: str, line: str, width: int | None) -> bool:
    """Whether `line` starts a new block though no blank line separates it from `previous`:
    it starts a numbered paragraph ("11.8 It is ..."), or, in hard-wrapped text, the line before
    stopped well short of the width where a sentence ended, or it was a short heading."""
    if PARAGRAPH_START.match(line) or CODE_START.match(line):
        return True
    before = previous.strip()
    if width is None or len(before) >= 0.7 * width:
        return False
    if before.endswith((".", "!", "?", ":")):
        return True
    first = line.strip()[:1]
    return len(before.split()) <= 8 and before[:1].isupper() and (first.isupper() or first.isdigit())


def _wraps_on(previous: str, width: int | None) -> bool:
    """A line of hard-wrapped text that ran to the full width without ending its sentence."""
    before = previous.rstrip()
    return width is not None and len(before.strip()) >= 0.85 * width and before[-1:] not in ".!?:;"


def _list_follows(lines, i: int) -> bool:
    """Whether the next line (blank lines skipped) starts a bulleted or numbered item."""
    for _, _, line in lines[i + 1:]:
        if line.strip():
            return bool(BULLET_LINE.match(line) or NUMBER_LINE.match(line))
    return False


FUNCTION_WORD = re.compile(r"^(?:and|or|the|of|to|in|for|with|at|on|by|a|an)$", re.I)


def _tabbed_prose(line: str) -> bool:
    """A justified line that a PDF-to-text conversion spaced with tabs ("a)\t ensure\tdevelopment
    \talong\tthe ..."): three or more tab-separated pieces, mostly single words, and most of them
    in lower case. A table's row has cells of several words, figures, or capitalised labels."""
    pieces = [p.strip() for p in line.split("\t") if p.strip()]
    if len(pieces) < 3:
        return False
    single = sum(1 for p in pieces if len(p.split()) == 1)
    lower = sum(1 for p in pieces if p[:1].islower())
    if single < 0.7 * len(pieces):
        return False
    if lower * 2 >= len(pieces):
        return True
    # A sentence whose justified tail names places ("..., Stonehouse\tDrive,\tUpper\tGlen\tRoad
    # \tand\tGillsmans\tHill"): a long first piece, then six or more words with a joining word.
    tail = pieces[1:]
    return (len(pieces[0].split()) >= 8 and len(tail) >= 6 and any(FUNCTION_WORD.match(p) for p in tail)
            and all(re.fullmatch(r"[A-Za-z’'-]+[,.;]?", p) for p in tail))


def _stands_alone(lines, j: int) -> bool:
    before = j == 0 or not lines[j - 1][2].strip()
    after = j + 1 >= len(lines) or not lines[j + 1][2].strip()
    return before and after


def _neighbour(lines, i: int, step: int) -> str:
    """The nearest non-blank line in a direction, if it too stands alone between blank lines
    (a numbered heading continues only a run of numbered headings laid out like it)."""
    j = i + step
    while 0 <= j < len(lines) and not lines[j][2].strip():
        j += step
    return lines[j][2] if 0 <= j < len(lines) and _stands_alone(lines, j) else ""


def _numbered_heading(lines, i: int, number: re.Match) -> bool:
    """A numbered line standing alone between blank lines, short and without end punctuation,
    and not one of a run of numbered items ("4. Resources" between report sections)."""
    body = number.group("text").strip()
    if len(body.split()) > 8 or body.endswith((".", ",", ";", ":")) or not body[:1].isupper():
        return False
    if not _stands_alone(lines, i):
        return False
    value = re.match(r"\(?(\d+)", number.group("marker"))
    if not value:
        return False
    n = int(value.group(1))
    for neighbour, expected in ((_neighbour(lines, i, -1), n - 1), (_neighbour(lines, i, 1), n + 1)):
        other = NUMBER_LINE.match(neighbour)
        if other and re.match(rf"\(?{expected}\b", other.group("marker")):
            return False
    return True


def _add_table_segment(segment, table: _TableBuilder | None, page: int, close_table) -> tuple[int, _TableBuilder | None]:
    """Add a run of tab-separated lines: stitched to the open table (only blank lines since it)
    when it repeats its header, else a new table (the open one is closed first)."""
    rows = [(s, e, _split_cells(line)) for s, e, line in segment]
    rows = [r for r in rows if not all(SEPARATOR_CELL.match(c) or not c.strip() for c in r[2])]
    if not rows:
        return page, table
    first_cells = rows[0][2]
    after_break = False
    if table is not None and table.header and _row_key(first_cells) == _row_key(list(table.header)):
        rows = rows[1:]
        page += 1
        after_break = True
    else:
        close_table()
        header: tuple[str, ...] = ()
        if looks_like_header(first_cells):
            header = tuple(clean_text(c) for c in first_cells)
            rows = rows[1:]
        table = _TableBuilder(header=header, start=segment[0][0])
    table.end = segment[-1][1]
    parsed = [Row(cells=tuple(parse_cell(c) for c in cells), page=page, span=Span(start=s, end=e)) for s, e, cells in rows]
    for k, (s, e, cells) in enumerate(rows):
        if table.header and _row_key(cells) == _row_key(list(table.header)):
            page += 1
            after_break = True
            continue
        row = parsed[k].model_copy(update={"page": page})
        if after_break and table.rows and continues_row(table.rows, row, parsed[k + 1 :]):
            table.rows[-1] = merge_rows(table.rows[-1], row)
        else:
            table.rows.append(row)
        table.pages.append(page)
        after_break = False
    if not table.pages:
        table.pages.append(page)
    return page, table
