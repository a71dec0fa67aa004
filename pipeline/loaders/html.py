"""HTML loader: council web pages (and "save as web page" exports) to the document model.

What it understands:

- ``h1``–``h6`` as headings (level = the number), ``p`` as paragraphs (``<br>`` stays inside
  the one paragraph), ``li`` as list items (marker ``•`` in ``ul``, ``N.`` in ``ol``; level = list
  nesting depth from 0), tables as table blocks (header from ``th``/``thead`` or header
  vocabulary, cells parsed like the text loader's HTML cells, fills from ``background`` styles and
  ``bgcolor``), and bare text in containers such as ``div`` as paragraphs;
- page furniture (script, style, nav, header, footer, aside, role=navigation) is dropped.

HTML has no pages and no stable character offsets: every block is on page 1 with span None.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from extractors.cleaners import clean_text
from pipeline.loaders import LoadError, document_of
from pipeline.loaders.text import looks_like_header, parse_cell
from schemas.document import Block, Cell, Document, Page, Row, Table

DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LISTS = {"ul", "ol"}
EMITTING = HEADINGS | LISTS | {"p", "li", "table"}
CONTAINERS = {
    "html", "body", "main", "div", "section", "article", "blockquote", "figure", "figcaption",
    "form", "fieldset", "address", "pre", "dl", "dt", "dd", "center", "details", "summary", "hr",
}


def load_html(path: Path) -> Document:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(path, "binary content, not an HTML document", "expected an HTML page")
    soup = BeautifulSoup(raw, "lxml")
    for tag in soup.find_all(list(DROP)):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": "navigation"}):
        tag.decompose()
    title = clean_text(soup.title.get_text(" ")) if soup.title else ""
    if soup.title:
        soup.title.decompose()
    if soup.head:
        soup.head.decompose()
    _flatten_description_lists(soup)
    walker = _Walker()
    walker.container(soup)
    blocks = walker.blocks
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return document_of(path, "html", [Page(number=1, blocks=tuple(blocks))], metadata={"title": title} if title else None)


def _flatten_description_lists(soup: BeautifulSoup) -> None:
    """A description list (<dl>: a key of abbreviations, a glossary) becomes one line per term,
    "term – description", as a printed key would read."""
    for dl in soup.find_all("dl"):
        lines = []
        for dt in dl.find_all("dt"):
            dd = dt.find_next_sibling("dd")
            term, text = clean_text(dt.get_text(" ")), clean_text(dd.get_text(" ")) if dd else ""
            if term:
                lines.append(f"{term} – {text}" if text else term)
        if not lines:
            continue
        replacement = soup.new_tag("div")
        for line in lines:
            paragraph = soup.new_tag("p")
            paragraph.string = line
            replacement.append(paragraph)
        dl.replace_with(replacement)


def _is_text(node) -> bool:
    """A text node that is page content (not a comment, doctype, CDATA, ...)."""
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def own_text(tag: Tag, stop: frozenset[str] = frozenset()) -> str:
    """The cleaned text of `tag`, skipping subtrees named in `stop`; ``<br>`` becomes a space."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if _is_text(child):
                parts.append(str(child))
            elif isinstance(child, Tag):
                if child.name in stop:
                    continue
                if child.name == "br" or child.name in CONTAINERS or child.name in EMITTING:
                    parts.append(" ")
                walk(child)
                if child.name in CONTAINERS or child.name in EMITTING:
                    parts.append(" ")

    walk(tag)
    return clean_text("".join(parts))


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def add(self, **kwargs) -> None:
        if not kwargs.get("text"):
            return
        self.blocks.append(Block(id=f"p1-b{len(self.blocks) + 1}", page=1, **kwargs))

    def container(self, tag: Tag) -> None:
        """Children in order: emitting elements handled, runs of bare/inline text as paragraphs."""
        run: list[str] = []

        def flush() -> None:
            self.add(kind="paragraph", text=clean_text(" ".join(run)))
            run.clear()

        for child in tag.children:
            if _is_text(child):
                run.append(str(child))
            elif not isinstance(child, Tag):
                continue
            elif child.name in EMITTING:
                flush()
                self.element(child)
            elif child.name in CONTAINERS or child.find(list(EMITTING | CONTAINERS)):
                flush()
                self.container(child)
            else:  # inline element (span, a, strong, ...) or <br>: part of the bare-text run
                run.append(own_text(child) if child.name != "br" else " ")
        flush()

    def element(self, tag: Tag) -> None:
        if tag.name in HEADINGS:
            self.add(kind="heading", text=own_text(tag), level=int(tag.name[1]))
        elif tag.name == "p":
            self.add(kind="paragraph", text=own_text(tag))
        elif tag.name in LISTS:
            for child in tag.children:
                if isinstance(child, Tag) and child.name == "li":
                    self.list_item(child)
                elif isinstance(child, Tag):  # stray content between items (invalid but common)
                    self.container(child) if child.name not in EMITTING else self.element(child)
                elif _is_text(child) and str(child).strip():
                    self.add(kind="paragraph", text=clean_text(str(child)))
        elif tag.name == "li":
            self.list_item(tag)
        elif tag.name == "table":
            self.table(tag)

    def list_item(self, li: Tag) -> None:
        lists = [p for p in li.parents if p.name in LISTS]
        marker = "•"
        if lists and lists[0].name == "ol":
            marker = f"{_ordinal(li, lists[0])}."
        text = own_text(li, stop=frozenset(LISTS | {"table"}))
        self.add(kind="list_item", text=text, marker=marker, level=max(len(lists) - 1, 0))
        for nested in _outermost(li, LISTS | {"table"}):
            self.element(nested)

    def table(self, table: Tag) -> None:
        trs = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
        grid = [(tr, [c for c in tr.find_all(["td", "th"], recursive=False)]) for tr in trs]
        grid = [(tr, cells) for tr, cells in grid if cells]
        if not grid:
            return
        header: tuple[str, ...] = ()
        first_tr, first_cells = grid[0]
        parsed_first = [_cell(c) for c in first_cells]
        if (
            first_tr.find_parent("thead") is not None
            or all(c.name == "th" for c in first_cells)
            or looks_like_header([c.text for c in parsed_first])
        ):
            header = tuple(c.text for c in parsed_first)
            grid = grid[1:]
        rows = tuple(Row(cells=cells, page=1) for cells in _spanned(grid))
        body = "\n".join(" | ".join(t for t in r.texts if t) for r in rows)
        self.add(kind="table", text=body or " | ".join(t for t in header if t),
                 table=Table(header=header, rows=rows, pages=(1,)))


