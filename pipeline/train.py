"""Train the decision model from gold, and estimate quality on unseen documents honestly.

`councilplans train` (and `make train`) reads every gold file the project has — the bundled
corpus, the challenge sets, the hand-checked real documents, and the independent real-document
gold in ``../shared/corpus/real/gold`` when it is beside the checkout — loads each gold
document, proposes its candidates (`extractors/candidates.py`), labels each candidate by whether
it pairs with a gold item (token F1 >= 0.8, the scorer's own rule; candidates that pair only with
an optional item are left out), and fits one logistic regression per record kind. The weights
are written as readable JSON (`extractors/model/decisions.json`): feature -> weight.

`councilplans eval --cv` scores every gold document with a model trained without it
(leave-one-document-out): the number to quote for documents the model has never seen.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

from pipeline.evaluate import KINDS as GOLD_KINDS
from pipeline.evaluate import _is_optional, _source_stem, evaluate, load_gold, normalise_text, token_f1
from pipeline.ingest import PROJECT_ROOT, describe
from pipeline.loaders import SUFFIXES, load
from pipeline.manifest import find_manifest, load_manifest

SHARED_REAL = PROJECT_ROOT.parent / "shared" / "corpus" / "real"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
CACHE = PROJECT_ROOT / "build" / "cache"
MODEL_PATH = PROJECT_ROOT / "extractors" / "model" / "decisions.json"
KIND_OF = {"priorities": "priority", "actions": "action", "measures": "measure"}
KEY = {"priority": "title", "action": "text", "measure": "name"}


@dataclass(frozen=True)
class GoldSet:
    name: str
    gold: Path
    documents: Path


def gold_sets(include_shared: bool = True) -> list[GoldSet]:
    """Every gold set the project has, in a fixed order (a new challenge set joins once its first
    run is recorded in its README); the `../shared` sets only when present."""
    sets = [GoldSet("corpus", PROJECT_ROOT / "corpus" / "gold", PROJECT_ROOT / "corpus" / "documents"),
            # The same five plans typeset as PDFs (scripts/make_pdf_corpus.py): the same gold read
            # through the PDF loader's headings, lists and ruled tables.
            GoldSet("corpus-pdf", PROJECT_ROOT / "corpus" / "gold", pdf_corpus())]
    for n in ("", "2", "3", "4", "5", "6", "7", "8"):
        sets.append(GoldSet(f"challenge{n or '1'}", FIXTURES / f"heldout{n}" / "gold", FIXTURES / f"heldout{n}" / "documents"))
    if SHARED_REAL.is_dir():
        sets.append(GoldSet("real", FIXTURES / "real_gold", SHARED_REAL))
        if include_shared and (SHARED_REAL / "gold").is_dir():
            sets.append(GoldSet("shared-real", SHARED_REAL / "gold", SHARED_REAL))
    return [s for s in sets if s.gold.is_dir()]


def pdf_corpus(folder: Path = PROJECT_ROOT / "build" / "pdf-corpus") -> Path:
    """The bundled documents as PDFs, made (deterministically) when missing."""
    if len(list(folder.glob("*.pdf"))) < len(list((PROJECT_ROOT / "corpus" / "documents").glob("*.txt"))):
        import importlib.util

        spec = importlib.util.spec_from_file_location("make_pdf_corpus", PROJECT_ROOT / "scripts" / "make_pdf_corpus.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main([str(folder)])
    return folder


def _document_path(gold_doc: dict, stem: str, folder: Path) -> Path | None:
    source = (gold_doc.get("document") or {}).get("source")
    names = [source] if source else []
    names += [Path(n).with_suffix(".pdf").name for n in names]
    candidates = [folder / n for n in names] + [p for p in folder.glob(f"{stem}.*") if p.suffix.lower() in SUFFIXES]
    return next((p for p in candidates if p.is_file()), None)


def _loader_version() -> str:
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "pipeline" / "loaders").glob("*.py")) + [PROJECT_ROOT / "schemas" / "document.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_cached(path: Path):
    """The loaded document, cached under build/cache by file content and loader code."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stat = path.stat()
    tag = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{_loader_version()}".encode()).hexdigest()[:20]
    cached = CACHE / f"{path.stem[:60]}-{tag}.pkl"
    if cached.exists():
        try:
            return pickle.loads(cached.read_bytes())
        except Exception:
            pass
    document = load(path)
    cached.write_bytes(pickle.dumps(document))
    return document


@dataclass
class GoldDocument:
    set: str
    stem: str
    path: Path
    gold: dict


