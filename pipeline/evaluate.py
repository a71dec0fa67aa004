"""Score extracted documents against hand-made gold annotations (`councilplans eval`).

The rules are those of ``gold/README.md`` ("Scoring"), made precise here:

* Text is normalised by :func:`normalise_text` (NFKC, lower case, every Unicode punctuation,
  symbol or control/private-use character such as ``•``, ``✓``, ``\\uf0b7``, ``-`` or ``–`` turned
  into a space, white space folded, one leading "we will" dropped).
* Within one document and one kind, gold and predicted items are paired one to one, best first,
  by the token-level F1 of their key text (priority ``title``, action ``text``, measure ``name``)
  when it is at least 0.8 (:func:`pair_items`).
* Gold items marked ``optional: true`` take part in the pairing, but a prediction paired with one
  is neither a true nor a false positive, and an unpaired one is not a false negative.
* Precision/recall/F1 are micro-averaged over the gold documents. An empty denominator gives 1.0
  when the other side is empty too (nothing expected, nothing predicted), else 0.0; F1 is 0.0
  when P + R = 0.
* Fields are scored over pairs whose gold item is not optional; each field has its own rule for
  which pairs count (see ``_FIELD_RULES``). A field with n = 0 has accuracy ``None``.
* A gold document may limit what is scored with ``scope: {pages: [...]}``: gold and predicted
  items whose ``page`` is outside those pages are left out before pairing (an item without a
  page is kept).
* Only gold documents are scored. A gold document without a prediction counts all its
  non-optional items as false negatives; predicted documents without gold are listed as
  ``unscored``. Documents match on key (file stem) or on the stem of ``document.source``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

__all__ = [
    "KINDS", "KEY_FIELDS", "FIELDS", "THRESHOLD", "Counts", "FieldScore", "Miss", "Spurious",
    "FieldError", "EvalReport", "normalise_text", "token_f1", "pair_items", "first_number",
    "load_gold", "load_predictions", "evaluate", "scope_pages",
]

THRESHOLD = 0.8
KINDS = ("priorities", "actions", "measures")
KEY_FIELDS = {"priorities": "title", "actions": "text", "measures": "name"}
_EPS = 1e-12
_NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")


# --------------------------------------------------------------------------- text helpers

def normalise_text(text: Any) -> str:
    """Lower-case, punctuation/symbol/bullet-free, white-space-folded text without a leading "we will".

    >>> normalise_text("We will: • Improve school attendance.")
    'improve school attendance'
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = "".join(" " if unicodedata.category(c)[0] in "PSC" else c for c in s)
    tokens = s.split()
    if tokens[:2] == ["we", "will"]:
        tokens = tokens[2:]
    return " ".join(tokens)


def _f1_counts(a: Counter, b: Counter, len_a: int, len_b: int) -> float:
    if len_a == 0 and len_b == 0:
        return 1.0
    common = sum((a & b).values())
    # 2PR/(P+R) == 2*common/(len_a+len_b); this form is exact for values such as 0.8.
    return 2 * common / (len_a + len_b)


def token_f1(a: Any, b: Any) -> float:
    """Token-level F1 (multiset overlap) of two texts after :func:`normalise_text`.

    Two texts that are both empty after normalisation score 1.0; one empty scores 0.0.
    """
    ta, tb = normalise_text(a).split(), normalise_text(b).split()
    return _f1_counts(Counter(ta), Counter(tb), len(ta), len(tb))


def first_number(text: Any) -> float | None:
    """The first number in ``text`` (thousands commas removed), or None: "65.8% in 2021/22" -> 65.8."""
    if text is None:
        return None
    m = _NUMBER.search(str(text))
    return float(m.group().replace(",", "")) if m else None


