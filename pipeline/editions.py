"""Editions of a plan and what changed between them (docs/editions.md).

- A **series** is one council's run of the same plan: documents with the same council, the same
  kind and the same title once years, edition words ("refreshed", "draft", "v2") and the council's
  own name are taken out ("Children's Services Plan 2021-24" and "Children’s Services Plan
  2024–2027 (refreshed)" are one series).
- Its documents are **editions** in date order: the first year of the plan period, else its last
  year, else a year in the title or the file name. A document with no date cannot be placed and is
  not compared (it is listed in `editions` with no position).
- The commitments (actions) of consecutive editions are **aligned**: each commitment's text, with
  its own deadline phrase taken out and normalised (case, punctuation, quotes), is scored against
  every commitment of the other edition with rapidfuzz (the mean of token-set and token-sort
  ratio, 0-100); scores below the threshold are not candidates; a one-to-one assignment
  (scipy's linear_sum_assignment) then pairs them so that the total similarity is highest.
- Each pair is *carried_forward* (same normalised text) or *reworded*; and, beside that,
  *deadline_slipped* (a later deadline), *owner_changed* (a different set of owners),
  *target_changed* (a different measure or target). An old commitment left unpaired is *dropped*,
  a new one *new*. One `changes` row per (commitment, kind), each with both editions' evidence.

`compute_changes` rewrites the `changes` and `editions` tables (of all councils, or the councils
given) in one transaction; the same database gives the same rows with the same ids.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import sqlite_utils
from rapidfuzz import fuzz, process
from scipy.optimize import linear_sum_assignment

from pipeline.store import stable_id

# Commitments of two editions scoring at least this (0-100) may be paired. Different commitments
# of one plan score up to ~71 against each other in the bundled corpus; a rewording that keeps
# the commitment ("improve housing options ..." -> "improve housing and accommodation options
# ... and care leavers") scores 75-95.
THRESHOLD = 72.0
# An action's measure is linked to a row of `measures` of its document when their names score this.
MEASURE_LINK = 90.0

KINDS = ("carried_forward", "reworded", "dropped", "new", "deadline_slipped", "owner_changed", "target_changed")
LABELS = {k: k.replace("_", " ") for k in KINDS}

YEARS = re.compile(r"\b(?:19|20)\d{2}(?:\s*(?:[-–—/]|to)\s*(?:(?:19|20)?\d{2}))?\b")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
EDITION_WORDS = re.compile(
    r"\b(?:editions?|refresh(?:ed)?|updated?|revised|revision|draft|final|versions?|v\d+|"
    r"\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|consultation|amended)\b")
QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})

CHANGE_COLUMNS = {
    "id": str, "council_code": str, "series_id": str, "series_title": str, "kind": str, "ordinal": int,
    "old_edition": str, "new_edition": str, "old_document_id": str, "new_document_id": str,
    "old_action_id": str, "new_action_id": str, "old_ref": str, "new_ref": str, "old_text": str, "new_text": str,
    "old_page": int, "new_page": int, "old_value": str, "new_value": str, "similarity": float, "detail": str,
}
EDITION_COLUMNS = {
    "document_id": str, "council_code": str, "series_id": str, "series_title": str, "kind": str, "edition": str,
    "year": int, "position": int, "editions": int, "previous_document_id": str,
}


# --------------------------------------------------------------------------- text


def normalise_text(text: str | None, deadline_text: str | None = None) -> str:
    """A commitment's words for comparing: its deadline phrase taken out (it is compared on its
    own), lower case, quotes and dashes unified, punctuation as spaces.

    >>> normalise_text("Publish the ‘Care Leaver Offer’ by September 2020.", "by September 2020")
    'publish the care leaver offer'
    """
    text = text or ""
    if deadline_text and deadline_text.strip():
        text = text.replace(deadline_text.strip(), " ")
    text = text.translate(QUOTES).lower().replace("&", " and ")
    text = re.sub(r"'s\b", "s", text)
    return " ".join(re.findall(r"\w+", text))


def normalise_title(title: str | None, council_names: Iterable[str] = ()) -> str:
    """A document title without its years, edition words and council name: the series it belongs to.

    >>> normalise_title("Children's Services Strategic Plan 2021– 2031")
    'childrens services strategic plan'
    >>> normalise_title("Children’s Services Strategic Plan 2024-27 (Refreshed edition)")
    'childrens services strategic plan'
    """
    text = (title or "").translate(QUOTES).lower().replace("&", " and ")
    text = YEARS.sub(" ", text)
    text = re.sub(r"'s\b", "s", text)
    text = " ".join(re.findall(r"\w+", text))
    for name in council_names:
        name = " ".join(re.findall(r"\w+", (name or "").translate(QUOTES).lower().replace("&", " and ")))
        if name and len(text) > len(name):
            text = re.sub(rf"\b{re.escape(name)}\b", " ", text)
    text = EDITION_WORDS.sub(" ", text)
    text = re.sub(r"\bcouncil\b", " ", text)
    return " ".join(text.split())


def similarity(a: str, b: str, **_: object) -> float:
    """0-100: the mean of rapidfuzz's token-set ratio (generous when one text contains the other)
    and token-sort ratio (strict about words added or taken away), on normalised texts."""
    if not a or not b:
        return 0.0
    return 0.5 * fuzz.token_set_ratio(a, b) + 0.5 * fuzz.token_sort_ratio(a, b)


def similarity_matrix(old: list[str], new: list[str]) -> np.ndarray:
    """`similarity` of every old text with every new one: the same numbers, with rapidfuzz's own
    scorers over the whole matrix rather than a Python call per pair (issue 11)."""
    if not old or not new:
        return np.zeros((len(old), len(new)))
    scores = (0.5 * process.cdist(old, new, scorer=fuzz.token_set_ratio, dtype=np.float64)
              + 0.5 * process.cdist(old, new, scorer=fuzz.token_sort_ratio, dtype=np.float64))
    scores[[not a for a in old], :] = 0.0
    scores[:, [not b for b in new]] = 0.0
    return scores


def assign(scores: np.ndarray, threshold: float = THRESHOLD) -> list[tuple[int, int, float]]:
    """One-to-one pairs (old index, new index, score) with the highest total score among the
    pairs scoring at least `threshold`; each index is used at most once."""
    if scores.size == 0:
        return []
    eligible = np.where(scores >= threshold, scores, 0.0)
    rows, cols = linear_sum_assignment(eligible, maximize=True)
    return sorted((int(i), int(j), float(scores[i, j])) for i, j in zip(rows, cols) if scores[i, j] >= threshold)


def align(old: list[str], new: list[str], threshold: float = THRESHOLD) -> tuple[list[tuple[int, int, float]], list[int], list[int], np.ndarray]:
    """Pairs (old index, new index, score), the old indexes left unpaired, the new ones left
    unpaired, and the score matrix, for two lists of normalised texts."""
    scores = similarity_matrix(old, new)
    pairs = assign(scores, threshold)
    old_paired, new_paired = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    return pairs, [i for i in range(len(old)) if i not in old_paired], [j for j in range(len(new)) if j not in new_paired], scores


# --------------------------------------------------------------------------- comparing two editions


def _deadline(a: dict) -> str | None:
    if not a.get("deadline_text") and not a.get("deadline_end") and not a.get("deadline_start"):
        return None
    when = a.get("deadline_end") or (f"from {a['deadline_start']}" if a.get("deadline_start") else None)
    return f"{a.get('deadline_text') or ''} ({when})".strip() if when else (a.get("deadline_text") or None)


def _slipped(old: dict, new: dict) -> bool:
    """The new edition gives a later deadline: a later end, or, where neither has an end, a later start."""
    if old.get("deadline_end") and new.get("deadline_end"):
        return new["deadline_end"] > old["deadline_end"]
    if not old.get("deadline_end") and not new.get("deadline_end") and old.get("deadline_start") and new.get("deadline_start"):
        return new["deadline_start"] > old["deadline_start"]
    return False


def _owners(a: dict) -> list[str]:
    return sorted(dict.fromkeys(o.strip() for o in a.get("owners") or [] if o and o.strip()), key=str.casefold)


def _target(a: dict) -> str | None:
    """The action's measure and, where it names a measure of its document, that measure's target."""
    parts = [a.get("measure") or ""]
    if a.get("target") or a.get("target_date"):
        parts.append(f"target {a.get('target') or '?'}" + (f" by {a['target_date']}" if a.get("target_date") else ""))
    text = "; ".join(p for p in parts if p)
    return text or None


def _target_key(a: dict) -> tuple[str, str, str]:
    return (normalise_text(a.get("measure")), normalise_text(a.get("target")), a.get("target_date") or "")


def compare(old: list[dict], new: list[dict], threshold: float = THRESHOLD) -> list[dict]:
    """The changes from one edition's actions to the next's (each a dict with `id`, `document_id`,
    `ordinal`, `ref`, `text`, `page`, `deadline_text`, `deadline_start`, `deadline_end`, `owners`
    (list), `measure`, and optionally `target`, `target_date`): dicts with `kind`, `old`, `new`,
    `similarity`, `old_value`, `new_value` and `detail`, in the new edition's order (dropped
    commitments last, in the old edition's order)."""
    old_keys = [normalise_text(a["text"], a.get("deadline_text")) for a in old]
    new_keys = [normalise_text(a["text"], a.get("deadline_text")) for a in new]
    pairs, dropped, added, scores = align(old_keys, new_keys, threshold)
    changes: list[dict] = []

    def change(kind: str, o: dict | None, n: dict | None, score: float | None, old_value=None, new_value=None, detail=None):
        changes.append({"kind": kind, "old": o, "new": n, "similarity": None if score is None else round(score, 1),
                        "old_value": old_value, "new_value": new_value, "detail": detail})

    for i, j, score in pairs:
        o, n = old[i], new[j]
        if old_keys[i] == new_keys[j]:
            change("carried_forward", o, n, 100.0)
        else:
            change("reworded", o, n, score, detail=f"similarity {score:.0f} (threshold {threshold:g})")
        if _slipped(o, n):
            change("deadline_slipped", o, n, score, _deadline(o), _deadline(n),
                   f"due {o.get('deadline_end') or o.get('deadline_start')} -> {n.get('deadline_end') or n.get('deadline_start')}")
        before, after = _owners(o), _owners(n)
        if [x.casefold() for x in before] != [x.casefold() for x in after]:
            gone = [x for x in before if x.casefold() not in {y.casefold() for y in after}]
            came = [x for x in after if x.casefold() not in {y.casefold() for y in before}]
            detail = "; ".join(p for p in (f"added: {', '.join(came)}" if came else "",
                                           f"removed: {', '.join(gone)}" if gone else "") if p)
            change("owner_changed", o, n, score, ", ".join(before) or None, ", ".join(after) or None, detail)
        if _target_key(o) != _target_key(n):
            change("target_changed", o, n, score, _target(o), _target(n))

    def closest(row: np.ndarray, others: list[dict]) -> str:
        if row.size == 0:
            return "the other edition has no commitments"
        k = int(row.argmax())
        return (f"nothing in the other edition scores {threshold:g} or more; closest ({row[k]:.0f}): "
                f"{others[k]['text'][:120]}")

    for j in added:
        change("new", None, new[j], None, detail=closest(scores[:, j] if scores.size else np.zeros(0), old))
    changes.sort(key=lambda c: (c["new"]["ordinal"], KINDS.index(c["kind"])))
    for i in dropped:
        change("dropped", old[i], None, None, detail=closest(scores[i, :] if scores.size else np.zeros(0), new))
    return changes


