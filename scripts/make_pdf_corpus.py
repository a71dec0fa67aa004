"""Render the bundled text documents (corpus/documents/*.txt) as PDFs, to exercise the PDF loader
on documents whose content is known.

    python scripts/make_pdf_corpus.py [target-dir]      # default: build/pdf-corpus/

What the text files use and what it becomes:

- blank-line separated paragraphs -> paragraphs; the first line of the file -> the title;
- short standalone lines ("PRIORITY 1 – ...", "Priority 2 ...", "Our vision") -> bold headings;
- "- ", "  • ", "- ✓ " bullets and "  1. " numbers -> real bulleted / numbered lists;
- lines holding TABs -> table rows; consecutive ones (blank lines aside) -> one table. A header
  row repeated inside the run marks a page break in the original: it is dropped, the row it cut
  (first cell empty) is merged back, and the table is drawn once with its header repeated on
  every page (repeatRows=1), ruled (GRID), header bold on grey. Cells may hold HTML fragments
  (<p>, <ul><li>, <br>, <i>, and <div style="background-color: red">, drawn as a cell filled
  with that colour and no text);
- documents with tables wider than five columns are set on landscape A4.

Output is deterministic (reportlab invariant mode: fixed dates and ids).
"""

from __future__ import annotations

import argparse
import re
import sys
from html import escape
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "documents"
DEFAULT_TARGET = ROOT / "build" / "pdf-corpus"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

BULLET = re.compile(r"^\s*(?:-\s+✓|-|•|✓)\s+(?P<text>\S.*)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d{1,2})\.\s+(?P<text>\S.*)$")
HEADING = re.compile(r"^(priority\s+\d+\b.*|[A-Z][A-Z0-9 ,&'’:–-]{3,})$", re.IGNORECASE)
SEPARATOR_CELL = re.compile(r"^\s*:?-{3,}:?\s*$")
FILL = re.compile(r"background(?:-color)?\s*:\s*([#\w]+)", re.IGNORECASE)


def register_fonts() -> str:
    """DejaVu Sans when installed (it has ✓ and friends), else Helvetica."""
    faces = {"": "DejaVuSans.ttf", "-Bold": "DejaVuSans-Bold.ttf", "-Oblique": "DejaVuSans-Oblique.ttf",
             "-BoldOblique": "DejaVuSans-BoldOblique.ttf"}
    if not all((DEJAVU / f).exists() for f in faces.values()):
        return "Helvetica"
    for suffix, file in faces.items():
        pdfmetrics.registerFont(TTFont(f"DejaVuSans{suffix}", str(DEJAVU / file)))
    pdfmetrics.registerFontFamily(
        "DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold", italic="DejaVuSans-Oblique",
        boldItalic="DejaVuSans-BoldOblique",
    )
    return "DejaVuSans"


FONT = register_fonts()
BOLD = "DejaVuSans-Bold" if FONT == "DejaVuSans" else "Helvetica-Bold"
STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=20, leading=24, spaceAfter=12),
    "heading": ParagraphStyle("heading", fontName=BOLD, fontSize=14, leading=17, spaceBefore=10, spaceAfter=6),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, spaceAfter=6),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=8.5),
    "header": ParagraphStyle("header", fontName=BOLD, fontSize=7, leading=8.5),
}


def glyphs(text: str) -> str:
    """Without DejaVu, glyphs Helvetica lacks become '-'."""
    return text if FONT == "DejaVuSans" else re.sub(r"[✓✔•]", "-", text)


def inline(text: str) -> str:
    """Plain text with **bold** and <u>/<i> kept, escaped for reportlab's Paragraph markup.

    >>> inline("a **b** & <u>c</u>")
    'a <b>b</b> &amp; <u>c</u>'
    """
    text = escape(text.strip(), quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"&lt;(/?)(u|i|b)&gt;", r"<\1\2>", text)


# --------------------------------------------------------------------------- tables