def pair_items(
    gold_items: list[dict], pred_items: list[dict], key: str, threshold: float = THRESHOLD
) -> list[tuple[int, int, float]]:
    """Pair gold and predicted items one to one, best first, by token F1 of ``item[key]``.

    All candidate pairs with F1 >= ``threshold`` are sorted by F1 descending (ties: lower gold
    index, then lower prediction index) and taken greedily. Items whose key text normalises to
    nothing never pair. Returns ``(gold_index, pred_index, f1)`` in the order taken.
    """
    def bags(items: list[dict]) -> list[tuple[Counter, int]]:
        out = []
        for item in items:
            toks = normalise_text((item or {}).get(key)).split()
            out.append((Counter(toks), len(toks)))
        return out

    gbags, pbags = bags(gold_items), bags(pred_items)
    candidates = []
    for gi, (gc, gn) in enumerate(gbags):
        if not gn:
            continue
        for pi, (pc, pn) in enumerate(pbags):
            if not pn:
                continue
            f1 = _f1_counts(gc, pc, gn, pn)
            if f1 >= threshold - _EPS:
                candidates.append((-f1, gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for neg_f1, gi, pi in candidates:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gi, pi, -neg_f1))
    return pairs


# --------------------------------------------------------------------------- field rules
# Each rule takes (gold_item, pred_item) and returns None when the pair is not scored for that
# field, else (correct, gold_shown, predicted_shown) with JSON-able normalised values.

FieldResult = tuple[bool, Any, Any] | None


def _as_list(v: Any) -> list:
    if v is None:
        return []
    if isinstance(v, (list, tuple, set, frozenset)):
        return list(v)
    return [v]


def _clean(v: Any) -> str:
    return "" if v is None else " ".join(str(v).split())


def _iso(v: Any) -> str | None:
    """A date as an ISO string: date/datetime objects and "2024-09-30..." strings; None if empty."""
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v).strip()
    if not s:
        return None
    return s[:10] if _ISO.match(s) else s


def _rag(v: Any) -> list[str]:
    out = {str(x).strip().lower() for x in _as_list(v) if _clean(x)}
    return sorted("amber" if x == "yellow" else x for x in out)


def _deadline(item: dict, part: str) -> str | None:
    d = item.get("deadline")
    return _iso(d.get(part)) if isinstance(d, dict) else None


def _opt_text(v: Any) -> str | None:
    """Action measure text (a string, or a dict with a name/text), None when empty."""
    if isinstance(v, dict):
        v = v.get("name") or v.get("text")
    return _clean(v) or None


def _level(v: Any) -> Any:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return _clean(v) or None


def _always(get: Callable[[dict], Any]) -> Callable[[dict, dict], FieldResult]:
    def rule(g: dict, p: dict) -> FieldResult:
        gv, pv = get(g), get(p)
        return gv == pv, gv, pv
    return rule


def _if_either(get: Callable[[dict], Any], same: Callable[[Any, Any], bool] | None = None):
    """Score only when gold or prediction has a (non-empty) value."""
    def rule(g: dict, p: dict) -> FieldResult:
        gv, pv = get(g), get(p)
        if not gv and not pv:
            return None
        return (same(gv, pv) if same else gv == pv), gv, pv
    return rule


def _deadline_start(g: dict, p: dict) -> FieldResult:
    gv, pv = _deadline(g, "start"), _deadline(p, "start")
    return None if gv is None else (gv == pv, gv, pv)


def _text_match(gv: str | None, pv: str | None) -> bool:
    return gv is not None and pv is not None and token_f1(gv, pv) >= THRESHOLD - _EPS


def _number_match(gv: str | None, pv: str | None) -> bool:
    """Measure value/target: first numbers agree; without numbers on either side, token F1."""
    if gv is None or pv is None:
        return False
    gn, pn = first_number(gv), first_number(pv)
    if gn is None and pn is None:
        return token_f1(gv, pv) >= THRESHOLD - _EPS
    return gn == pn


