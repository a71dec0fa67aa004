"""`councilplans debug`: the blocks of a document and what each extractor took from them."""

from __future__ import annotations

from pathlib import Path

from extractors.registry import build, run
from extractors.state import State
from extractors.stages import DEFAULT_PIPELINE
from pipeline.loaders import load


def explain_document(path: Path, *, page: int | None = None) -> str:
    document = load(path)
    state = run(build(DEFAULT_PIPELINE), State.start(document))
    taken: dict[str, list[str]] = {}
    for p in state.priorities:
        taken.setdefault(p.provenance.block_id, []).append(f"PRIORITY {p.number} (level {p.level}): {p.title}")
    for a in state.actions:
        deadline = f" due {a.deadline.end}" if a.deadline and a.deadline.end else ""
        links = f" -> priorities {', '.join(a.priorities)}" if a.priorities else ""
        taken.setdefault(a.provenance.block_id, []).append(f"ACTION{(' ' + a.ref) if a.ref else ''}: {a.text[:100]}{deadline}{links}")
    for m in state.measures:
        taken.setdefault(m.provenance.block_id, []).append(f"MEASURE: {m.name[:100]} = {m.value} (as at {m.as_at})")
    lines = []
    for i, block in enumerate(state.blocks):
        if page is not None and block.page != page:
            continue
        section = state.sections[i]
        anchor = state.anchors.get(i)
        head = f"[{block.id} p{block.page} {block.kind}{' ' + block.marker if block.marker else ''} section={section.kind}{' priority=' + anchor if anchor else ''}]"
        if block.kind == "table" and block.table is not None:
            lines.append(f"{head} table header={list(block.table.header)} rows={len(block.table.rows)} pages={list(block.table.pages)}")
        else:
            lines.append(f"{head} {block.text[:120]}")
        for item in taken.get(block.id, []):
            lines.append(f"    => {item}")
    return "\n".join(lines)
