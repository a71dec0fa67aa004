"""PDF loader: what a reader sees on each page, as headings, paragraphs, list items and tables.

    >>> from pipeline.loaders.pdf import load_pdf
    >>> doc = load_pdf(Path("plan.pdf"))            # doctest: +SKIP
    >>> [(b.id, b.kind, b.text[:30]) for b in doc.blocks][:3]    # doctest: +SKIP

Two passes. Pass one reads every page once with PDFium (`pdf_objects`): tables first
(`pdf_tables`), then bullets drawn as shapes become bullet characters (`pdf_lines`), then the page
is cut into regions in reading order (`pdf_regions`, `pdf_panels`: boxes, columns, bands), and the
remaining characters become lines inside each region. Between the passes the document-wide facts
are settled: the body text size, and the running headers and footers (lines in the top or bottom
8% of the page that repeat, digits aside, on at least half of the pages; bare page numbers there,
or near the foot or head of the page when they go up with the page). Pass two turns each page's
remaining lines into blocks, region by region. Finally tables that run over a page break are
stitched and heading levels are ranked by size over the whole document.

Conventions shared with the plain-text loader: block ids "p{page}-b{n}" with n counting through
the document; pages from 1; list items carry their marker apart from the text; a table block's text
is its data rows, non-empty cells joined by " | ", one row a line.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipeline.loaders import LoadError, document_of
from pipeline.loaders.pdf_layout import BlockDraft, PageLayout, page_blocks
from pipeline.loaders.pdf_lines import SENTENCE_END, Line, group_lines, join_lines, split_inner_bullets, with_drawn_bullets
from pipeline.loaders.pdf_objects import PageObjects, read_page
from pipeline.loaders.pdf_loose_tables import find_rule_tables, find_text_tables
from pipeline.loaders.pdf_regions import MARGIN_ZONE, page_regions, single_region
from pipeline.loaders.pdf_stitch import append_continuation, continues, table_text
from pipeline.loaders.pdf_tables import find_ruled_tables
from schemas.document import BBox, Block, Document, Page, Table

# A line repeated in the margin zone on at least this share of pages (and MIN_REPEATS pages) is
# a running header or footer.
REPEAT_SHARE = 0.5
MIN_REPEATS = 3
PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
# Lines this close to the top or bottom edge (share of page height) may be repeated furniture.
FURNITURE_ZONE = 0.2
# A page's own body size counts once it has this many characters; sparser pages use the document's.
MIN_CHARS_FOR_PAGE_SIZE = 200
MAX_HEADING_LEVEL = 6
METADATA_KEYS = {"Title": "title", "Author": "author", "Subject": "subject", "Creator": "creator", "Producer": "producer"}


# --------------------------------------------------------------------------- opening


def _check_file(path: Path) -> None:
    """Fail early, and clearly, on files that are not whole PDFs."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, size - 8192))
        tail = handle.read()
    if b"%PDF-" not in head:
        raise LoadError(path, "could not be read as pdf: not a PDF (no %PDF header at the start)", "is it another format named .pdf?")
    if b"%%EOF" not in tail:
        raise LoadError(path, "could not be read as pdf: the file is truncated (no %%EOF at its end)", "download it again")


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise LoadError(path, "the PDF is encrypted (password protected)", "save an unprotected copy first", code="E106") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise LoadError(path, "the PDF is encrypted with an unsupported security scheme", "save an unprotected copy first",
                            code="E106") from exc
        if code == pdfium_c.FPDF_ERR_FORMAT:
            raise LoadError(path, "could not be read as pdf: its structure is damaged", "download or export it again") from exc
        raise LoadError(path, f"could not be read as pdf ({exc})", "download or export it again") from exc


def _pdf_date(raw: str) -> str:
    """A PDF date to ISO 8601 (date and time), or the raw text when it does not parse.

    >>> _pdf_date("D:20080915103000+01'00'")
    '2008-09-15T10:30:00'
    """
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", raw.strip())
    if not match:
        return raw.strip()
    parts = [int(p) if p else d for p, d in zip(match.groups(), (0, 1, 1, 0, 0, 0))]
    try:
        return datetime(*parts).isoformat()
    except ValueError:
        return raw.strip()


def _metadata(pdf: pdfium.PdfDocument) -> dict[str, str]:
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # a broken info dictionary is not worth failing the load for
        return {}
    meta = {METADATA_KEYS[k]: v.strip() for k, v in info.items() if k in METADATA_KEYS and v.strip()}
    if info.get("CreationDate", "").strip():
        meta["creation_date"] = _pdf_date(info["CreationDate"])
    return meta


# --------------------------------------------------------------------------- pass one


def _size_histograms(chars) -> tuple[Counter, Counter]:
    """Character count by font size, to the half point, of the regular and of the bold text
    (visible characters only), in one pass."""
    regular: dict[float, int] = {}
    bold: dict[float, int] = {}
    for c in chars:
        if c.text.strip():
            counts = bold if c.bold else regular
            size = round(c.size * 2) / 2
            counts[size] = counts.get(size, 0) + 1
    return Counter(regular), Counter(bold)