_FIELD_RULES: dict[str, dict[str, Callable[[dict, dict], FieldResult]]] = {
    "priorities": {
        "number": _always(lambda i: _clean(i.get("number"))),
        "level": _always(lambda i: _level(i.get("level"))),
    },
    "actions": {
        "priorities": _always(
            lambda i: sorted({_clean(x) for x in _as_list(i.get("priorities")) if _clean(x)})),
        "deadline_end": _always(lambda i: _deadline(i, "end")),
        "deadline_start": _deadline_start,
        "ref": _if_either(lambda i: _clean(i.get("ref")).casefold()),
        "owners": _if_either(lambda i: sorted(
            {_clean(x).casefold() for x in _as_list(i.get("owners")) if _clean(x)})),
        "status": _if_either(lambda i: _rag(i.get("status"))),
        "measure": _if_either(lambda i: _opt_text(i.get("measure")), _text_match),
    },
    "measures": {
        "value": _if_either(lambda i: _clean(i.get("value")) or None, _number_match),
        "target": _if_either(lambda i: _clean(i.get("target")) or None, _number_match),
        "as_at": _if_either(lambda i: _iso(i.get("as_at"))),
        "target_date": _if_either(lambda i: _iso(i.get("target_date"))),
        "status": _if_either(lambda i: _rag(i.get("status"))),
    },
}
FIELDS = {kind: tuple(rules) for kind, rules in _FIELD_RULES.items()}


# --------------------------------------------------------------------------- report types

def _ratio(num: int, den: int, other: int) -> float:
    """num/den; an empty denominator gives 1.0 if ``other`` (the opposite error count) is 0 too."""
    if den:
        return num / den
    return 1.0 if other == 0 else 0.0


