"""Word (.docx) loader: the body in reading order, paragraphs and tables interleaved.

- "Title"/"Heading N" styles (or styles based on them) are headings; short all-bold paragraphs
  are headings of unknown level; "List ..." styles or numbering make list items (marker "•", or
  the number as printed when the format is decimal; level from w:ilvl);
- tables: one cell per w:tc (horizontal merges once, vertical-merge continuations empty), lines =
  the cell's paragraphs, fills from w:shd/@w:fill and highlights; the first row is the header when
  it repeats, is bold or uses header words;
- page breaks (hard, rendered, page-break-before, section) start a new page; a break with no text
  since the last one is not counted twice. Spans are None (no useful character offsets).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from extractors.cleaners import clean_text
from pipeline.loaders import LimitError, LoadError, document_of
from pipeline.loaders.text import looks_like_header
from schemas.document import Block, Cell, Document, Page, Row, Table

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.I)
HEX = re.compile(r"^[0-9a-fA-F]{6}$")
W_P, W_TBL, W_SDT, W_R, W_T, W_TAB, W_BR = (qn(t) for t in ("w:p", "w:tbl", "w:sdt", "w:r", "w:t", "w:tab", "w:br"))
W_LRPB, W_TXBX, W_VAL, W_TYPE = qn("w:lastRenderedPageBreak"), qn("w:txbxContent"), qn("w:val"), qn("w:type")


def load_docx(path: Path) -> Document:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE_MAGIC):
        raise LoadError(path, "encrypted or legacy .doc file", "save it as .docx without a password", code="E103")
    try:
        if not zipfile.is_zipfile(path):
            raise zipfile.BadZipFile("not a zip archive")
        word = docx.Document(str(path))
    except MemoryError:
        raise  # over the worker's memory limit: reported as that, not as a damaged file
    except Exception as exc:  # BadZipFile, KeyError (missing part), ValueError (not a Word package)
        if "memory allocation failed" in str(exc).lower():  # lxml's MemoryError
            raise LimitError(path, "ran out of memory reading the Word file's XML", "is it generated junk? open and re-save it",
                             code="E207") from exc
        raise LoadError(path, "not a valid Word .docx file", f"damaged or misnamed? {type(exc).__name__}: {exc}") from exc
    walker = _Walker(word)
    walker.body(word.element.body)
    title = (word.core_properties.title or "").strip()
    if not title:
        title = next((b.text for b in walker.blocks if b.kind == "heading" and b.level == 1), "")
    last = max((b.page for b in walker.blocks), default=1)  # a trailing break makes no empty page
    pages = [Page(number=n, blocks=tuple(b for b in walker.blocks if b.page == n)) for n in range(1, last + 1)]
    return document_of(path, "docx", pages, metadata={"title": title} if title else None)


def _is_on(el) -> bool:
    """A Word toggle property (w:b, ...) that is present and not switched off."""
    return el is not None and el.get(W_VAL, "true").lower() not in {"0", "false", "off", "none"}


def _runs(p) -> list:
    """The runs of a paragraph in order, including those in hyperlinks/fields, not in text boxes."""
    found = []
    for child in p:
        if child.tag == W_R:
            found.append(child)
        elif child.tag != W_TXBX and child.tag != qn("w:pPr"):
            found.extend(_runs(child))
    return found


class _Walker:
    def __init__(self, word) -> None:
        self.word = word
        self.blocks: list[Block] = []
        self.page = 1
        self.fresh = True  # no text since the last page break
        self.counters: dict[str, list[int]] = {}
        self.numbering = self._numbering_formats()

    def body(self, parent) -> None:
        for child in parent:
            if child.tag == W_P:
                self.paragraph(child)
            elif child.tag == W_TBL:
                self.table(child)
            elif child.tag == W_SDT:  # a content control wrapping body content
                self.body(child.findall(qn("w:sdtContent") + "/*"))

    def add(self, page: int | None = None, **kwargs) -> None:
        self.fresh = False
        page = page or self.page
        self.blocks.append(Block(id=f"p{page}-b{len(self.blocks) + 1}", page=page, **kwargs))

    def page_break(self) -> None:
        if not self.fresh:
            self.page += 1
            self.fresh = True

    def paragraph(self, p) -> None:
        """One w:p; page breaks before its text move it to the next page, breaks after it move what follows."""
        ppr = p.find(qn("w:pPr"))
        if ppr is not None and _is_on(ppr.find(qn("w:pageBreakBefore"))):
            self.page_break()
        parts: list[str] = []
        after = 0

        def on_break() -> None:
            nonlocal after
            if "".join(parts).strip():
                after += 1
            else:
                self.page_break()

        text = _text(p, parts, on_break)
        sect = ppr.find(qn("w:sectPr")) if ppr is not None else None
        if sect is not None and _val(sect.find(qn("w:type"))) != "continuous":
            after += 1  # a section break (next page, odd/even page) after this paragraph
        if text:
            self.add(**self.classify(p, text))
        for _ in range(after):
            self.page_break()

    def classify(self, p, text: str) -> dict:
        para = Paragraph(p, self.word)
        chain, style = [], para.style
        while style is not None and len(chain) < 10:
            chain.append(style)
            style = style.base_style
        names = [s.name or "" for s in chain]
        for name in names:
            if name.lower() == "title":
                return dict(kind="heading", text=text, level=1)
            if match := HEADING_STYLE.match(name):
                return dict(kind="heading", text=text, level=int(match.group(1)))
        num_id = ilvl = None  # from the paragraph's numPr, else its style chain's
        for ppr in [p.find(qn("w:pPr"))] + [s.element.find(qn("w:pPr")) for s in chain]:
            num = ppr.find(qn("w:numPr")) if ppr is not None else None
            if num is not None:
                num_id = num_id or _val(num.find(qn("w:numId")))
                ilvl = ilvl if ilvl is not None else _val(num.find(qn("w:ilvl")))
        num_id = None if num_id == "0" else num_id  # numbering explicitly switched off
        if num_id is not None or any("list" in n.lower() for n in names):
            trailing = re.search(r"(\d)$", names[0]) if names else None
            level = int(ilvl) if ilvl is not None else int(trailing.group(1)) - 1 if trailing else 0
            return dict(kind="list_item", text=text, level=level, marker=self._marker(num_id, level, names[0] if names else ""))
        if _all_bold(p, para) and len(text.split()) <= 16 and not text.endswith((".", ",", ";", ":", "…")):
            return dict(kind="heading", text=text, bold=True)
        return dict(kind="paragraph", text=text)

    def _numbering_formats(self) -> dict[tuple[str, int], tuple[str, str, int]]:
        """(numId, ilvl) -> (numFmt, lvlText, start) from the numbering part, if there is one."""
        try:
            root = self.word.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return {}
        abstract = {a.get(qn("w:abstractNumId")): a for a in root.findall(qn("w:abstractNum"))}
        formats = {}
        for num in root.findall(qn("w:num")):
            definition = abstract.get(_val(num.find(qn("w:abstractNumId"))))
            for lvl in [] if definition is None else definition.findall(qn("w:lvl")):
                formats[(num.get(qn("w:numId")), int(lvl.get(qn("w:ilvl"), "0")))] = (
                    _val(lvl.find(qn("w:numFmt"))) or "bullet",
                    _val(lvl.find(qn("w:lvlText"))) or "",
                    int(_val(lvl.find(qn("w:start"))) or 1),
                )
        return formats

    def _marker(self, num_id: str | None, ilvl: int, style_name: str) -> str:
        """"•" for bullets (and anything not decimal); the number as printed for decimal lists."""
        fmt, template, start = self.numbering.get((num_id, ilvl), ("", "", 1))
        fmt = fmt or ("decimal" if "number" in style_name.lower() else "bullet")
        counts = self.counters.setdefault(num_id or style_name, [])
        counts[:] = counts[: ilvl + 1] + [0] * (ilvl + 1 - len(counts))  # deeper levels restart
        counts[ilvl] = (counts[ilvl] or start - 1) + 1
        if fmt != "decimal":
            return "•"
        shown = lambda m: str(max(counts[int(m.group(1)) - 1], 1) if int(m.group(1)) <= len(counts) else 1)  # noqa: E731
        marker = re.sub(r"%(\d)", shown, template or f"%{ilvl + 1}.")
        return marker.strip() or f"{counts[ilvl]}."

    def table(self, tbl) -> None:
        rows: list[Row] = []
        header: tuple[str, ...] = ()
        pages: list[int] = []
        for index, tr in enumerate(tbl.findall(qn("w:tr"))):
            if tr.find(".//" + W_LRPB) is not None or tr.find(".//" + W_BR + f"[@{W_TYPE}='page']") is not None:
                self.page_break()
            cells = tuple(self.cell(tc) for tc in tr.findall(qn("w:tc")))
            trpr = tr.find(qn("w:trPr"))
            repeated = trpr is not None and _is_on(trpr.find(qn("w:tblHeader")))
            if index == 0 and (repeated or _row_bold(tr, self.word) or looks_like_header([c.text for c in cells])):
                header = tuple(c.text for c in cells)
                continue
            rows.append(Row(cells=cells, page=self.page))
            pages.append(self.page)
            self.fresh = False
        body = "\n".join(" | ".join(t for t in r.texts if t) for r in rows)
        table = Table(header=header, rows=tuple(rows), pages=tuple(sorted(set(pages or [self.page]))))
        self.add(page=table.pages[0], kind="table", text=body or " | ".join(t for t in header if t), table=table)

    def cell(self, tc) -> Cell:
        tcpr = tc.find(qn("w:tcPr"))
        merge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
        if merge is not None and merge.get(W_VAL, "continue") == "continue":
            return Cell()
        fills: list[str] = []
        for shd in tc.iter(qn("w:shd")):
            fill = shd.get(qn("w:fill"), "")
            if HEX.match(fill) and f"#{fill.lower()}" not in fills:
                fills.append(f"#{fill.lower()}")
        for mark in tc.iter(qn("w:highlight")):
            if mark.get(W_VAL, "none") != "none" and mark.get(W_VAL).lower() not in fills:
                fills.append(mark.get(W_VAL).lower())
        lines = []
        for p in tc.iter(W_P):
            if not any(a.tag == W_TXBX for a in p.iterancestors()):
                line = _text(p)
                if line:
                    lines.append(line)
        return Cell(text=" ".join(lines), lines=tuple(lines), fills=tuple(fills))


def _val(el) -> str | None:
    return el.get(W_VAL) if el is not None else None


def _text(p, parts: list[str] | None = None, on_break=None) -> str:
    """A paragraph's cleaned text; `on_break` is called at each page break (hard or rendered)."""
    parts = [] if parts is None else parts
    for run in _runs(p):
        for el in run:
            if el.tag == W_T:
                parts.append(el.text or "")
            elif el.tag == W_LRPB or (el.tag == W_BR and el.get(W_TYPE) == "page"):
                if on_break:
                    on_break()
            elif el.tag in (W_TAB, W_BR):
                parts.append(" ")
    return clean_text("".join(parts))


def _all_bold(p, para) -> bool:
    """Every run with text is bold (directly, or through the paragraph style)."""
    style_bold = bool(para.style is not None and para.style.font.bold)
    runs = [r for r in _runs(p) if "".join(t.text or "" for t in r.findall(W_T)).strip()]
    for run in runs:
        rpr = run.find(qn("w:rPr"))
        bold = rpr.find(qn("w:b")) if rpr is not None else None
        if not (_is_on(bold) if bold is not None else style_bold):
            return False
    return bool(runs)


def _row_bold(tr, word) -> bool:
    paragraphs = [p for p in tr.iter(W_P) if _text(p)]
    return bool(paragraphs) and all(_all_bold(p, Paragraph(p, word)) for p in paragraphs)