def gold_documents(sets: list[GoldSet] | None = None) -> list[GoldDocument]:
    out = []
    for s in sets or gold_sets():
        for stem, doc in load_gold(s.gold).items():
            path = _document_path(doc, stem, s.documents)
            if path is not None:
                out.append(GoldDocument(s.name, stem, path, doc))
    return out


def rule_state(path: Path):
    """The document after the rule stages (everything before `decide`), and its description."""
    from extractors.registry import build, run
    from extractors.stages import RULE_STAGES
    from extractors.state import ExtractSettings, State

    document = load_cached(path)
    manifest = find_manifest(path)
    entry = load_manifest(manifest).find(path.name) if manifest else None
    info, _ = describe(document, entry, None)
    settings = ExtractSettings(plan_start=info.period_start, plan_end=info.period_end)
    return run(build(RULE_STAGES), State.start(document, settings)), info


def _in_scope(page, scope) -> bool:
    return scope is None or page is None or int(page) in scope


def label_candidates(candidates, gold: dict) -> list[float | None]:
    """1 when a candidate pairs with a required gold item of its kind (token F1 >= 0.8), None
    when it pairs only with optional ones (not scored, so not learned), else 0. Candidates on
    pages outside the gold's scope are None too."""
    from pipeline.evaluate import scope_pages

    scope = scope_pages(gold)
    items = {KIND_OF[k]: [i for i in gold.get(k) or [] if isinstance(i, dict)] for k in GOLD_KINDS}
    keys = {kind: [(normalise_text(i.get(KEY[kind])), _is_optional(i)) for i in its] for kind, its in items.items()}
    labels: list[float | None] = []
    for cand in candidates:
        page = cand.features.get("_page")
        if not _in_scope(page, scope):
            labels.append(None)
            continue
        text = normalise_text(cand.text)
        best_required = max((token_f1(text, g) for g, opt in keys[cand.kind] if not opt), default=0.0)
        if best_required >= 0.8 - 1e-9:
            labels.append(1.0)
            continue
        best_optional = max((token_f1(text, g) for g, opt in keys[cand.kind] if opt), default=0.0)
        labels.append(None if best_optional >= 0.8 - 1e-9 else 0.0)
    return labels


def gather(docs: list[GoldDocument], *, verbose: bool = False):
    """Candidates with labels for every gold document: [(doc, state, info, candidates, labels)]."""
    from extractors.candidates import generate

    rows = []
    for gd in docs:
        state, info = rule_state(gd.path)
        cands = generate(state)
        for c in cands:
            c.features["_page"] = state.blocks[c.index].page
        labels = label_candidates(cands, gd.gold)
        for c in cands:
            c.features.pop("_page", None)
        rows.append((gd, state, info, cands, labels))
        if verbose:
            pos = sum(1 for x in labels if x == 1)
            print(f"{gd.set}/{gd.stem}: {len(cands)} candidates, {pos} positive")
    return rows


def candidate_recall(rows) -> dict[str, tuple[int, int]]:
    """Per kind: (required gold items some candidate pairs with, required gold items in scope)."""
    from pipeline.evaluate import scope_pages

    out = {k: [0, 0] for k in KIND_OF.values()}
    for gd, state, info, cands, labels in rows:
        scope = scope_pages(gd.gold)
        for gkind, kind in KIND_OF.items():
            texts = [normalise_text(c.text) for c in cands if c.kind == kind]
            for item in gd.gold.get(gkind) or []:
                if not isinstance(item, dict) or _is_optional(item) or not _in_scope(item.get("page"), scope):
                    continue
                out[kind][1] += 1
                g = normalise_text(item.get(KEY[kind]))
                if any(token_f1(g, t) >= 0.8 - 1e-9 for t in texts):
                    out[kind][0] += 1
    return {k: (a, b) for k, (a, b) in out.items()}


# --------------------------------------------------------------------------- fitting

