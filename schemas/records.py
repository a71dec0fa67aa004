"""Record types the extractors produce and the store writes.

Every record carries a `Provenance`: the document, page, block, character span and bounding box
it was read from, and the exact source text, so a user can go from any row back to the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.document import BBox, Span

RAG = Literal["red", "amber", "green"]
Granularity = Literal[
    "day", "month", "quarter", "season", "financial_year", "year", "year_range", "open", "plan"
]
DocumentKind = Literal["strategy", "plan", "operational_plan", "corporate_plan", "report", "other"]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provenance(Record):
    page: int = 1
    block_id: str | None = None
    span: Span | None = None
    bbox: BBox | None = None
    source_text: str = ""


class Deadline(Record):
    """A normalised due date: an ISO interval with its granularity.

    `start` is set for ranges ("2024 - 2026", financial years, "from January 2020");
    `end` is the last day the text allows ("by September 2022" -> 2022-09-30).
    """

    text: str
    start: dt.date | None = None
    end: dt.date | None = None
    granularity: Granularity | None = None


class Priority(Record):
    number: str
    level: int = 1
    title: str
    parent: str | None = None
    provenance: Provenance = Field(default_factory=Provenance)


class Measure(Record):
    name: str
    value: str | None = None
    as_at: dt.date | None = None
    target: str | None = None
    target_date: dt.date | None = None
    status: RAG | None = None
    priorities: tuple[str, ...] = ()
    provenance: Provenance = Field(default_factory=Provenance)


class Action(Record):
    text: str
    ref: str | None = None
    priorities: tuple[str, ...] = ()
    deadline: Deadline | None = None
    owners: tuple[str, ...] = ()
    status: tuple[RAG, ...] = ()
    measure: str | None = None
    # The heading path the action sits under, for display ("Priority 2 > 2.1").
    section: str | None = None
    # Columns of the source row that are not the commitment itself (for tables), as printed.
    details: dict[str, str] = Field(default_factory=dict)
    provenance: Provenance = Field(default_factory=Provenance)


class Council(Record):
    code: str  # the register's three-letter code
    name: str
    official_name: str | None = None
    gss_code: str | None = None
    nation: str | None = None
    region: str | None = None
    authority_type: str | None = None


class DocumentInfo(Record):
    source: str
    council: str | None = None
    title: str | None = None
    kind: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    source_url: str | None = None
    format: str | None = None
    pages: int | None = None
    sha256: str | None = None


class Problem(Record):
    """A candidate that could not become a record, or a file that could not be read."""

    source: str
    stage: str
    reason: str
    page: int | None = None
    detail: str | None = None


class Extraction(Record):
    """Everything extracted from one document."""

    document: DocumentInfo
    priorities: tuple[Priority, ...] = ()
    actions: tuple[Action, ...] = ()
    measures: tuple[Measure, ...] = ()
    problems: tuple[Problem, ...] = ()