# --------------------------------------------------------------------------- series and editions


@dataclass
class Edition:
    document_id: str
    council_code: str
    title: str | None
    kind: str | None
    source: str | None
    period_start: int | None
    period_end: int | None
    year: int | None = None

    @property
    def label(self) -> str:
        if self.period_start and self.period_end and self.period_end != self.period_start:
            return f"{self.period_start}-{self.period_end}"
        if self.period_start or self.period_end:
            return str(self.period_start or self.period_end)
        return f"{self.year} ({self.source})" if self.year else (self.source or self.document_id)


@dataclass
class Series:
    id: str
    council_code: str
    key: str
    kind: str | None
    editions: list[Edition] = field(default_factory=list)  # dated, in date order
    undated: list[Edition] = field(default_factory=list)

    @property
    def title(self) -> str:
        latest = (self.editions or self.undated)[-1]
        return latest.title or self.key


def _year(doc: dict) -> int | None:
    if doc.get("period_start") or doc.get("period_end"):
        return doc.get("period_start") or doc.get("period_end")
    for text in (doc.get("title"), doc.get("source")):
        found = YEAR.search(text or "")
        if found:
            return int(found.group(1))
    return None


def group_editions(db: sqlite_utils.Database, councils: Iterable[str] | None = None) -> list[Series]:
    """Every series of the councils given (default: all), its editions in date order."""
    wanted = set(councils) if councils is not None else None
    names: dict[str, list[str]] = {}
    for row in db.conn.execute("SELECT code, name, official_name FROM councils"):
        names[row[0]] = [n for n in row[1:] if n]
    series: dict[str, Series] = {}
    sql = "SELECT id, council_code, title, kind, source, period_start, period_end FROM documents WHERE council_code "
    if wanted is None:
        rows = db.conn.execute(sql + "IS NOT NULL ORDER BY council_code, id").fetchall()
    else:  # the councils' documents only (through the index on council_code)
        rows = db.conn.execute(sql + "IN (SELECT value FROM json_each(?)) ORDER BY council_code, id",
                               [json.dumps(sorted(wanted))]).fetchall()
    for doc_id, code, title, kind, source, start, end in rows:
        if wanted is not None and code not in wanted:
            continue
        doc = {"title": title, "source": source, "period_start": start, "period_end": end}
        key = normalise_title(title, names.get(code, ())) or normalise_title(re.sub(r"[_.]+", " ", (source or "").rsplit(".", 1)[0]), names.get(code, ()))
        sid = stable_id("series", code, kind or "other", key)
        s = series.setdefault(sid, Series(id=sid, council_code=code, key=key, kind=kind))
        edition = Edition(doc_id, code, title, kind, source, start, end, _year(doc))
        (s.editions if edition.year else s.undated).append(edition)
    for s in series.values():
        s.editions.sort(key=lambda e: (e.year, e.period_end or e.year, e.source or "", e.document_id))
    return sorted(series.values(), key=lambda s: (s.council_code, s.key, s.id))


