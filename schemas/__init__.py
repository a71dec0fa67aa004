"""Pydantic models: the document model and every record type (the export shape)."""

from schemas.document import BBox, Block, Cell, Document, Page, Row, Span, Table
from schemas.records import (
    Action,
    Council,
    Deadline,
    DocumentInfo,
    Extraction,
    Measure,
    Priority,
    Problem,
    Provenance,
)

__all__ = [
    "Action", "BBox", "Block", "Cell", "Council", "Deadline", "Document", "DocumentInfo",
    "Extraction", "Measure", "Page", "Priority", "Problem", "Provenance", "Row", "Span", "Table",
]
