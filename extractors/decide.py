"""Decide: which candidates are the plan's priorities, commitments and measures.

The rule stages before this one say what the layouts they know hold; `candidates.py` proposes
every heading, list item, sentence and cell besides, each with its evidence. Here a model trained
on the project's gold (`councilplans train`; weights in `extractors/model/decisions.json`, one
readable feature -> weight table per kind) scores every candidate; those above the kind's
threshold are kept, best first, and a near-copy (token F1 >= 0.8) of one already kept is dropped,
as a reader counts a repeated commitment once. Kept priorities are numbered as printed (else in
order) and nested by the outline; every block is anchored to the level-1 priority whose section
it sits in, for the `links` stage.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from extractors.candidates import Candidate, Context, build_context, generate, has_date, is_code, key
from extractors.cleaners import clean_text
from extractors.measures import parse_measure_sentence
from extractors.registry import stage
from extractors.state import State
from schemas.records import Action, Measure, Priority, Provenance

MODEL_PATH = Path(__file__).parent / "model" / "decisions.json"


class ModelError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> dict:
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: the decision model is missing (run `make train` to build it from the gold)") from exc
    except ValueError as exc:
        raise ModelError(f"{path}: not a valid model file ({exc}); rebuild it with `make train`") from exc
    for genre, sub in (model.get("genres") or {"": model}).items():
        for kind in ("priority", "action", "measure"):
            if "trees" not in (sub or {}).get("kinds", {}).get(kind, {}):
                raise ModelError(f"{path}: no trees for {kind!r}{' (' + genre + ')' if genre else ''}; rebuild it with `make train`")
    return model


def for_genre(model: dict, planning: bool) -> dict:
    """The part of `model` that decides for a document of this genre: a land-use plan's own
    model when the model has one (`pipeline.train.GENRES`), else the one for every other
    document; a model without genres decides for all."""
    genres = model.get("genres")
    if not genres:
        return model
    return genres.get("planning" if planning else "other") or next(iter(genres.values()))


def _matrix(rows: list[dict[str, float]], names: list[str]):
    import numpy as np

    column = {name: k for k, name in enumerate(names)}
    X = np.zeros((len(rows), max(1, len(names))))
    for i, features in enumerate(rows):
        for name, value in features.items():
            k = column.get(name)
            if k is not None:
                X[i, k] = value
    return X


_FORESTS: dict[int, tuple[dict, tuple]] = {}


def _forest(tables: dict) -> tuple:
    """A kind's trees as flat arrays, all trees' nodes end to end, and the deepest leaf's depth
    (made once per tables dict). A leaf points to itself on both sides with an infinite
    threshold, so that a walk can take the same step everywhere until the deepest leaf."""
    import numpy as np

    hit = _FORESTS.get(id(tables))
    if hit is not None and hit[0] is tables:
        return hit[1]
    roots, feature, threshold, left, right, value = [], [], [], [], [], []
    offset, depth = 0, 0
    for tree in tables["trees"]:
        roots.append(offset)
        for k, is_leaf in enumerate(tree["leaf"]):
            feature.append(0 if is_leaf else tree["feature"][k])
            threshold.append(float("inf") if is_leaf else tree["threshold"][k])
            left.append(offset + (k if is_leaf else tree["left"][k]))
            right.append(offset + (k if is_leaf else tree["right"][k]))
        value += tree["value"]
        stack = [(0, 0)]
        while stack:
            k, d = stack.pop()
            if tree["leaf"][k]:
                depth = max(depth, d)
            else:
                stack += [(tree["left"][k], d + 1), (tree["right"][k], d + 1)]
        offset += len(tree["leaf"])
    arrays = (np.array(roots, dtype=np.int64), np.array(feature, dtype=np.int64), np.array(threshold, dtype=float),
              np.array(left, dtype=np.int64), np.array(right, dtype=np.int64), np.array(value, dtype=float), depth)
    if len(_FORESTS) >= 16:  # cross-validation fits many models: keep the recent ones
        _FORESTS.pop(next(iter(_FORESTS)))
    _FORESTS[id(tables)] = (tables, arrays)
    return arrays


def scores(rows: list[dict[str, float]], tables: dict) -> list[float]:
    """Probabilities from a kind's trees (gradient boosting: baseline plus each tree's leaf).
    Every tree walks every row at once, one level per step."""
    import numpy as np

    if not rows:
        return []
    X = _matrix(rows, tables["features"])
    n, width = X.shape
    z = np.full(n, float(tables["baseline"]))
    if tables["trees"]:
        roots, feature, threshold, left, right, value, depth = _forest(tables)
        flat = X.ravel()
        base = (np.arange(n) * width)[:, None]
        node = np.broadcast_to(roots, (n, len(roots))).copy()
        for _ in range(depth):
            node = np.where(flat[base + feature[node]] <= threshold[node], left[node], right[node])
        z += value[node].sum(axis=1)
    return list(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))


def explain(features: dict[str, float], tables: dict, top: int = 8) -> list[tuple[str, float]]:
    """The features that moved a candidate's score most, [(name, change in log-odds)]: each
    split on the way to a leaf credits the change in its subtree's mean value to its feature."""
    names = tables["features"]
    x = [features.get(name, 0.0) for name in names]
    credit: dict[str, float] = {}
    for tree in tables["trees"]:
        node = 0
        while not tree["leaf"][node]:
            f = tree["feature"][node]
            nxt = tree["left"][node] if x[f] <= tree["threshold"][node] else tree["right"][node]
            credit[names[f]] = credit.get(names[f], 0.0) + tree["value"][nxt] - tree["value"][node]
            node = nxt
    return sorted(((k, v) for k, v in credit.items() if abs(v) > 1e-6), key=lambda kv: -abs(kv[1]))[:top]