REAL_WEIGHT = 6.0  # a real document (what the tool is for) counts six times an invented one
REAL_SETS = ("corpus", "real", "shared-real")  # the bundled corpus is five real councils' plans
# Per-kind score thresholds, chosen once by grouped 10-fold cross-validation (the F1 of the real
# documents, what the tool is for; invented documents favour higher ones) and
# kept fixed, so that leave-one-document-out does not tune them on the document it scores.
THRESHOLDS = {"priority": 0.25, "action": 0.3, "measure": 0.1}
PARAMS = dict(max_iter=200, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=20, l2_regularization=1.0)
# Evidence left out of the model: whether a rule stage took the candidate. The rules were written
# on the training documents, so the model would learn to trust them more than unseen documents
# deserve (measured: real-document actions F1 0.29 with it, 0.49 without, leave-one-out).
DROPPED = ("rule",)
# The second reading (decide.context_features): the kinds it decides, and the folds that make
# the first-reading scores it learns from. Chosen by 5-fold cross-validation by document
# (actions 0.837 -> 0.847, ../shared real 0.761 -> 0.837; for priorities and measures a second
# reading scored lower: 0.728 -> 0.701, 0.751 -> 0.727; 3 folds here gave actions 0.845).
# Leave-one-document-out afterwards (metrics/cv.md): actions 0.843 -> 0.849, ../shared 0.769 -> 0.814.
STACK = ("action",)
STACK_FOLDS = 5
# One model for land-use plans (local plans, core strategies: `extractors.candidates.
# is_planning_document`) and one for every other document, each trained on all the gold with
# the other genre's documents weighted GENRE_WEIGHT: a local plan's thousands of policy
# criteria and site requirements taught the shared model to keep list items a strategy's
# reader would not, and strategies taught it little about plans. Chosen by 5-fold
# cross-validation by document (session 14's gold; F1 P / A / M): one model 0.517 / 0.724 /
# 0.579, plans weighted 0.33 in one model 0.558 / 0.717 / 0.576 (plans' actions 0.321 -> 0.272),
# two models at 0.33 0.572 / 0.741 / 0.582 (plans 0.111 / 0.321 -> 0.138 / 0.346 on P / A), at
# 0.15 0.551 / 0.739 / 0.572. Leave-one-out afterwards (metrics/cv.md), on the 84 documents
# of before: 0.685 / 0.744 / 0.625 -> 0.689 / 0.740 / 0.680.
GENRES = ("other", "planning")
GENRE_WEIGHT = 0.33


def genre_of(row) -> str:
    """'planning' for a land-use plan's row (its candidates carry `doc_planning`), else 'other'."""
    cands = row[3]
    return "planning" if cands and cands[0].features.get("doc_planning") else "other"


def training_matrix(rows, kind: str, *, drop: tuple[str, ...] = DROPPED, real_weight: float = REAL_WEIGHT,
                    extra: list[list[dict]] | None = None, genre: str | None = None,
                    genre_weight: float = GENRE_WEIGHT):
    """Features, labels and weights of every labelled candidate of `kind`: each document weighs
    the same in total whatever its number of candidates, real documents `real_weight` times,
    and with a `genre`, documents of the other genre `genre_weight` times.
    `extra`, per row and candidate, adds the context evidence of the second reading."""
    X, y, w = [], [], []
    for r, (gd, _, _, cands, labels) in enumerate(rows):
        more = extra[r] if extra is not None else [{}] * len(cands)
        mine = [(c, lab, e) for c, lab, e in zip(cands, labels, more) if c.kind == kind and lab is not None]
        weight = 100.0 / (len(mine) + 20) * (real_weight if gd.set in REAL_SETS else 1.0)
        if genre is not None and genre_of(rows[r]) != genre:
            weight *= genre_weight
        for c, lab, e in mine:
            features = {k: v for k, v in c.features.items() if not k.startswith(drop)} if drop else dict(c.features)
            X.append({**features, **e})
            y.append(int(lab))
            w.append(weight)
    return X, y, w


def _export_trees(clf, names: list[str]) -> dict:
    """A fitted HistGradientBoostingClassifier as plain lists (evaluated by extractors/decide.py).
    Each node's value is the count-weighted mean of its leaves, so that the change along a path
    can be credited to the feature split on (for `councilplans debug`)."""
    trees = []
    for (predictor,) in clf._predictors:
        nodes = predictor.nodes
        values = [float(v) for v in nodes["value"]]
        counts = [int(c) for c in nodes["count"]]

        def mean(i: int) -> float:
            if nodes["is_leaf"][i]:
                return values[i]
            left, right = int(nodes["left"][i]), int(nodes["right"][i])
            ml, mr = mean(left), mean(right)
            n = counts[left] + counts[right]
            values[i] = (ml * counts[left] + mr * counts[right]) / n if n else 0.0
            return values[i]

        mean(0)
        trees.append({
            "feature": [int(f) for f in nodes["feature_idx"]],
            "threshold": [round(float(t), 6) for t in nodes["num_threshold"]],
            "left": [int(x) for x in nodes["left"]],
            "right": [int(x) for x in nodes["right"]],
            "leaf": [int(x) for x in nodes["is_leaf"]],
            "value": [round(v, 6) for v in values],
        })
    return {"features": names, "baseline": float(clf._baseline_prediction.ravel()[0]), "trees": trees}


