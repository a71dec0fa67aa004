"""The document model: what a loader produces and every extractor reads.

A document is a list of pages; a page is a list of blocks in reading order. A block is a heading,
a paragraph, a list item or a table. Every block knows where it came from: its page, its character
span in the source text (text-like formats) or its bounding box (PDF), so that every record an
extractor derives from it can point back to the page a person would open.

Models are frozen: stages derive new objects rather than mutating shared ones.
"""

from __future__ import annotations

from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field

BlockKind = Literal["heading", "paragraph", "list_item", "table"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BBox(Frozen):
    """PDF coordinates in points, origin top-left (pdfplumber's convention)."""

    x0: float
    top: float
    x1: float
    bottom: float

    def union(self, other: "BBox | None") -> "BBox":
        if other is None:
            return self
        return BBox(
            x0=min(self.x0, other.x0),
            top=min(self.top, other.top),
            x1=max(self.x1, other.x1),
            bottom=max(self.bottom, other.bottom),
        )


class Span(Frozen):
    """Half-open character offsets into the loaded source text."""

    start: int
    end: int


class Cell(Frozen):
    text: str = ""
    # Separate visual lines/paragraphs inside the cell (<p>, <li>, <br>, PDF line breaks).
    lines: tuple[str, ...] = ()
    # Fill colours found in the cell (CSS colour words or hex for text; RGB hex for PDF).
    fills: tuple[str, ...] = ()
    bbox: BBox | None = None


class Row(Frozen):
    cells: tuple[Cell, ...]
    page: int = 1
    span: Span | None = None
    bbox: BBox | None = None
    # True when this row continues the previous row across a page break.
    continued: bool = False

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


class Table(Frozen):
    header: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    # Pages the table covers (a table stitched across page breaks covers several).
    pages: tuple[int, ...] = ()


class Block(Frozen):
    id: str
    kind: BlockKind
    text: str = ""
    page: int = 1
    span: Span | None = None
    bbox: BBox | None = None
    # Heading level (1 = largest) when known; list nesting depth for list items.
    level: int | None = None
    # The bullet glyph or list number as printed ("•", "✓", "1.", "2.1").
    marker: str | None = None
    font_size: float | None = None
    bold: bool | None = None
    table: Table | None = None


class Page(Frozen):
    number: int
    width: float | None = None
    height: float | None = None
    blocks: tuple[Block, ...] = ()


class Document(Frozen):
    """A loaded document. `source` is the file name; `path` where it was read from."""

    source: str
    path: str
    format: Literal["pdf", "text", "html", "docx", "markdown"]
    sha256: str
    pages: tuple[Page, ...] = ()
    # Loader warnings that did not stop the load (e.g. "page 3 has no text layer").
    warnings: tuple[str, ...] = ()
    metadata: dict[str, str] = Field(default_factory=dict)

    @property
    def blocks(self) -> Iterator[Block]:
        for page in self.pages:
            yield from page.blocks

    @property
    def page_count(self) -> int:
        return len(self.pages)