def _bag(text: str) -> tuple[Counter, int]:
    tokens = key(text).split()
    return Counter(tokens), len(tokens)


def _near(a: tuple[Counter, int], b: tuple[Counter, int]) -> bool:
    (ca, na), (cb, nb) = a, b
    if not na or not nb or min(na, nb) * 3 < 2 * max(na, nb) - 2:
        return False
    return 2 * sum((ca & cb).values()) / (na + nb) >= 0.8 - 1e-9


def select(cands: list[Candidate], threshold: float) -> list[Candidate]:
    """Candidates at or above the threshold, best first, without near-copies of one kept."""
    kept: list[Candidate] = []
    bags: list[tuple[Counter, int]] = []
    for cand in sorted(cands, key=lambda c: (-c.score, c.index, c.row or 0)):
        if cand.score < threshold:
            break
        bag = _bag(cand.text)
        if any(_near(bag, other) for other in bags):
            continue
        kept.append(cand)
        bags.append(bag)
    return sorted(kept, key=lambda c: (c.index, c.row or 0, c.col or 0))


# Chosen by 5-fold cross-validation by document, three dealings (priorities F1 0.729 -> 0.733;
# a floor of 0.2 gave 0.730, a share of a third 0.729).
HARMONISE = {"min": 3, "share": 0.5, "floor": 0.4}


def _harmonise(ctx: Context, cands: list[Candidate], threshold: float) -> None:
    """Items of one list, or headings of one rank under one parent, are read alike: where most
    of a group (three or more) are kept as priorities, a member whose score reaches `floor` of
    the threshold is kept too (a reader takes a list of parallel items as one kind). Only each
    place's best reading is raised; `raised_from` keeps its own score (`councilplans debug`)."""
    best: dict[int, Candidate] = {}
    for c in cands:
        if c.row is None and (c.index not in best or c.score > best[c.index].score):
            best[c.index] = c
    groups = {tuple(v) for k, v in ctx.siblings.items() if k in best}
    groups |= {tuple(range(*ctx.runs[k])) for k in best if k in ctx.runs}
    for members in groups:
        mine = [best[k] for k in members if k in best]
        if len(members) < HARMONISE["min"] or len(mine) < len(members):
            continue
        kept = sum(1 for c in mine if c.score >= threshold)
        if kept >= HARMONISE["share"] * len(members) and kept < len(members):
            for c in mine:
                if HARMONISE["floor"] * threshold <= c.score < threshold:
                    c.raised_from, c.score = c.score, threshold


def _one_per_place(kept: list[Candidate]) -> list[Candidate]:
    """A block (or table cell) names one priority: its best-scored reading ("Name" or "Name –
    description", the whole item or its first sentence)."""
    best: dict[tuple, Candidate] = {}
    for cand in kept:
        place = (cand.index, cand.row, cand.col)
        if place not in best or cand.score > best[place].score:
            best[place] = cand
    return [c for c in kept if best[(c.index, c.row, c.col)] is c]


