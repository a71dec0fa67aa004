"""Links from actions to the level-1 priorities they serve.

Explicit references win ("Priority 1,4" in the row); otherwise the priority whose section the
action sits in; otherwise the leading number of the plan's own reference ("2.1a" -> 2).
"""

from __future__ import annotations

import re

from extractors.registry import stage
from extractors.state import State
from extractors.tables import parse_priority_refs

REF_PREFIX = re.compile(r"^\s*(\d{1,2})[.\-]\d")


@stage("links", requires=("actions", "priorities"), assigns=("actions",))
def link_actions(state: State) -> dict:
    level1 = {p.number for p in state.priorities if p.level == 1}
    index_of = {block.id: i for i, block in enumerate(state.blocks)}
    actions = []
    for action in state.actions:
        links: list[str] = []
        explicit = parse_priority_refs(action.details.get("priority", "")) if action.details.get("priority") else None
        if explicit:
            links = explicit
        else:
            anchor = state.anchors.get(index_of.get(action.provenance.block_id, -1))
            if anchor:
                links = [anchor]
            elif action.ref and (match := REF_PREFIX.match(action.ref)) and match.group(1) in level1:
                links = [match.group(1)]
        actions.append(action.model_copy(update={"priorities": tuple(links)}))
    return {"actions": tuple(actions)}