def _fit_kinds(rows, *, drop, real_weight, thresholds, params, extra=None, kinds=None, genre=None) -> dict:
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction import DictVectorizer
    from threadpoolctl import threadpool_limits

    out = {}
    for kind in kinds or KIND_OF.values():
        X, y, w = training_matrix(rows, kind, drop=drop, real_weight=real_weight, extra=extra, genre=genre)
        if len(set(y)) < 2:
            out[kind] = {"features": [], "baseline": -5.0, "trees": [], "threshold": thresholds[kind]}
            continue
        vec = DictVectorizer(sparse=False)
        matrix = vec.fit_transform(X)
        clf = HistGradientBoostingClassifier(random_state=0, **{**PARAMS, **(params or {})})
        with threadpool_limits(1):  # small data: threads only contend (3.5x slower on 2 busy cores)
            clf.fit(matrix, np.array(y), sample_weight=np.array(w))
        out[kind] = {**_export_trees(clf, list(vec.feature_names_)), "threshold": thresholds[kind]}
    return out


_CONTEXTS: dict[int, object] = {}


def _context_evidence(row, kinds: dict) -> list[dict]:
    """The second reading's evidence for a row's candidates, from `kinds`' first-reading scores."""
    from extractors.candidates import build_context
    from extractors.decide import context_features, read

    gd, state, info, cands, labels = row
    if id(state) not in _CONTEXTS:
        _CONTEXTS[id(state)] = (state, build_context(state))
    ctx = _CONTEXTS[id(state)][1]
    read(cands, kinds)
    return context_features(state, ctx, cands, {k: t["threshold"] for k, t in kinds.items()})


def fit(rows, *, drop: tuple[str, ...] = DROPPED, real_weight: float = REAL_WEIGHT,
        thresholds: dict | None = None, params: dict | None = None, stack: tuple[str, ...] | None = None,
        genres: tuple[str, ...] | None = GENRES) -> dict:
    """A model per document genre in `genres` (`fit_genre`), or with `genres` None one model
    for all documents with every document weighed alike."""
    options = dict(drop=drop, real_weight=real_weight, thresholds=thresholds, params=params, stack=stack)
    if not genres:
        return fit_genre(rows, **options)
    return {"format": "gbt-2", "genres": {g: fit_genre(rows, genre=g, **options) for g in genres}}


def fit_genre(rows, *, drop: tuple[str, ...] = DROPPED, real_weight: float = REAL_WEIGHT,
              thresholds: dict | None = None, params: dict | None = None, stack: tuple[str, ...] | None = None,
              genre: str | None = None) -> dict:
    """One gradient-boosted tree model per kind over the labelled candidates of `rows` (the
    first reading), and, for the kinds in `stack`, a second model that also weighs the first
    reading's scores around each candidate (extractors.decide.context_features). The second
    model learns from first-reading scores made the way an unseen document gets them: each
    training document scored by a first model fitted without it (its fold of STACK_FOLDS).
    With a `genre`, the other genre's documents weigh GENRE_WEIGHT times as much."""
    stack = STACK if stack is None else tuple(stack)
    thresholds = {**THRESHOLDS, **(thresholds or {})}
    options = dict(drop=drop, real_weight=real_weight, thresholds=thresholds, genre=genre)
    model: dict = {"format": "gbt-1", "kinds": _fit_kinds(rows, **options, params=params)}
    if stack:
        stems = list(dict.fromkeys(gd.stem for gd, *_ in rows))
        fold = {stem: k % STACK_FOLDS for k, stem in enumerate(stems)}
        extra: list[list[dict]] = [[{} for _ in r[3]] for r in rows]
        for g in range(STACK_FOLDS):
            inside = [r for r in rows if fold[r[0].stem] != g]
            if len(inside) == len(rows):
                continue
            first = _fit_kinds(inside, **options, params=params)
            for k, r in enumerate(rows):
                if fold[r[0].stem] == g:
                    extra[k] = _context_evidence(r, first)
        model["stack"] = _fit_kinds(rows, **options, params=params, extra=extra, kinds=stack)
    return model


def predict_document(state, info, model: dict, candidates=None):
    """The document's extraction when `model` makes the decisions (the stages after the rules)."""
    from extractors.decide import decide_with
    from extractors.registry import STAGES, run
    from extractors.stages import FIELD_STAGES
    from schemas.records import Extraction

    state = state.model_copy(update=decide_with(state, model, candidates=candidates))
    state = run([STAGES[name] for name in FIELD_STAGES], state)
    return Extraction(document=info, priorities=state.priorities, actions=state.actions, measures=state.measures,
                      problems=state.problems)