def _ref_column(block) -> int | None:
    """The column of a table that numbers its rows ("1.1a", "SO2", "3"): most of its cells a
    code, each code printed once. None when the table has no such column."""
    rows = block.table.rows if block.table is not None else ()
    width = max((len(r.cells) for r in rows), default=0)
    for col in range(min(width, 3)):  # a reference column comes first, or nearly
        texts = [clean_text(r.cells[col].text) for r in rows if col < len(r.cells) and clean_text(r.cells[col].text)]
        codes = [t for t in texts if ROW_CODE.match(t)]
        if len(codes) >= 3 and len(codes) >= 0.6 * len(rows) and len(set(codes)) == len(codes):
            return col
    return None


def _one_column_per_ref(state: State, kept: list[Candidate]) -> list[Candidate]:
    """A plan's reference ("1.1a") names one commitment: in a table whose rows are numbered,
    commitments kept from two columns of one row (a "Key Action" and the "Actions" done for it)
    are one commitment and its details, so only the table's main column (the one whose kept
    commitments score highest in total) speaks for a row that has something kept in it. Columns
    headed by dates ("Autumn term 2025" | "Spring term 2026") are milestones, one per column, and
    stay."""
    by_table: dict[int, list[Candidate]] = {}
    for cand in kept:
        if cand.row is not None and cand.col is not None:
            by_table.setdefault(cand.index, []).append(cand)
    dropped: set[int] = set()
    for index, cands in by_table.items():
        block = state.blocks[index]
        ref = _ref_column(block)
        header = block.table.header if block.table is not None else ()
        dated = {c.col for c in cands if c.col < len(header) and has_date(clean_text(header[c.col] or ""))}
        cands = [c for c in cands if c.col not in dated]
        if ref is None or len({c.col for c in cands if c.col != ref}) < 2:
            continue
        totals: dict[int, float] = {}
        for c in cands:
            totals[c.col] = totals.get(c.col, 0.0) + c.score
        main = max(totals, key=lambda col: (totals[col], -col))
        main_rows = {c.row for c in cands if c.col == main}
        dropped |= {id(c) for c in cands if c.col != main and c.row in main_rows}
    return [c for c in kept if id(c) not in dropped]


def _provenance(state: State, cand: Candidate, source: str | None = None) -> Provenance:
    block = state.blocks[cand.index]
    row = block.table.rows[cand.row] if block.table is not None and cand.row is not None else None
    return Provenance(
        page=row.page if row is not None else block.page, block_id=block.id,
        span=(row.span if row is not None else None) or block.span,
        bbox=(row.bbox if row is not None else None) or block.bbox,
        source_text=source if source is not None else (" | ".join(c.text for c in row.cells if c.text) if row is not None else block.text),
    )


# --------------------------------------------------------------------------- priorities

def outline_candidates(state: State, ctx: Context, kept: list[Candidate]) -> list[Candidate]:
    """The kept priority candidates that make the outline, one per priority. Idempotent, so
    that the decide stage and `_priorities` line up candidate for priority."""
    # "Action plan 2026–2029 (continued)" repeats a heading over a page break: never a new priority.
    kept = [c for c in kept if not CONTINUED.search(c.text)]
    kept = _one_per_title(state, _one_per_code(ctx, _without_title(ctx, state, kept)))
    while True:
        out, level1 = _outline(state, ctx, kept)
        # One level-1 priority over all the others ("4. Progress on our commitments" over "Theme
        # 1: ..." to "Theme 4: ..."): a section that holds the priorities, not a priority.
        lone = [c for c, _, _ in level1]
        if len(lone) == 1 and not isinstance(lone[0].rule, Priority) and sum(p.level == 2 for p in out) >= 2:
            kept = [c for c in kept if c is not lone[0]]
            continue
        return kept


