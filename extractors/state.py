"""The state passed between extraction stages: the document, and what earlier stages found.

Stages never mutate it; each returns a dict of fields to replace, and the runner derives the next
state with `model_copy(update=...)`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.document import Block, Document
from schemas.records import Action, Measure, Priority, Problem


class ExtractSettings(BaseModel):
    """Options for extraction, validated when built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # First and last year of the plan: "by the end of the plan", "end of Q2" (of its first year).
    plan_start: int | None = None
    plan_end: int | None = None
    # Fuzzy score (0-100) above which a section heading is taken to name a listed priority.
    heading_match_threshold: float = Field(default=85.0, ge=50, le=100)
    # Near-duplicate commitments (garbled copies) above this similarity are kept once.
    duplicate_threshold: float = Field(default=90.0, ge=50, le=100)


class Section(BaseModel):
    """What a block sits under: its nearest heading and the lead-in line of its list."""

    model_config = ConfigDict(frozen=True)

    heading: int | None = None  # index of the nearest heading block (not an action/measure cue)
    cue: int | None = None  # index of the nearest cue heading or lead-in ("Our priority actions", "We will:")
    kind: str = "other"  # "action" | "measure" | "contents" | "other": what the cue says the items are


class State(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    doc: Document
    blocks: tuple[Block, ...]
    settings: ExtractSettings = Field(default_factory=ExtractSettings)
    sections: tuple[Section, ...] = ()
    priorities: tuple[Priority, ...] = ()
    # Block index -> number of the level-1 priority whose section the block is in.
    anchors: dict[int, str] = Field(default_factory=dict)
    owner_key: dict[str, str] = Field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    measures: tuple[Measure, ...] = ()
    problems: tuple[Problem, ...] = ()

    @classmethod
    def start(cls, doc: Document, settings: ExtractSettings | None = None) -> "State":
        return cls(doc=doc, blocks=tuple(doc.blocks), settings=settings or ExtractSettings())

    def block_index(self, block_id: str | None) -> int | None:
        for i, block in enumerate(self.blocks):
            if block.id == block_id:
                return i
        return None