def export_of(extraction) -> dict:
    """The export shape of one extraction (as `councilplans export` writes it from the database)."""
    def deadline(d):
        if d is None:
            return None
        return {"text": d.text, "start": d.start.isoformat() if d.start else None,
                "end": d.end.isoformat() if d.end else None, "granularity": d.granularity}
    return {
        "document": extraction.document.model_dump(mode="json"),
        "priorities": [{"number": p.number, "level": p.level, "title": p.title, "page": p.provenance.page}
                       for p in extraction.priorities],
        "actions": [{"text": a.text, "ref": a.ref, "priorities": list(a.priorities), "deadline": deadline(a.deadline),
                     "owners": list(a.owners), "status": list(a.status), "measure": a.measure, "page": a.provenance.page}
                    for a in extraction.actions],
        "measures": [{"name": m.name, "value": m.value, "as_at": m.as_at.isoformat() if m.as_at else None,
                      "target": m.target, "target_date": m.target_date.isoformat() if m.target_date else None,
                      "status": m.status, "page": m.provenance.page} for m in extraction.measures],
    }


_FOLD_ROWS: list = []


def _fold_predictions(task, rows: list | None = None) -> dict[str, dict]:
    """Fit without group `g` and predict its documents, fitting only the genres they need (run
    in a forked process by `jobs`, over the rows it inherited, unless `rows` are given)."""
    group, g, options = task
    rows = _FOLD_ROWS if rows is None else rows
    needed = tuple(sorted({genre_of(r) for r, gg in zip(rows, group) if gg == g}))
    model = fit([r for r, gg in zip(rows, group) if gg != g], **{"genres": needed, **options})
    return {f"{gd.set}/{gd.stem}": export_of(predict_document(state, info, model, cands))
            for (gd, state, info, cands, labels), gg in zip(rows, group) if gg == g}


def cross_validate(rows, *, folds: int | None = None, jobs: int = 1, **options):
    """Each document scored by a model fitted without it: leave-one-document-out, or with
    `folds`, documents dealt round-robin into that many groups (faster, slightly pessimistic).
    `jobs` > 1 fits that many folds at once in forked processes. Returns (report over all
    documents, {set name: report})."""
    # A document and its PDF rendering (corpus / corpus-pdf) are one group: left out together.
    stems = list(dict.fromkeys(gd.stem for gd, *_ in rows))
    index = {stem: k for k, stem in enumerate(stems)}
    group = [index[gd.stem] if not folds else index[gd.stem] % folds for gd, *_ in rows]
    gold = {f"{gd.set}/{gd.stem}": gd.gold for gd, *_ in rows}
    by_set: dict[str, list[str]] = {}
    for gd, *_ in rows:
        by_set.setdefault(gd.set, []).append(f"{gd.set}/{gd.stem}")
    tasks = [(group, g, options) for g in sorted(set(group))]
    predicted: dict[str, dict] = {}
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing

        _FOLD_ROWS[:] = rows  # inherited by the forked processes, not sent to them
        try:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(tasks))) as pool:
                for part in pool.imap_unordered(_fold_predictions, tasks):
                    predicted.update(part)
        finally:
            _FOLD_ROWS.clear()
    else:
        for task in tasks:
            predicted.update(_fold_predictions(task, rows))
    label = "leave-one-document-out" if not folds else f"{folds}-fold by document"
    report = evaluate(gold, predicted, gold_label=f"gold ({label})", predicted_label="model trained without each document")
    per_set = {s: evaluate({k: gold[k] for k in names}, {k: predicted[k] for k in names},
                           gold_label=s, predicted_label=label) for s, names in sorted(by_set.items())}
    return report, per_set


def train(*, out: Path = MODEL_PATH, include_shared: bool = True, verbose: bool = False) -> dict:
    rows = gather(gold_documents(gold_sets(include_shared)), verbose=verbose)
    model = fit(rows)
    model["trained_on"] = sorted({f"{gd.set}/{gd.stem}" for gd, *_ in rows})
    model["params"] = {**PARAMS, "real_weight": REAL_WEIGHT, "dropped": list(DROPPED), "stack": list(STACK),
                       "stack_folds": STACK_FOLDS, "genres": list(GENRES), "genre_weight": GENRE_WEIGHT}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    return model