def _outline(state: State, ctx: Context, kept: list[Candidate]) -> tuple[list[Priority], list[tuple[Candidate, str, int]]]:
    # The outline of the kept priorities alone: a kept heading nests under the last kept heading
    # larger than it (whatever unkept headings lie between), a list item under a shallower item
    # of its own list, and a printed "2.1" under "2".
    out: list[Priority] = []
    level1: list[tuple[Candidate, str, int]] = []  # (candidate, number, section end)
    ordinal, children = 0, {}
    stack: list[tuple[Candidate, str]] = []
    for cand in kept:
        ordinal = _place(ctx, state, cand, stack, out, level1, ordinal, children)
    return out, level1


def _priorities(state: State, ctx: Context, kept: list[Candidate]) -> tuple[list[Priority], dict[int, str]]:
    """Numbered and nested priorities, and the anchors of their sections."""
    kept = outline_candidates(state, ctx, kept)
    out, level1 = _outline(state, ctx, kept)
    return out, _section_anchors(ctx, state, out, kept, level1)


def _place(ctx: Context, state: State, cand: Candidate, stack: list, out: list, level1: list,
           ordinal: int, children: dict) -> int:
    """Put one kept candidate in the outline (a level-1 priority, or under the open one)."""
    rank = _depth(ctx, state, cand)
    while stack and not _contains(ctx, state, stack[-1][0], cand, rank):
        stack.pop()
    parent = stack[-1][1] if stack else None
    if isinstance(cand.rule, Priority) and cand.rule.level == 2 and cand.rule.parent:
        parent = cand.rule.parent
    printed = (cand.rule.number if isinstance(cand.rule, Priority) else None) or cand.number or _row_code(state, cand)
    if parent is None:
        ordinal += 1
        number = printed or str(ordinal)
        end = _section_end(ctx, state, cand)
        level1.append((cand, number, end))
        out.append(Priority(number=number, level=1, title=cand.text, provenance=_provenance(state, cand)))
        stack[:] = [(cand, number)]
    else:
        children[parent] = children.get(parent, 0) + 1
        # A list's own "1." restarts in every list; a printed "2.1" or "SO1a" is kept.
        number = printed if printed and not printed.isdigit() else f"{parent}.{children[parent]}"
        out.append(Priority(number=number, level=2, title=cand.text, parent=parent, provenance=_provenance(state, cand)))
    return ordinal


def _section_anchors(ctx: Context, state: State, out: list[Priority], kept: list[Candidate],
                     level1: list[tuple[Candidate, str, int]]) -> dict[int, str]:
    """The blocks each priority's section holds, by block index."""
    blocks = state.blocks
    anchors: dict[int, str] = {}
    # Sections: where the rule stage anchored a priority it found too, its anchors stand; a
    # heading priority's section runs to the next heading as large as its own; a priority listed
    # elsewhere anchors the blocks under a later heading that names it.
    rule_numbers = {number for cand, number, _ in level1 if isinstance(cand.rule, Priority)}
    anchors.update({i: n for i, n in state.anchors.items() if n in rule_numbers})
    for cand, number, end in level1:
        # (A priority the rule stage found has its anchors already; plans reuse numbers — a
        # "1." in every list — so this asks of the candidate, not of its number.)
        found_by_rule = isinstance(cand.rule, Priority)
        if blocks[cand.index].kind == "heading" and not found_by_rule:
            for i in range(cand.index, end):
                anchors.setdefault(i, number)
        elif blocks[cand.index].kind == "list_item" and not found_by_rule:
            # An item of a list of priorities heads the deeper items under it ("1. Protecting
            # children ..." over "1. Development of multi-agency approaches ...").
            level = blocks[cand.index].level or 0
            run_end = ctx.runs.get(cand.index, (cand.index, cand.index + 1))[1]
            i = cand.index + 1
            while i < run_end and (blocks[i].level or 0) > level:
                anchors.setdefault(i, number)
                i += 1
    # A kept sub-priority heading ("1.2 Places that meet the needs of children with SEND") anchors
    # its own section; links and measures climb from it to its level-1 parent.
    for cand, priority in zip(kept, out):
        if priority.level == 2 and blocks[cand.index].kind == "heading":
            for i in range(cand.index, _section_end(ctx, state, cand)):
                if anchors.get(i) in (None, priority.parent):
                    anchors[i] = priority.number
    if any(blocks[c.index].kind != "heading" and not isinstance(c.rule, Priority) for c, n, _ in level1):
        from extractors.priorities import _anchors_by_naming

        found = {p.number: p for p in out}
        where = {number: cand.index for cand, number, _ in level1}
        named = _anchors_by_naming(state.model_copy(update={"priorities": tuple(out)}), found, where)
        for i, number in named.items():
            anchors.setdefault(i, number)
    return anchors