def cell_content(raw: str, style: ParagraphStyle) -> tuple[list, list[str]]:
    """A cell's flowables and its fill colours (from <div style="background-color: ...">)."""
    raw = raw.strip()
    fills = [f.lower() for f in FILL.findall(raw)]
    if fills:
        return [], fills
    if "<" not in raw:
        return ([Paragraph(inline(raw), style)] if raw else []), []
    soup = BeautifulSoup(raw, "html.parser")
    flowables: list = []
    for node in soup.contents:
        if isinstance(node, NavigableString):
            if node.strip():
                flowables.append(Paragraph(inline(str(node)), style))
        elif isinstance(node, Tag) and node.name in ("ul", "ol"):
            items = [li.get_text(" ", strip=True) for li in node.find_all("li")]
            loose = " ".join(s.strip() for s in node.find_all(string=True, recursive=False) if s.strip())
            if loose:
                flowables.append(Paragraph(inline(loose), style))
            if items:
                flowables.append(ListFlowable([ListItem(Paragraph(inline(i), style)) for i in items],
                                              bulletType="bullet", start="•", leftIndent=8, bulletFontName=FONT,
                                              bulletFontSize=style.fontSize))
        elif isinstance(node, Tag):
            markup = str(node).replace("<br>", "<br/>").replace("<br/>", "\n")
            text = BeautifulSoup(markup, "html.parser").get_text()
            for part in text.split("\n"):
                if part.strip():
                    italic = node.name == "i"
                    flowables.append(Paragraph(("<i>%s</i>" if italic else "%s") % inline(part), style))
    return flowables, []


def merge_row(a: list[str], b: list[str]) -> list[str]:
    """A row cut by a page break in the original, put back together."""
    return [" ".join(x for x in (p.strip(), q.strip()) if x) for p, q in zip(a, b)]


def table_rows(lines: list[str]) -> list[list[str]]:
    """Tab lines to rows: separator rows dropped, repeated headers dropped, cut rows merged."""
    rows = [line.split("\t") for line in lines]
    rows = [r for r in rows if not all(SEPARATOR_CELL.match(c) or not c.strip() for c in r)]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    header, out, after_break = rows[0], [rows[0]], False
    for row in rows[1:]:
        if [c.strip() for c in row] == [c.strip() for c in header]:
            after_break = True
            continue
        if after_break and not row[0].strip() and len(out) > 1:
            out[-1] = merge_row(out[-1], row)
        else:
            out.append(row)
        after_break = False
    return out


def make_table(rows: list[list[str]], width: float) -> Table:
    # Column widths in proportion to the longest text, none narrower than 60 points.
    longest = [max(min(len(re.sub(r"<[^>]+>", "", row[c])), 400) for row in rows) + 20 for c in range(len(rows[0]))]
    spare = max(width - 60.0 * len(longest), 0.0)
    widths = [60.0 + spare * n / sum(longest) for n in longest]
    data, fills = [], []
    for r, row in enumerate(rows):
        cells = []
        for c, raw in enumerate(row):
            flowables, colours = cell_content(glyphs(raw), STYLES["header" if r == 0 else "cell"])
            if len(colours) == 1:
                fills.append(("BACKGROUND", (c, r), (c, r), colors.toColor(colours[0])))
            elif colours:  # a RAG history: one stripe per rating
                stripes = [("BACKGROUND", (0, i), (0, i), colors.toColor(f)) for i, f in enumerate(colours)]
                flowables = [Table([[""]] * len(colours), colWidths=[widths[c] - 12], rowHeights=[8] * len(colours),
                                   style=TableStyle(stripes))]
            cells.append(flowables)
        data.append(cells)
    style = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d9d9d9")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        *fills,
    ])
    return Table(data, colWidths=widths, repeatRows=1, style=style)


# --------------------------------------------------------------------------- text


