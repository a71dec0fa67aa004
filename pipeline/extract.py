"""Run the extraction stages over one loaded document."""

from __future__ import annotations

from extractors.registry import build, run
from extractors.state import ExtractSettings, State
from extractors.stages import DEFAULT_PIPELINE
from schemas.document import Document
from schemas.records import DocumentInfo, Extraction


def extract(
    document: Document,
    info: DocumentInfo,
    *,
    settings: ExtractSettings | None = None,
    stages: tuple[str, ...] = DEFAULT_PIPELINE,
) -> Extraction:
    """Everything the stages find in `document`, as one `Extraction`."""
    if settings is None:
        settings = ExtractSettings(plan_start=info.period_start, plan_end=info.period_end)
    state = run(build(stages), State.start(document, settings))
    return Extraction(
        document=info,
        priorities=state.priorities,
        actions=state.actions,
        measures=state.measures,
        problems=state.problems,
    )