CONTINUED = re.compile(r"(?:\(\s*(?:continued|cont(?:['’]d|\.)?)\s*\)|[–—-]\s*continued)\s*$", re.I)
SEPARATOR = re.compile(r"\s*[–—:-]\s+")


def _one_per_title(state: State, kept: list[Candidate]) -> list[Candidate]:
    """A priority printed twice, once with its description run on ("Clean, healthy travel –
    making walking ... the easy choice" in an overview list) and once as its own section's
    heading ("Clean, healthy travel"), is one priority: the heading stands. (A title printed
    with its description in a table row is left alone: that is how the plan names it.)"""
    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    drop: set[int] = set()
    for a in kept:
        for b in kept:
            if a is b or id(a) in drop or id(b) in drop:
                continue
            ta, tb = norm(a.text), norm(b.text)
            if len(ta.split()) < 2:
                continue
            if (tb.startswith(ta) and len(tb) > len(ta) and SEPARATOR.match(tb, len(ta)) and b.index < a.index
                    and state.blocks[a.index].kind == "heading" and state.blocks[b.index].kind in ("list_item", "paragraph")):
                drop.add(id(b))  # b, in an overview list, is a's title with its description run on
            elif ta == tb and a.index < b.index and state.blocks[b.index].kind == "heading" != state.blocks[a.index].kind:
                drop.add(id(a))  # the same title in a list first, then as a heading
    return [c for c in kept if id(c) not in drop]


def _one_per_code(ctx: Context, kept: list[Candidate]) -> list[Candidate]:
    """A printed code names one priority: where several kept candidates carry "SO4" (the
    objective, and each place a policy cites it), the one at the first heading to carry the code
    stands, else the first kept."""
    by_code: dict[str, list[Candidate]] = {}
    for cand in kept:
        if is_code(cand.number):
            by_code.setdefault(cand.number, []).append(cand)
    drop: set[int] = set()
    for code, cands in by_code.items():
        if len(cands) >= 2:
            keep = next((c for c in cands if ctx.code_first.get(code) == c.index), cands[0])
            drop.update(id(c) for c in cands if c is not keep)
    return [c for c in kept if id(c) not in drop]


ROW_CODE = re.compile(r"^\s*(?:[A-Z]{1,4}\s?\d{1,2}[a-z]?(?:\.\d{1,2})?|\d{1,2}(?:\.\d{1,2})?[a-z]?|[A-H])[.)]?\s*$")


def _row_code(state: State, cand: Candidate) -> str | None:
    """The code printed in a cell before a priority's own ("SO1 | Identify needs early ...")."""
    block = state.blocks[cand.index]
    if block.table is None or cand.row is None or cand.col is None:
        return None
    cells = block.table.rows[cand.row].cells
    for k in range(cand.col - 1, -1, -1):
        text = clean_text(cells[k].text) if k < len(cells) else ""
        if text:
            return text.rstrip(".)").replace(" ", "") if ROW_CODE.match(text) else None
    return None


def _table_links(state: State, priorities: list[Priority], kept: list[Candidate], cand: Candidate) -> tuple[str, ...]:
    """The priority an action cell serves by where it sits in its table: a priority in another
    cell of its row, a priority heading its column, or the nearest priority row above it
    ("WS4 Workforce and parent voice" over the workstream's deliverables)."""
    if cand.row is None or state.blocks[cand.index].table is None:
        return ()
    same_row = column = above = None
    for p_cand, priority in zip(kept, priorities):
        if p_cand.index != cand.index:
            continue
        if p_cand.row == cand.row and p_cand.col != cand.col and same_row is None:
            same_row = priority.number
        elif p_cand.row is None and p_cand.col == cand.col:
            column = priority.number
        elif p_cand.row is not None and p_cand.row < cand.row and (above is None or p_cand.row >= above[0]):
            above = (p_cand.row, priority.number)
    number = same_row or column or (above[1] if above else None)
    return (number,) if number else ()