def _actions(db: sqlite_utils.Database, document_id: str) -> list[dict]:
    conn = db.conn
    columns = ["id", "document_id", "ordinal", "ref", "text", "page", "deadline_text", "deadline_start", "deadline_end", "measure"]
    actions = [dict(zip(columns, r)) for r in conn.execute(
        f"SELECT {', '.join(columns)} FROM actions WHERE document_id = ? ORDER BY ordinal", [document_id])]
    owners: dict[str, list[str]] = {}
    for action_id, owner in conn.execute(
            "SELECT o.action_id, o.owner FROM action_owners o JOIN actions a ON a.id = o.action_id "
            "WHERE a.document_id = ? ORDER BY o.rowid", [document_id]):
        owners.setdefault(action_id, []).append(owner)
    measures = conn.execute("SELECT name, target, target_date FROM measures WHERE document_id = ? ORDER BY ordinal",
                            [document_id]).fetchall()
    names = [normalise_text(m[0]) for m in measures]
    for a in actions:
        a["owners"] = owners.get(a["id"], [])
        if a["measure"] and names:
            best = process.extractOne(normalise_text(a["measure"]), names, scorer=fuzz.token_set_ratio)
            if best and best[1] >= MEASURE_LINK:
                _, a["target"], a["target_date"] = measures[best[2]]
    return actions


