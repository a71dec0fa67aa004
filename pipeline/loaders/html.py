"""HTML loader: council web pages (and "save as web page" exports) to the document model.

What it understands:

- ``h1``–``h6`` as headings (level = the number; ``role="heading"`` with ``aria-level`` too),
  ``p`` as paragraphs (one ``<br>`` stays inside the one paragraph, a blank line ``<br><br>``
  splits it), ``li`` as list items with the text of their ``p`` children (marker ``•`` in ``ul``,
  ``N.`` in ``ol``; level = list nesting depth from 0; ``role="listitem"`` too), tables as table
  blocks (header from ``th``/``thead`` or header vocabulary, cells parsed like the text loader's
  HTML cells, fills from ``background`` styles and ``bgcolor``), and bare text in containers such
  as ``div`` as paragraphs, split at ``<br>`` where a new sentence starts;
- every block in document order whatever holds it (section, article, main, aside, figure,
  details, div cards, links wrapping a card);
- cards: an element whose class names it a title (``card__title``, ``box-heading``; not a
  subtitle) is a heading one level below the section's, and a ``<strong>`` title standing on its
  own line at the top of a ``div`` is a heading (``bold=True``), the rest its paragraphs;
- template sources (Nunjucks, Jinja, Liquid, Django): ``{% ... %}``, ``{{ ... }}`` and
  ``{# ... #}`` are removed before parsing, so a page without ``<html>``/``<body>`` loads whole;
- page furniture is dropped: script, style, nav, footer, role=navigation, a ``header`` outside
  any article or section, and an ``aside`` that has no heading or is mostly links (a sidebar;
  an aside that introduces its section with a heading is content).

HTML has no pages and no stable character offsets: every block is on page 1 with span None.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag, UnicodeDammit
from bs4.element import PreformattedString

from extractors.cleaners import clean_text
from pipeline.loaders import LoadError, document_of
from pipeline.loaders.pdf_lines import SENTENCE_END
from pipeline.loaders.text import looks_like_header, parse_cell
from schemas.document import Block, Cell, Document, Page, Row, Table

DROP = ("script", "style", "noscript", "template", "nav", "footer")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LISTS = {"ul", "ol"}
EMITTING = HEADINGS | LISTS | {"p", "li", "table"}
CONTAINERS = {
    "html", "body", "main", "div", "section", "article", "blockquote", "figure", "figcaption",
    "form", "fieldset", "address", "pre", "dl", "dt", "dd", "center", "details", "summary", "hr",
    "header", "aside", "hgroup",
}
# Sections whose <header> is their own heading area, not the page's banner.
SECTIONING = ("article", "section", "main", "aside")
# Template syntax (Nunjucks/Jinja/Django/Liquid tags, expressions, comments), each kept short so
# that a stray "{{" in the text cannot swallow the page.
TEMPLATE_TAG = re.compile(r"\{%.{0,2000}?%\}|\{\{.{0,2000}?\}\}|\{#.{0,2000}?#\}", re.S)
TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|heading|headline)$", re.I)
BOLD_TAGS = ("strong", "b")


def strip_template_tags(text: str) -> str:
    """Remove template tags, expressions and comments that a page's source still holds.

    >>> strip_template_tags('{% extends "base.html" %}{% block content %}<h1>Plan {{ year }}</h1>{# todo #}{% endblock %}')
    '<h1>Plan </h1>'
    """
    return TEMPLATE_TAG.sub("", text)


def load_html(path: Path) -> Document:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError(path, "binary content, not an HTML document", "expected an HTML page", code="E104")
    markup = UnicodeDammit(raw, is_html=True).unicode_markup
    if markup is None:
        raise LoadError(path, "could not decode the page's text", "expected an HTML page in a known encoding")
    soup = BeautifulSoup(strip_template_tags(markup), "lxml")
    title = clean_text(soup.title.get_text(" ")) if soup.title else ""
    blocks = _blocks(soup)
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    return document_of(path, "html", [Page(number=1, blocks=tuple(blocks))], metadata={"title": title} if title else None)


def html_blocks(markup: str) -> list[Block]:
    """The blocks of an HTML fragment (an HTML block in a Markdown file), read as a page is.

    >>> [(b.kind, b.text) for b in html_blocks("<ul><li><p>Open two hubs</p></li></ul>")]
    [('list_item', 'Open two hubs')]
    """
    return _blocks(BeautifulSoup(strip_template_tags(markup), "lxml"))


def _blocks(soup: BeautifulSoup) -> list[Block]:
    _drop_furniture(soup)
    if soup.title:
        soup.title.decompose()
    if soup.head:
        soup.head.decompose()
    _flatten_description_lists(soup)
    walker = _Walker()
    walker.container(soup)
    return walker.blocks


def _drop_furniture(soup: BeautifulSoup) -> None:
    """Remove what is page furniture rather than the document (see the module docstring)."""
    for tag in soup.find_all(list(DROP)):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": "navigation"}):
        tag.decompose()
    for tag in soup.find_all("header"):
        if not tag.decomposed and tag.find_parent(SECTIONING) is None:
            tag.decompose()
    for tag in soup.find_all("aside"):
        if not tag.decomposed and _is_sidebar(tag):
            tag.decompose()


def _is_sidebar(aside: Tag) -> bool:
    """An aside without a heading, or one that is mostly links ("Related links"), is a sidebar."""
    if aside.find(list(HEADINGS)) is None and aside.find(attrs={"role": "heading"}) is None:
        return True
    total = len(clean_text(aside.get_text(" ")))
    links = sum(len(clean_text(a.get_text(" "))) for a in aside.find_all("a"))
    return total == 0 or links * 2 > total


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


def _role(tag: Tag) -> str:
    return str(tag.get("role") or "").strip().lower()


def _emits(tag: Tag) -> bool:
    """Elements read as one block (or a list of them): headings, paragraphs, lists, tables,
    their ARIA equivalents, and elements whose class names them a title."""
    if tag.name in EMITTING or _role(tag) in ("heading", "list", "listitem"):
        return True
    return _title_class(tag)


def _title_class(tag: Tag) -> bool:
    """A card's title: a class ending in title/heading/headline (not subtitle), short, and
    holding no block of its own."""
    classes = tag.get("class") or []
    if not any(TITLE_CLASS.search(c) and "subtitle" not in c.lower() for c in classes):
        return False
    blocks = HEADINGS | LISTS | {"li", "table"}
    if tag.name in blocks or tag.find(list(blocks)) or len(tag.find_all("p")) > 1:
        return False
    return 0 < len(own_text(tag).split()) <= 15


def _aria_level(tag: Tag) -> int:
    try:
        return max(1, min(int(tag.get("aria-level", 2)), 6))
    except (TypeError, ValueError):
        return 2


def _card_title(tag: Tag) -> str | None:
    """The text of a bold element that opens its container on a line of its own (a line break or
    a block follows, then more text): a card's title. Not a label ("Lead:") or a sentence.
    """
    if tag.name not in BOLD_TAGS:
        return None
    for sibling in tag.previous_siblings:
        if isinstance(sibling, Tag) or (_is_text(sibling) and str(sibling).strip()):
            return None
    after = tag.next_sibling
    while after is not None and _is_text(after) and not str(after).strip():
        after = after.next_sibling
    if not isinstance(after, Tag) or not (after.name == "br" or after.name in CONTAINERS or _emits(after)):
        return None
    if not any((n.get_text(" ") if isinstance(n, Tag) else str(n) if _is_text(n) else "").strip()
               for n in [after, *after.next_siblings]):
        return None
    text = own_text(tag)
    if not text or len(text.split()) > 12 or text.endswith((":", ".", ",", ";")):
        return None
    return text


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines split at <br> as paragraphs: a line continues the one before when that stops
    mid-sentence and it opens in lower case.

    >>> _paragraphs(["Invest in people", "We will train staff", "and managers.", "Then more."])
    ['Invest in people', 'We will train staff and managers.', 'Then more.']
    """
    out: list[str] = []
    for line in lines:
        if out and line[:1].islower() and not SENTENCE_END.search(out[-1]):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.heading_level: int | None = None  # of the last h1-h6 (a card title sits below it)

    def add(self, **kwargs) -> None:
        if not kwargs.get("text"):
            return
        self.blocks.append(Block(id=f"p1-b{len(self.blocks) + 1}", page=1, **kwargs))

    def container(self, tag: Tag) -> None:
        """Children in order: emitting elements handled, runs of bare/inline text as paragraphs
        (a <br> ends a line; lines become paragraphs where a new sentence starts)."""
        run: list[str] = []
        lines: list[str] = []

        def end_line() -> None:
            text = clean_text(" ".join(run))
            run.clear()
            if text:
                lines.append(text)

        def flush() -> None:
            end_line()
            for paragraph in _paragraphs(lines):
                self.add(kind="paragraph", text=paragraph)
            lines.clear()

        for child in tag.children:
            if _is_text(child):
                run.append(str(child))
            elif not isinstance(child, Tag):
                continue
            elif _emits(child):
                flush()
                self.element(child)
            elif child.name in CONTAINERS or child.find(list(EMITTING | CONTAINERS)):
                flush()
                self.container(child)
            elif child.name == "br":
                end_line()
            elif not lines and not "".join(run).strip() and (title := _card_title(child)):
                flush()
                self.add(kind="heading", text=title, level=self._below(), bold=True)
            else:  # inline element (span, a, strong, ...): part of the bare-text run
                run.append(own_text(child))
        flush()

    def _below(self) -> int | None:
        return min(self.heading_level + 1, 6) if self.heading_level else None

    def element(self, tag: Tag) -> None:
        role = _role(tag)
        if tag.name in HEADINGS or role == "heading":
            self.heading_level = int(tag.name[1]) if tag.name in HEADINGS else _aria_level(tag)
            self.add(kind="heading", text=own_text(tag), level=self.heading_level)
        elif role == "listitem" and tag.name != "li":
            self.list_item(tag)
        elif role == "list" and tag.name not in LISTS:
            self.container(tag)
        elif _title_class(tag):
            self.add(kind="heading", text=own_text(tag), level=self._below())
        elif tag.name == "p":
            self.paragraph(tag)
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

    def paragraph(self, p: Tag) -> None:
        """A <p>: a bold title on its own first line is a heading; a blank line (two <br> in a
        row) separates two paragraphs; one <br> stays inside the paragraph."""
        nodes = list(p.children)
        first = next((n for n in nodes if isinstance(n, Tag) or (_is_text(n) and str(n).strip())), None)
        title = _card_title(first) if isinstance(first, Tag) else None
        if title:
            self.add(kind="heading", text=title, level=self._below(), bold=True)
            nodes = nodes[nodes.index(first) + 1:]
        parts = _blank_line_parts(nodes)
        if len(parts) == 1 and not title:
            self.add(kind="paragraph", text=own_text(p))
            return
        for part in parts:
            holder = BeautifulSoup("<div></div>", "html.parser").div
            for node in part:
                holder.append(copy.copy(node))
            self.add(kind="paragraph", text=own_text(holder))

    def list_item(self, li: Tag) -> None:
        lists = [p for p in li.parents if p.name in LISTS or _role(p) == "list"]
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


def _blank_line_parts(nodes: list) -> list[list]:
    """Nodes split where two <br> in a row (ignoring white space between them) leave a blank line."""
    parts: list[list] = [[]]
    breaks = 0
    for node in nodes:
        if isinstance(node, Tag) and node.name == "br":
            breaks += 1
            if breaks == 2:
                parts.append([])
                continue
        elif isinstance(node, Tag) or (_is_text(node) and str(node).strip()):
            breaks = 0
        parts[-1].append(node)
    return parts


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