def _without_title(ctx: Context, state: State, kept: list[Candidate]) -> list[Candidate]:
    """The one kept heading of a cover page, before any other block of text, with kept headings
    on later pages, is the document's title or strapline ("Securing sufficient school places for
    every child"), not a priority over all the others."""
    blocks = state.blocks
    first = [c for c in kept if blocks[c.index].page == blocks[0].page]
    if len(first) != 1 or blocks[first[0].index].kind != "heading" or blocks[first[0].index].page == blocks[-1].page:
        return kept
    cand = first[0]
    if any(b.kind != "heading" for b in blocks[:cand.index]) or any(b.page == blocks[0].page and b.kind != "heading" for b in blocks[cand.index + 1:]):
        return kept
    later = [c for c in kept if c.index > cand.index and blocks[c.index].kind == "heading"]
    return [c for c in kept if c is not cand] if len(later) >= 2 else kept


def _depth(ctx: Context, state: State, cand: Candidate) -> tuple[int, int]:
    block = state.blocks[cand.index]
    if block.kind == "heading":
        return (0, ctx.heading_rank.get(cand.index, 1))
    if block.kind == "list_item":
        return (1, block.level or 0)
    return (2, 0)


def _contains(ctx: Context, state: State, parent: Candidate, cand: Candidate, rank: tuple[int, int]) -> bool:
    """Whether a kept level-1 priority is the outline parent of a later one."""
    if cand.number and parent.number and cand.number.startswith(parent.number + ".") and cand.number != parent.number:
        return True
    parent_rank = _depth(ctx, state, parent)
    if rank <= parent_rank or cand.index == parent.index:
        return False
    parent_kind, kind = state.blocks[parent.index].kind, state.blocks[cand.index].kind
    if parent_kind == kind == "list_item":
        run = ctx.runs.get(parent.index)
        return run is not None and run[0] <= cand.index < run[1]
    # A heading nests the headings below it; a list, a cell or a paragraph under a kept heading
    # is more often a set of priorities of its own (the heading only introduces them).
    return parent_kind == kind == "heading"


def _section_end(ctx: Context, state: State, cand: Candidate) -> int:
    blocks = state.blocks
    if blocks[cand.index].kind != "heading":
        return cand.index + 1
    depth = ctx.heading_rank.get(cand.index, 1)
    for i in range(cand.index + 1, len(blocks)):
        if blocks[i].kind == "heading" and ctx.heading_rank.get(i, 1) <= depth:
            return i
    return len(blocks)


# --------------------------------------------------------------------------- actions and measures

ROW_ROLES = (("timescale", lambda t: _is_date(t)),)


def _is_date(text: str) -> bool:
    from extractors.deadlines import parse_deadline

    return len(text.split()) <= 8 and parse_deadline(text) is not None


CODES = re.compile(r"^\s*(?:[A-Z]{0,4}\d{1,2}[a-z]?(?:\.\d{1,2})?)(?:\s*(?:,|&|/|and)\s*[A-Z]{0,4}\d{1,2}[a-z]?(?:\.\d{1,2})?)*\s*$")


def _row_details(state: State, cand: Candidate) -> dict[str, str]:
    """The other cells of a candidate's row, by the column's role where the header names one
    ("Lead", "By when", "RAG"), else typed by what the cell holds: a short date is its
    timescale, a RAG word its status, a list of codes ("SO1, SO4") the priorities it serves."""
    from extractors.actions import _row_details as by_header
    from extractors.status import words_to_rag
    from extractors.tables import columns_for

    block = state.blocks[cand.index]
    if block.table is None or cand.row is None:
        return {}
    row = block.table.rows[cand.row]
    columns = columns_for(block.table)
    details: dict[str, str] = {}
    if columns.roles and columns.roles.get("action") == cand.col:
        details = {k: v for k, v in by_header(columns, row).items() if v}
    for k, cell in enumerate(row.cells):
        if k == cand.col or k in columns.roles.values():
            continue
        text = clean_text(cell.text)
        if not text:
            continue
        if "timescale" not in details and _is_date(text):
            details["timescale"] = text
        elif "status" not in details and len(text.split()) <= 3 and words_to_rag(text):
            details["status"] = text
            if cell.fills:
                details["status_fills"] = ",".join(cell.fills)
        elif "priority" not in details and CODES.match(text):
            details["priority"] = text
    return details