def ensure_tables(db: sqlite_utils.Database) -> None:
    """Create `changes` and `editions` (and their indexes) if they are not there yet."""
    db["changes"].create(CHANGE_COLUMNS, pk="id", if_not_exists=True)
    db["editions"].create(EDITION_COLUMNS, pk="document_id", if_not_exists=True)
    for table, columns in [("changes", ["council_code"]), ("changes", ["series_id"]), ("changes", ["old_document_id"]),
                           ("changes", ["new_document_id"]), ("changes", ["kind"]), ("editions", ["council_code"]),
                           ("editions", ["series_id"])]:
        db[table].create_index(columns, if_not_exists=True)


@dataclass
class PairSummary:
    old: Edition
    new: Edition
    counts: dict[str, int]


@dataclass
class SeriesSummary:
    series: Series
    council_name: str | None
    pairs: list[PairSummary] = field(default_factory=list)

    def lines(self) -> list[str]:
        s = self.series
        head = f"{self.council_name or s.council_code} — {s.title} ({s.kind or 'other'}, {len(s.editions) + len(s.undated)} editions)"
        out = [head]
        for p in self.pairs:
            counts = ", ".join(f"{n} {LABELS[k]}" for k, n in p.counts.items() if n) or "no commitments in either edition"
            out.append(f"  {p.old.label} -> {p.new.label}: {counts}")
        if s.undated:
            out.append(f"  not compared (no date): {', '.join(e.source or e.document_id for e in s.undated)}")
        return out