@dataclass
class Counts:
    """True/false positives and false negatives for one kind, with P/R/F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp, self.fn)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn, self.fp)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": self.precision,
                "recall": self.recall, "f1": self.f1}


@dataclass
class FieldScore:
    """How many scored pairs (n) had the field right; accuracy is None when n = 0."""

    n: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.n if self.n else None

    def to_dict(self) -> dict:
        return {"n": self.n, "correct": self.correct, "accuracy": self.accuracy}


@dataclass
class Miss:
    """A non-optional gold item no prediction paired with."""

    document: str
    kind: str
    index: int
    text: str


@dataclass
class Spurious:
    """A prediction paired with no gold item."""

    document: str
    kind: str
    index: int
    text: str
    page: Any = None


@dataclass
class FieldError:
    """A field that differs on a paired item (values shown normalised)."""

    document: str
    kind: str
    field: str
    text: str
    gold: Any
    predicted: Any
    page: Any = None


@dataclass
class EvalReport:
    """Result of :func:`evaluate`; see the module docstring for the rules."""

    kinds: dict[str, Counts]
    fields: dict[str, dict[str, FieldScore]]
    documents: dict[str, dict[str, Counts]]
    unscored: list[str] = field(default_factory=list)
    missing_documents: list[str] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    spurious: list[Spurious] = field(default_factory=list)
    field_errors: list[FieldError] = field(default_factory=list)
    threshold: float = THRESHOLD
    gold_label: str = "gold"
    predicted_label: str = "predictions"

    def header(self) -> str:
        """One line saying what was compared."""
        n, miss = len(self.documents), len(self.missing_documents)
        return (f"{self.predicted_label} vs {self.gold_label}: {n} gold document(s) scored"
                f" ({miss} without predictions, {len(self.unscored)} predicted without gold);"
                f" items paired one to one by token F1 >= {self.threshold:g}.")

    def to_dict(self) -> dict:
        def items(rows: list) -> list[dict]:
            return [r.__dict__.copy() for r in rows]
        return {
            "gold": self.gold_label, "predicted": self.predicted_label,
            "threshold": self.threshold,
            "kinds": {k: c.to_dict() for k, c in self.kinds.items()},
            "fields": {k: {f: s.to_dict() for f, s in fs.items()} for k, fs in self.fields.items()},
            "documents": {d: {k: c.to_dict() for k, c in ks.items()}
                          for d, ks in self.documents.items()},
            "unscored": list(self.unscored),
            "missing_documents": list(self.missing_documents),
            "misses": items(self.misses),
            "spurious": items(self.spurious),
            "field_errors": items(self.field_errors),
        }

    def _tables(self) -> list[tuple[str, list[str], list[list[str]]]]:
        def f(x: float | None) -> str:
            return "n/a" if x is None else f"{x:.3f}"
        kinds = [[k, str(c.tp), str(c.fp), str(c.fn), f(c.precision), f(c.recall), f(c.f1)]
                 for k, c in self.kinds.items()]
        fields = [[k, name, str(s.n), str(s.correct), f(s.accuracy)]
                  for k, fs in self.fields.items() for name, s in fs.items()]
        docs = [[d, k, str(c.tp), str(c.fp), str(c.fn), f(c.precision), f(c.recall), f(c.f1)]
                for d, ks in self.documents.items() for k, c in ks.items()]
        return [
            ("Records", ["kind", "TP", "FP", "FN", "P", "R", "F1"], kinds),
            ("Fields", ["kind", "field", "n", "correct", "accuracy"], fields),
            ("Documents", ["document", "kind", "TP", "FP", "FN", "P", "R", "F1"], docs),
        ]

    def to_text(self) -> str:
        """Fixed-width tables for the terminal."""
        out = [self.header()]
        for title, head, rows in self._tables():
            widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

            def line(r: list[str]) -> str:
                return "  ".join(c.ljust(w) if not i or (i == 1 and title != "Records") else
                                 c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
            out += ["", title, line(head), line(["-" * w for w in widths]), *map(line, rows)]
        if self.unscored:
            out += ["", "Unscored (no gold): " + ", ".join(self.unscored)]
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """The same tables in Markdown, for a committed metrics file."""
        out = [self.header()]
        for title, head, rows in self._tables():
            out += ["", f"## {title}", "", "| " + " | ".join(head) + " |",
                    "|" + "|".join("---" if i == 0 or (i == 1 and title != "Records") else "---:"
                                   for i in range(len(head))) + "|"]
            out += ["| " + " | ".join(r) + " |" for r in rows]
        if self.unscored:
            out += ["", "Unscored (no gold): " + ", ".join(f"`{u}`" for u in self.unscored)]
        return "\n".join(out) + "\n"

    def explain(self, limit: int = 20) -> str:
        """Misses, spurious predictions and wrong fields, at most ``limit`` of each."""
        def cut(s: str, n: int = 90) -> str:
            return s if len(s) <= n else s[: n - 1] + "…"

        def page(p: Any) -> str:
            return "" if p is None else f" (p. {p})"

        sections = [
            ("Missed gold items", self.misses,
             lambda m: f"[{m.document}] {m.kind} #{m.index}: {cut(m.text)}"),
            ("Spurious predictions", self.spurious,
             lambda s: f"[{s.document}] {s.kind} #{s.index}{page(s.page)}: {cut(s.text)}"),
            ("Wrong fields", self.field_errors,
             lambda e: f"[{e.document}] {e.kind}.{e.field}{page(e.page)}: gold {e.gold!r}"
                       f" / predicted {e.predicted!r} — {cut(e.text, 60)}"),
        ]
        out = []
        if self.missing_documents:
            out.append("Gold documents without predictions: " + ", ".join(self.missing_documents))
        for title, rows, fmt in sections:
            out.append(f"{title}: {len(rows)}")
            out += ["  " + fmt(r) for r in rows[:limit]]
            if len(rows) > limit:
                out.append(f"  … and {len(rows) - limit} more")
        return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- loading

def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)


def _source_stem(doc: dict) -> str | None:
    src = ((doc or {}).get("document") or {}).get("source")
    return PurePosixPath(str(src).replace("\\", "/")).stem if src else None


def _load(path: Path, suffixes: Iterable[str]) -> dict[str, dict]:
    path = Path(path)
    files = [path] if path.is_file() else sorted(
        p for p in path.iterdir()
        if p.is_file() and p.suffix.lower() in suffixes and not p.stem.lower().startswith("readme"))
    docs: dict[str, dict] = {}
    for p in files:
        data = _read(p)
        # A file may hold one document, or a list of documents keyed by their source stem.
        entries = ([(_source_stem(d) or f"{p.stem}#{i}", d) for i, d in enumerate(data)]
                   if isinstance(data, list) else [(p.stem, data)])
        for key, doc in entries:
            if not isinstance(doc, dict):
                raise ValueError(f"{p}: expected a document mapping, got {type(doc).__name__}")
            if key in docs:
                raise ValueError(f"{p}: duplicate document {key!r}")
            docs[key] = doc
    return docs


def load_gold(path: Path) -> dict[str, dict]:
    """Gold annotations from a directory of ``*.yaml`` (README skipped) or one file: {stem: doc}."""
    return _load(path, (".yaml", ".yml"))


def load_predictions(path: Path) -> dict[str, dict]:
    """Exported predictions from a directory of ``*.json``/``*.yaml`` or one file: {stem: doc}."""
    return _load(path, (".json", ".yaml", ".yml"))


# --------------------------------------------------------------------------- scoring

def _match_documents(gold: dict[str, dict], predicted: dict[str, dict]) -> dict[str, str]:
    """Gold key -> predicted key: same key first, then either key or source stem in common."""
    matches = {g: g for g in gold if g in predicted}
    used = set(matches.values())
    for g, gdoc in gold.items():
        if g in matches:
            continue
        aliases = {g, _source_stem(gdoc)} - {None}
        for p, pdoc in predicted.items():
            if p not in used and aliases & ({p, _source_stem(pdoc)} - {None}):
                matches[g] = p
                used.add(p)
                break
    return matches


def _is_optional(item: dict) -> bool:
    v = item.get("optional")
    return v is True or str(v).strip().lower() in {"true", "yes", "1"}


def scope_pages(doc: dict) -> set[int] | None:
    """The pages a gold document's ``scope.pages`` limits scoring to, or None for the whole document."""
    pages = ((doc or {}).get("scope") or {}).get("pages")
    if not pages:
        return None
    return {int(p) for p in pages}