def _action(state: State, cand: Candidate) -> Action:
    if isinstance(cand.rule, Action):
        return cand.rule
    return Action(text=cand.text, details=_row_details(state, cand), provenance=_provenance(state, cand))


CHANGE_TARGET = re.compile(r"^\s*(?P<target>\d[\d,.]*\s*%?\s+(?:fewer|more|less|additional|extra|new))\b", re.I)


def _measure(state: State, cand: Candidate) -> Measure:
    """The kept measure with its parts: what a rule read from its table, else what the sentence
    says ("from 65.8% in 2021/22 to at least 70% by 2028"); a name that opens with a change
    ("1,700 fewer adults admitted") states its target. A date with no figure beside it (a
    table's publication date) is not the date of a value."""
    if isinstance(cand.rule, Measure):
        measure = cand.rule
    else:
        said = cand.sentence or cand.text  # a measure named inside a sentence: its figures are there
        fields = parse_measure_sentence(said) if re.search(r"\d", said) else {}
        measure = Measure(name=cand.text, provenance=_provenance(state, cand), **fields)
    change = CHANGE_TARGET.match(measure.name)
    if change and not measure.target and not measure.value:
        measure = measure.model_copy(update={"target": change.group("target").strip()})
    if measure.as_at and not measure.value:
        measure = measure.model_copy(update={"as_at": None})
    return measure


LEADING_QUANTITY = re.compile(r"^\s*(?P<target>\d[\d,.]*\s*%?)\s+[a-z]")


def _sibling_targets(ctx: Context, cands: list[Candidate], measures: list[Measure]) -> list[Measure]:
    """In a list whose items state targets as changes ("1,700 fewer adults admitted", "400 more
    people going home"), a sibling that opens with a bare quantity ("1,200 people benefitting
    ...") states its target the same way."""
    runs: dict[tuple[int, int], list[int]] = {}
    for k, cand in enumerate(cands):
        if cand.index in ctx.runs:
            runs.setdefault(ctx.runs[cand.index], []).append(k)
    out = list(measures)
    for members in runs.values():
        stated = sum(1 for k in members if CHANGE_TARGET.match(out[k].name) and out[k].target)
        if stated < 2:
            continue
        for k in members:
            m = out[k]
            lead = LEADING_QUANTITY.match(m.name)
            if lead and not m.target and not m.value:
                out[k] = m.model_copy(update={"target": lead.group("target").strip()})
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def context_features(state: State, ctx: Context, cands: list[Candidate], thresholds: dict[str, float]) -> list[dict[str, float]]:
    """What the first reading says around each candidate (a reader's second look): how likely
    its siblings are what it might be, whether its section holds commitments and measures,
    whether the heading above it is a priority, and what else its own place might be. Made from
    the first reading's scores (`cand.score`), so that a heading over a section of commitments,
    or one of a run of headings most of which are priorities, counts for more than its words."""
    n = len(state.blocks)
    best: dict[str, list[float]] = {k: [0.0] * n for k in ("priority", "action", "measure")}
    place: dict[tuple, dict[str, float]] = {}
    column: dict[tuple, list[Candidate]] = {}
    for c in cands:
        row = best[c.kind]
        row[c.index] = max(row[c.index], c.score)
        here = place.setdefault((c.index, c.row, c.col), {})
        here[c.kind] = max(here.get(c.kind, 0.0), c.score)
        if c.col is not None and c.row is not None:
            column.setdefault((c.kind, c.index, c.col), []).append(c)
    kept_prefix: dict[str, list[int]] = {}
    for kind in ("action", "measure"):
        prefix = [0]
        for v in best[kind]:
            prefix.append(prefix[-1] + int(v >= thresholds[kind]))
        kept_prefix[kind] = prefix
    out = []
    for c in cands:
        f: dict[str, float] = {}
        block = state.blocks[c.index]
        here = place.get((c.index, c.row, c.col), {})
        for kind in ("priority", "action", "measure"):
            if kind != c.kind:
                f[f"ctx_here_{kind}"] = here.get(kind, 0.0)
        # siblings: headings of one rank under one parent, items of one list, cells of one column
        if block.kind == "heading":
            others = [k for k in ctx.siblings.get(c.index, []) if k != c.index]
        elif block.kind == "list_item":
            start, end = ctx.runs.get(c.index, (c.index, c.index + 1))
            others = [k for k in range(start, end) if k != c.index]
        else:
            others = []
        if c.col is not None and c.row is not None:
            mates = [m.score for m in column.get((c.kind, c.index, c.col), []) if m.row != c.row]
        else:
            mates = [best[c.kind][k] for k in others]
        if mates:
            f["ctx_siblings_mean"] = _mean(mates)
            f["ctx_siblings_kept_share"] = sum(1 for v in mates if v >= thresholds[c.kind]) / len(mates)
        # the section a heading opens
        if block.kind == "heading":
            end = ctx.section_end.get(c.index, c.index + 1)
            f["ctx_section_actions"] = float(kept_prefix["action"][end] - kept_prefix["action"][c.index + 1])
            f["ctx_section_measures"] = float(kept_prefix["measure"][end] - kept_prefix["measure"][c.index + 1])
            f["ctx_section_action_max"] = max(best["action"][c.index + 1:end], default=0.0)
        # the heading above
        head = ctx.headings[c.index]
        if block.kind == "heading":
            head = ctx.parents[c.index][-1] if ctx.parents[c.index] else None
        if head is not None:
            f["ctx_head_priority"] = best["priority"][head]
        out.append(f)
    return out