def _stored_pairs(db: sqlite_utils.Database, councils: list[str]) -> dict[tuple, dict[str, int]]:
    """For each pair of editions of the councils given already in `changes`: (old document, new
    document, series, series title, old edition, new edition) -> its number of rows of each kind."""
    pairs: dict[tuple, dict[str, int]] = {}
    for *key, kind, count in db.conn.execute(
            "SELECT old_document_id, new_document_id, series_id, series_title, old_edition, new_edition, kind, count(*) "
            "FROM changes WHERE council_code IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3, 4, 5, 6, 7",
            [json.dumps(councils)]):
        pairs.setdefault(tuple(key), {})[kind] = count
    return pairs


def compute_changes(db: sqlite_utils.Database, councils: Iterable[str] | None = None, *,
                    threshold: float = THRESHOLD, documents: Iterable[str] | None = None) -> list[SeriesSummary]:
    """Recompute `changes` and `editions` for the councils given (codes; default: all) in one
    transaction; returns a summary of each series with two or more editions (only dated ones
    are compared).

    `documents`: the documents stored since these councils' changes were last computed (an
    ingest run's). A pair of consecutive editions holding neither keeps the rows already stored
    for it instead of being compared again, so storing one document compares only its own
    editions' neighbours, however many documents its council has (issue 11)."""
    councils = None if councils is None else sorted(set(councils))
    ensure_tables(db)
    all_series = group_editions(db, councils)
    fresh = None if documents is None or councils is None else set(documents)
    stored = _stored_pairs(db, councils) if fresh is not None else {}
    names = dict(db.conn.execute("SELECT code, name FROM councils").fetchall())
    edition_rows, change_rows, summaries, kept = [], [], [], []
    for s in all_series:
        total = len(s.editions) + len(s.undated)
        previous = None
        for position, e in enumerate(s.editions + s.undated, start=1):
            dated = position <= len(s.editions)
            edition_rows.append({
                "document_id": e.document_id, "council_code": s.council_code, "series_id": s.id, "series_title": s.title,
                "kind": s.kind, "edition": e.label, "year": e.year, "position": position if dated else None,
                "editions": total, "previous_document_id": previous.document_id if previous and dated else None,
            })
            previous = e
        if total < 2:
            continue
        summary = SeriesSummary(s, names.get(s.council_code))
        summaries.append(summary)
        for old, new in zip(s.editions, s.editions[1:]):
            key = (old.document_id, new.document_id, s.id, s.title, old.label, new.label)
            if fresh is not None and key in stored and old.document_id not in fresh and new.document_id not in fresh:
                kept.append(f"{old.document_id}\x1f{new.document_id}")  # its rows stay as they are
                summary.pairs.append(PairSummary(old, new, {k: stored[key].get(k, 0) for k in KINDS}))
                continue
            found = compare(_actions(db, old.document_id), _actions(db, new.document_id), threshold)
            counts = {k: 0 for k in KINDS}
            for ordinal, c in enumerate(found):
                counts[c["kind"]] += 1
                o, n = c["old"] or {}, c["new"] or {}
                change_rows.append({
                    "id": stable_id("change", s.id, old.document_id, new.document_id, o.get("id"), n.get("id"), c["kind"]),
                    "council_code": s.council_code, "series_id": s.id, "series_title": s.title, "kind": c["kind"],
                    "ordinal": ordinal, "old_edition": old.label, "new_edition": new.label,
                    "old_document_id": old.document_id, "new_document_id": new.document_id,
                    "old_action_id": o.get("id"), "new_action_id": n.get("id"), "old_ref": o.get("ref"), "new_ref": n.get("ref"),
                    "old_text": o.get("text"), "new_text": n.get("text"), "old_page": o.get("page"), "new_page": n.get("page"),
                    "old_value": c["old_value"], "new_value": c["new_value"], "similarity": c["similarity"], "detail": c["detail"],
                })
            summary.pairs.append(PairSummary(old, new, counts))
    with db.conn:  # one transaction: the old rows go only if the new ones are written
        for table in ("changes", "editions"):
            if councils is None:
                db.conn.execute(f"DELETE FROM {table}")
            elif table == "changes":  # all but the pairs kept as they are
                db.conn.execute("DELETE FROM changes WHERE council_code IN (SELECT value FROM json_each(?)) "
                                "AND coalesce(old_document_id, '') || char(31) || coalesce(new_document_id, '') "
                                "NOT IN (SELECT value FROM json_each(?))",
                                [json.dumps(councils), json.dumps(kept)])
            else:
                db.conn.execute(f"DELETE FROM {table} WHERE council_code IN (SELECT value FROM json_each(?))",
                                [json.dumps(councils)])
        if edition_rows:
            db["editions"].insert_all(edition_rows, pk="document_id")
        if change_rows:
            db["changes"].insert_all(change_rows, pk="id")
    return summaries


def council_codes(db: sqlite_utils.Database, name: str) -> list[str]:
    """The council codes `name` refers to: a code, name, official name or GSS code in the
    database, else any spelling the register knows."""
    rows = db.conn.execute(
        "SELECT code FROM councils WHERE lower(code) = lower(?) OR lower(name) = lower(?) OR lower(official_name) = lower(?) "
        "OR lower(gss_code) = lower(?)", [name] * 4).fetchall()
    if rows:
        return [r[0] for r in rows]
    from pipeline.councils import register

    return [register().resolve(name).code]


__all__ = ["THRESHOLD", "KINDS", "normalise_text", "normalise_title", "similarity", "assign", "align", "compare",
           "group_editions", "compute_changes", "ensure_tables", "council_codes", "Series", "Edition", "SeriesSummary"]