def body_size(regular: Counter, bold: Counter) -> float:
    """The most common size of the body text. Body text is rarely bold and headings often are, so
    regular-weight text decides unless there is next to none."""
    sizes = regular if sum(regular.values()) >= 50 else regular + bold
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _overlap(a, b) -> float:
    """Share of the smaller box that the two boxes have in common (x0, top, x1, bottom)."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0


def analyse_page(objects: PageObjects) -> PageLayout:
    """Tables, regions and lines of one page."""
    cells: list[tuple[float, float, float, float]] = []
    tables = find_ruled_tables(objects, cells)
    tables += [t for t in find_rule_tables(objects, [t.bbox for t in tables])
               if not any(_overlap(t.bbox, other.bbox) > 0.5 for other in tables)]
    text = objects.without([t.bbox for t in tables])
    if not tables and not objects.edges:
        loose = find_text_tables(text, group_lines(text.chars))
        if loose:
            tables = loose
            text = text.without([t.bbox for t in tables])
    sizes, bold_sizes = _size_histograms(text.chars)
    chars = with_drawn_bullets(list(text.chars), objects.fills)
    boxes = [(f.x0, f.top, f.x1, f.bottom) for f in objects.fills] + list(objects.frames)
    notes: list[str] = []
    try:
        regions = page_regions(chars, objects.width, objects.height, body_size(sizes, bold_sizes), boxes, tables, cells)
    except Exception as exc:  # a layout the segmentation trips on is still read, as one column
        notes.append(f"page {objects.number}: regions not found ({type(exc).__name__}: {exc}); read as one column")
        regions = single_region(chars, tables)
    lines: list[Line] = []
    for region in regions:
        if region.kind == "text":
            lines.extend(group_lines(region.chars, region.id))
    lines = split_inner_bullets(lines)
    return PageLayout(
        number=objects.number,
        width=objects.width,
        height=objects.height,
        lines=lines,
        tables=tables,
        regions=regions,
        sizes=sizes,
        bold_sizes=bold_sizes,
        chars=sum(1 for c in objects.chars if c.text.strip()),
        images=objects.images,
        notes=notes,
    )


# --------------------------------------------------------------------------- between passes


def _in_margin(line: Line, height: float) -> bool:
    middle = (line.top + line.bottom) / 2
    return middle < MARGIN_ZONE * height or middle > (1 - MARGIN_ZONE) * height


def running_key(text: str) -> str:
    """What stays the same in a running header or footer from page to page.

    >>> running_key("Page 3 of 20  Kent County Council")
    'page # of # kent county council'
    """
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def running_lines(layouts: list[PageLayout]) -> set[int]:
    """ids of the lines that are running headers, footers or bare page numbers."""
    seen: dict[str, set[int]] = {}
    for layout in layouts:
        for line in layout.lines:
            if _in_margin(line, layout.height):
                seen.setdefault(running_key(line.text), set()).add(layout.number)
    needed = max(MIN_REPEATS, math.ceil(REPEAT_SHARE * len(layouts)))
    repeated = {key for key, pages in seen.items() if len(pages) >= needed}
    drop: set[int] = set()
    placed: dict[tuple[str, int], list[Line]] = {}
    numbers: dict[int, list[Line]] = {}  # printed page number minus page index -> those lines
    for layout in layouts:
        for line in layout.lines:
            near_edge = line.top < FURNITURE_ZONE * layout.height or line.bottom > (1 - FURNITURE_ZONE) * layout.height
            if near_edge and re.fullmatch(r"\d{1,4}", line.text.strip()):
                numbers.setdefault(int(line.text.strip()) - layout.number, []).append(line)
            if not _in_margin(line, layout.height):
                if near_edge:
                    placed.setdefault((line.text, round(line.top / 3)), []).append(line)
                continue
            if running_key(line.text) in repeated or PAGE_NUMBER.match(line.text.strip()):
                drop.add(id(line))
    # Page furniture just below the header zone (a totals box above a table on every page): the
    # same text at the same place on most pages is kept where it first appears only.
    for lines in placed.values():
        if len(lines) >= needed and len(lines) >= MIN_REPEATS:
            drop.update(id(line) for line in lines[1:])
    # Page numbers set just above the footer zone: bare numbers near the foot (or head) of the
    # page that go up with the page, on most pages.
    for lines in numbers.values():
        if len(lines) >= needed:
            drop.update(id(line) for line in lines)
    return drop


def join_across_pages(pages: list[list[BlockDraft]]) -> None:
    """A paragraph cut by a page break: when the next page opens with a paragraph in lower case,
    it carries on the last paragraph or list item of the page before."""
    for before, after in zip(pages, pages[1:]):
        if not before or not after:
            continue
        last, first = before[-1], after[0]
        if (
            last.kind in ("paragraph", "list_item")
            and first.kind == "paragraph"
            and first.text[:1].islower()
            and not SENTENCE_END.search(last.text)
        ):
            last.text = join_lines([last.text, first.text])
            after.pop(0)


# --------------------------------------------------------------------------- after pass two


def stitch_tables(pages: list[list[BlockDraft]]) -> None:
    """Join tables that run over a page break: the last block of a page and the first of the next."""
    open_table: BlockDraft | None = None
    for drafts in pages:
        if open_table is not None and drafts and drafts[0].kind == "table":
            nxt = drafts[0]
            if continues(open_table.table, nxt.table):
                append_continuation(open_table.table, nxt.table)
                drafts.pop(0)
                if not drafts:
                    continue  # the table fills the page: it may go on over the next break too
        open_table = drafts[-1] if drafts and drafts[-1].kind == "table" else None


def heading_levels(drafts: list[BlockDraft]) -> dict[float, int]:
    """Heading level by font size over the document: the largest size is level 1."""
    sizes = sorted({round((d.size or 0) * 2) / 2 for d in drafts if d.kind == "heading"}, reverse=True)
    return {size: min(i + 1, MAX_HEADING_LEVEL) for i, size in enumerate(sizes)}


def _bbox(b) -> BBox:
    return BBox(x0=round(b[0], 2), top=round(b[1], 2), x1=round(b[2], 2), bottom=round(b[3], 2))


def _block(draft: BlockDraft, block_id: str, levels: dict[float, int]) -> Block:
    if draft.kind == "table":
        t = draft.table
        return Block(
            id=block_id,
            kind="table",
            text=table_text(t.rows),
            page=draft.page,
            bbox=_bbox(t.bbox),
            table=Table(header=tuple(t.header), rows=tuple(t.rows), pages=tuple(t.pages)),
        )
    level = draft.level
    if draft.kind == "heading":
        level = levels.get(round((draft.size or 0) * 2) / 2)
    return Block(
        id=block_id,
        kind=draft.kind,
        text=draft.text,
        page=draft.page,
        bbox=_bbox(draft.bbox),
        level=level,
        marker=draft.marker,
        font_size=draft.size,
        bold=draft.bold,
    )


# --------------------------------------------------------------------------- the loader


def load_pdf(path: Path) -> Document:
    path = Path(path)
    _check_file(path)
    pdf = _open(path)
    warnings: list[str] = []
    unreadable: list[str] = []
    layouts: list[PageLayout] = []
    try:
        metadata = _metadata(pdf)
        for index in range(len(pdf)):
            number = index + 1
            try:
                page = pdf[index]
                try:
                    objects = read_page(page, number)
                finally:
                    page.close()
                layouts.append(analyse_page(objects))
            except MemoryError:
                raise  # over the worker's memory limit: reported as that
            except Exception as exc:  # one unreadable page does not lose the document
                warnings.append(f"page {number} could not be read: {type(exc).__name__}: {exc}")
                unreadable.append(f"page {number}: {type(exc).__name__}: {exc}")
                layouts.append(PageLayout(number=number, width=0.0, height=0.0, lines=[], tables=[]))
    finally:
        pdf.close()
    if not layouts:
        raise LoadError(path, "the PDF has no pages")
    if not any(layout.chars for layout in layouts):
        if unreadable:  # not the same as a scan: the pages themselves could not be read
            raise LoadError(path, f"{len(unreadable)} of {len(layouts)} pages could not be read and the rest have no text "
                            f"({unreadable[0]})", "damaged? download or export it again", code="E109")
        raise LoadError(path, "no text layer on any page", "scanned image? run OCR first", code="E108")
    for layout in layouts:
        if not layout.chars:
            warnings.append(f"page {layout.number} has no text layer (image only?)")
        warnings.extend(layout.notes)

    doc_body = body_size(sum((l.sizes for l in layouts), Counter()), sum((l.bold_sizes for l in layouts), Counter()))
    drop = running_lines(layouts)
    pages: list[list[BlockDraft]] = []
    for layout in layouts:
        lines = [l for l in layout.lines if id(l) not in drop]
        body = doc_body
        if sum(layout.sizes.values()) >= MIN_CHARS_FOR_PAGE_SIZE:
            body = body_size(layout.sizes, layout.bold_sizes)
        pages.append(page_blocks(layout, lines, body))
        layout.lines = []  # done with them; keep memory flat on long documents

    stitch_tables(pages)
    join_across_pages(pages)
    levels = heading_levels([d for drafts in pages for d in drafts])
    counter = 0
    out_pages: list[Page] = []
    for layout, drafts in zip(layouts, pages):
        blocks = []
        for draft in drafts:
            counter += 1
            blocks.append(_block(draft, f"p{layout.number}-b{counter}", levels))
        out_pages.append(
            Page(number=layout.number, width=round(layout.width, 2), height=round(layout.height, 2), blocks=tuple(blocks))
        )
    return document_of(path, "pdf", out_pages, warnings=warnings, metadata=metadata)