def read(cands: list[Candidate], tables: dict, *, with_context: bool = False) -> None:
    """Score the candidates of each kind `tables` has (kind -> trees), on their evidence and,
    for the second reading, their context too (`cand.score`)."""
    for kind, trees in tables.items():
        mine = [c for c in cands if c.kind == kind]
        rows = [{**c.features, **c.context} for c in mine] if with_context else [c.features for c in mine]
        for cand, p in zip(mine, scores(rows, trees)):
            cand.score = float(p)


def decide_with(state: State, model: dict, *, keep_candidates: bool = False,
                candidates: list[Candidate] | None = None) -> dict:
    """The stage's updates when `model` makes the decisions (over `candidates` when the caller
    has generated them already)."""
    ctx = build_context(state)
    model = for_genre(model, ctx.doc_planning)
    cands = candidates if candidates is not None else generate(state, ctx)
    by_kind = {k: [c for c in cands if c.kind == k] for k in ("priority", "action", "measure")}
    tables = model["kinds"]
    read(cands, tables)
    if "stack" in model:  # the second reading: each candidate's evidence and its context's scores
        thresholds = {k: t.get("threshold", 0.5) for k, t in tables.items()}
        for cand, extra in zip(cands, context_features(state, ctx, cands, thresholds)):
            cand.context = extra
        read(cands, model["stack"], with_context=True)
        tables = {**tables, **model["stack"]}
    _harmonise(ctx, by_kind["priority"], tables["priority"].get("threshold", 0.5))
    kept = {k: select(v, tables[k].get("threshold", 0.5)) for k, v in by_kind.items()}
    # (the outline's own choices are made here too, so that kept["priority"] lines up with the priorities made)
    kept["priority"] = outline_candidates(state, ctx, _one_per_place(kept["priority"]))
    kept["action"] = _one_column_per_ref(state, kept["action"])
    priorities, anchors = _priorities(state, ctx, kept["priority"])
    parents = {p.number: p.parent for p in priorities if p.parent}
    actions = []
    for cand in kept["action"]:
        action = _action(state, cand)
        # Where the action sits in a table says which priority it serves; the links stage
        # prefers what the row prints and falls back to this, then to the section.
        actions.append(action.model_copy(update={"priorities": _table_links(state, priorities, kept["priority"], cand)}))
    measures = []
    for cand in kept["measure"]:
        m = _measure(state, cand)
        anchor = anchors.get(cand.index)
        if anchor and not m.priorities:
            m = m.model_copy(update={"priorities": (parents.get(anchor, anchor),)})
        measures.append(m)
    measures = _sibling_targets(ctx, kept["measure"], measures)
    updates = {"priorities": tuple(priorities), "anchors": anchors, "actions": tuple(actions), "measures": tuple(measures)}
    if keep_candidates:
        updates["candidates"] = cands
    return updates


@stage("decide", requires=("sections", "priorities", "actions", "measures"), assigns=("priorities", "anchors", "actions", "measures"))
def decide(state: State) -> dict:
    return decide_with(state, load_model())