def _span(tag: Tag, name: str) -> int:
    try:
        return max(1, min(int(tag.get(name, 1)), 50))
    except (TypeError, ValueError):
        return 1


def _spanned(grid) -> list[tuple[Cell, ...]]:
    """Body rows as a grid: a cell spanning columns is followed by empty cells, and the rows a
    rowspan cell covers get an empty cell in its place (as a merged cell prints: once, on the
    first row), so every row's cells line up with the header."""
    rows: list[tuple[Cell, ...]] = []
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for _, tags in grid:
        cells: list[Cell] = []
        queue = list(tags)
        col = 0
        while queue or any(c >= col and n > 0 for c, n in pending.items()):
            if pending.get(col, 0) > 0:
                pending[col] -= 1
                cells.append(Cell(text="", lines=()))
                col += 1
                continue
            if not queue:
                break
            tag = queue.pop(0)
            cells.append(_cell(tag))
            down, across = _span(tag, "rowspan"), _span(tag, "colspan")
            if down > 1:
                pending[col] = down - 1
            for extra in range(1, across):
                cells.append(Cell(text="", lines=()))
                if down > 1:
                    pending[col + extra] = down - 1
            col += across
        rows.append(tuple(cells))
    return rows


def _cell(tag: Tag) -> Cell:
    """A td/th through the text loader's cell parser; the cell's own style/bgcolor count as fills."""
    attrs = "".join(f' {name}="{tag[name]}"' for name in ("style", "bgcolor") if tag.get(name))
    return parse_cell(f"<div{attrs}>{tag.decode_contents()}</div>")


def _ordinal(li: Tag, ol: Tag) -> int:
    """The number an ``ol`` shows for `li`: its position, honouring ``start`` and ``value``."""
    try:
        n = int(ol.get("start", 1)) - 1
    except ValueError:
        n = 0
    for item in ol.find_all("li", recursive=False):
        try:
            n = int(item["value"]) if item.get("value") else n + 1
        except ValueError:
            n += 1
        if item is li:
            break
    return n


def _outermost(tag: Tag, names: set[str]) -> list[Tag]:
    """Descendants of `tag` named in `names` that are not inside another such descendant."""
    found: list[Tag] = []
    for child in tag.children:
        if isinstance(child, Tag):
            found.extend([child] if child.name in names else _outermost(child, names))
    return found