def is_heading(block: list[str]) -> bool:
    text = " ".join(line.strip() for line in block)
    if re.match(r"^priority\s+\d+\b", text, re.IGNORECASE) and len(text.split()) <= 30:
        return True
    return len(block) == 1 and len(text.split()) <= 10 and not text.endswith((".", ",", ";", ":")) and bool(
        HEADING.match(text) or text[:1].isupper()
    )


def list_flowable(items: list[tuple[str, str]]) -> ListFlowable:
    """Consecutive list lines: (marker, text). Numbered lists keep their first number."""
    marker = items[0][0]
    paragraphs = [ListItem(Paragraph(inline(glyphs(text)), STYLES["body"])) for _, text in items]
    if marker.isdigit():
        return ListFlowable(paragraphs, bulletType="1", start=int(marker), bulletFormat="%s.", bulletFontName=FONT,
                            leftIndent=18)
    return ListFlowable(paragraphs, bulletType="bullet", start=glyphs(marker), bulletFontName=FONT, leftIndent=18)


def text_flowables(block: list[str]) -> list:
    """One blank-line separated block of non-table lines."""
    out: list = []
    para: list[str] = []
    items: list[tuple[str, str]] = []

    def flush() -> None:
        nonlocal para, items
        if para:
            out.append(Paragraph(inline(glyphs(" ".join(para))), STYLES["body"]))
        if items:
            out.append(list_flowable(items))
        para, items = [], []

    for line in block:
        bullet, number = BULLET.match(line), NUMBERED.match(line)
        if bullet or number:
            if para:
                flush()
            marker = number.group("number") if number else ("✓" if "✓" in line.split()[0:2] else "•")
            if items and marker.isdigit() != items[0][0].isdigit():
                flush()
            items.append((marker, (bullet or number).group("text")))
        elif items and line.startswith(" "):
            items[-1] = (items[-1][0], items[-1][1] + " " + line.strip())
        elif line.strip() and line.strip() != "-":
            if items:
                flush()
            para.append(line.strip())
    flush()
    return out


def story_of(text: str, width: float) -> list:
    lines = text.replace("\r\n", "\n").split("\n")
    story: list = []
    block: list[str] = []
    table: list[str] = []
    title_done = False

    def flush_block() -> None:
        nonlocal block, title_done
        if not block:
            return
        if not title_done:
            story.append(Paragraph(inline(" ".join(l.strip() for l in block)), STYLES["title"]))
            title_done = True
        elif is_heading(block):
            story.append(Paragraph(inline(" ".join(l.strip() for l in block)), STYLES["heading"]))
        else:
            story.extend(text_flowables(block))
        block = []

    def flush_table() -> None:
        nonlocal table
        if table:
            story.append(make_table(table_rows(table), width))
            story.append(Spacer(1, 6))
        table = []

    for i, line in enumerate(lines):
        if "\t" in line:
            flush_block()
            table.append(line)
        elif not line.strip():
            flush_block()
            # A blank line ends a table unless the next line repeats the header (a page break).
            nxt = next((l for l in lines[i + 1:] if l.strip()), "")
            if table and nxt.split("\t") != table[0].split("\t"):
                flush_table()
        else:
            flush_table()
            block.append(line)
    flush_block()
    flush_table()
    return story


def render(source: Path, target: Path) -> Path:
    text = source.read_text(encoding="utf-8")
    widest = max((line.count("\t") + 1 for line in text.splitlines() if "\t" in line), default=0)
    pagesize = landscape(A4) if widest > 5 else A4
    out = target / (source.stem + ".pdf")
    doc = SimpleDocTemplate(
        str(out), pagesize=pagesize, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=source.stem, author="councilplans test corpus", creator="make_pdf_corpus.py",
        invariant=1,
    )
    doc.build(story_of(text, pagesize[0] - 30 * mm))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", default=str(DEFAULT_TARGET), help="output directory")
    parser.add_argument("--source", default=str(SOURCE), help="directory of .txt documents")
    args = parser.parse_args(argv)
    rl_config.invariant = 1
    target = Path(args.target)
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(Path(args.source).glob("*.txt")):
        print(render(source, target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