def _in_scope(item: dict, pages: set[int] | None) -> bool:
    if pages is None or item.get("page") is None:
        return True
    try:
        return int(item["page"]) in pages
    except (TypeError, ValueError):
        return True


def evaluate(
    gold: dict[str, dict], predicted: dict[str, dict], *, threshold: float = THRESHOLD,
    gold_label: str = "gold", predicted_label: str = "predictions",
) -> EvalReport:
    """Score ``predicted`` documents against ``gold`` documents (both {key: export-shaped dict})."""
    matches = _match_documents(gold, predicted)
    report = EvalReport(
        kinds={k: Counts() for k in KINDS},
        fields={k: {f: FieldScore() for f in FIELDS[k]} for k in KINDS},
        documents={},
        unscored=sorted(set(predicted) - set(matches.values())),
        missing_documents=sorted(set(gold) - set(matches)),
        threshold=threshold, gold_label=gold_label, predicted_label=predicted_label,
    )
    for doc_id in sorted(gold):
        gdoc = gold[doc_id] or {}
        pdoc = predicted.get(matches[doc_id], {}) if doc_id in matches else {}
        report.documents[doc_id] = {}
        scope = scope_pages(gdoc)
        for kind in KINDS:
            key = KEY_FIELDS[kind]
            g_items = [i for i in gdoc.get(kind) or [] if isinstance(i, dict) and _in_scope(i, scope)]
            p_items = [i for i in pdoc.get(kind) or [] if isinstance(i, dict) and _in_scope(i, scope)]
            pairs = pair_items(g_items, p_items, key, threshold)
            counts = Counts()
            paired_g = {gi for gi, _, _ in pairs}
            paired_p = {pi for _, pi, _ in pairs}
            for gi, pi, _ in sorted(pairs):
                g, p = g_items[gi], p_items[pi]
                if _is_optional(g):
                    continue
                counts.tp += 1
                for name, rule in _FIELD_RULES[kind].items():
                    res = rule(g, p)
                    if res is None:
                        continue
                    ok, gv, pv = res
                    score = report.fields[kind][name]
                    score.n += 1
                    score.correct += ok
                    if not ok:
                        report.field_errors.append(FieldError(
                            doc_id, kind, name, _clean(g.get(key)), gv, pv, p.get("page")))
            for gi, g in enumerate(g_items):
                if gi not in paired_g and not _is_optional(g):
                    counts.fn += 1
                    report.misses.append(Miss(doc_id, kind, gi, _clean(g.get(key))))
            for pi, p in enumerate(p_items):
                if pi not in paired_p:
                    counts.fp += 1
                    report.spurious.append(
                        Spurious(doc_id, kind, pi, _clean(p.get(key)), p.get("page")))
            report.documents[doc_id][kind] = counts
            report.kinds[kind].add(counts)
    return report
