"""`councilplans debug`: the blocks of a document, what the rule stages proposed, and how the
learned decisions scored every candidate (its score, and the features that moved it most)."""

from __future__ import annotations

from pathlib import Path

from extractors.candidates import build_context
from extractors.decide import decide_with, explain, for_genre, load_model
from extractors.registry import STAGES, build, run
from extractors.stages import FIELD_STAGES, RULE_STAGES
from extractors.state import State
from pipeline.loaders import load


def explain_document(path: Path, *, page: int | None = None, all_candidates: bool = False, top: int = 4) -> str:
    document = load(path)
    rules = run(build(RULE_STAGES), State.start(document))
    model = load_model()
    updates = decide_with(rules, model, keep_candidates=True)
    model = for_genre(model, build_context(rules).doc_planning)  # the part that decided
    candidates = updates.pop("candidates")
    state = run([STAGES[name] for name in FIELD_STAGES], rules.model_copy(update=updates))
    taken: dict[str, list[str]] = {}
    for p in state.priorities:
        taken.setdefault(p.provenance.block_id, []).append(f"PRIORITY {p.number} (level {p.level}): {p.title}")
    for a in state.actions:
        deadline = f" due {a.deadline.end}" if a.deadline and a.deadline.end else ""
        links = f" -> priorities {', '.join(a.priorities)}" if a.priorities else ""
        owners = f" owners {', '.join(a.owners)}" if a.owners else ""
        taken.setdefault(a.provenance.block_id, []).append(
            f"ACTION{(' ' + a.ref) if a.ref else ''}: {a.text[:100]}{deadline}{owners}{links}")
    for m in state.measures:
        taken.setdefault(m.provenance.block_id, []).append(f"MEASURE: {m.name[:100]} = {m.value} (as at {m.as_at}; target {m.target})")
    by_block: dict[int, list] = {}
    for cand in candidates:
        by_block.setdefault(cand.index, []).append(cand)
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
        shown = sorted(by_block.get(i, []), key=lambda c: -c.score)
        if not all_candidates:
            shown = [c for c in shown if c.score >= 0.2][:3]
        for cand in shown:
            # a kind the second reading decides is explained by its trees, over its evidence and context
            tables = model.get("stack", {}).get(cand.kind) or model["kinds"][cand.kind]
            threshold = tables.get("threshold", 0.5)
            verdict = "kept" if cand.score >= threshold else "below"
            why = ", ".join(f"{name} {value:+.2f}" for name, value in explain({**cand.features, **cand.context}, tables, top=top))
            where = f" row {cand.row} col {cand.col}" if cand.row is not None else ""
            lines.append(f"    ? {cand.kind} {cand.score:.2f} ({verdict} {threshold:.2f}) {cand.origin}{where}: {cand.text[:80]}")
            lines.append(f"        because {why}")
            if cand.raised_from is not None:
                lines.append(f"        and most of its list is kept: raised from {cand.raised_from:.2f}")
    return "\n".join(lines)
