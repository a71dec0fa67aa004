"""Quality gates: `councilplans eval` on the bundled corpus and on the challenge set
(tests/fixtures/heldout) must stay at or above the floors in metrics/targets.yaml, and the
committed metrics files must be what a real run produces."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.evaluate import evaluate, load_gold
from pipeline.export import export_all

ROOT = Path(__file__).resolve().parent.parent
TARGETS = yaml.safe_load((ROOT / "metrics" / "targets.yaml").read_text())


@pytest.fixture(scope="module")
def report(corpus_db):
    return evaluate(load_gold(ROOT / "corpus" / "gold"), export_all(corpus_db))


@pytest.mark.parametrize("kind", sorted(TARGETS["records"]))
def test_record_f1_floor(report, kind):
    floor = TARGETS["records"][kind]["floor"]
    assert report.kinds[kind].f1 >= floor, report.explain(limit=30)


@pytest.mark.parametrize("name", sorted(TARGETS["fields"]))
def test_field_accuracy_floor(report, name):
    kind, field = name.split(".")
    score = report.fields[kind][field]
    assert score.n > 0
    assert score.accuracy >= TARGETS["fields"][name]["floor"], report.explain(limit=30)


def test_committed_metrics_match_a_real_run(report):
    committed = (ROOT / "metrics" / "quality.md").read_text(encoding="utf-8")
    for kind, counts in report.kinds.items():
        assert f"{counts.f1:.3f}" in committed, f"metrics/quality.md is stale for {kind}: run `make metrics`"


CHALLENGES = {"challenge": "heldout", "challenge2": "heldout2", "challenge3": "heldout3", "challenge4": "heldout4", "challenge5": "heldout5", "challenge6": "heldout6", "challenge7": "heldout7", "challenge8": "heldout8"}


@pytest.fixture(scope="module", params=sorted(CHALLENGES))
def challenge(request, tmp_path_factory):
    from pipeline.ingest import ingest
    from pipeline.store import open_db

    folder = ROOT / "tests" / "fixtures" / CHALLENGES[request.param]
    db_path = tmp_path_factory.mktemp(request.param) / "challenge.db"
    report = ingest([folder / "documents"], db_path)
    assert not report.failed, report.failed
    return request.param, evaluate(load_gold(folder / "gold"), export_all(open_db(db_path)))


def test_challenge_set_floors(challenge):
    name, report = challenge
    floors = {**TARGETS["challenge"], **TARGETS.get("challenge_overrides", {}).get(name, {})}
    for kind, floor in floors.items():
        if "." in kind:
            record, field = kind.split(".")
            assert report.fields[record][field].accuracy >= floor, (name, kind, report.explain(limit=30))
        else:
            assert report.kinds[kind].f1 >= floor, (name, kind, report.explain(limit=30))


def test_committed_challenge_metrics_match_a_real_run(challenge):
    name, report = challenge
    committed = (ROOT / "metrics" / f"{name}.md").read_text(encoding="utf-8")
    for kind, counts in report.kinds.items():
        assert f"{counts.f1:.3f}" in committed, f"metrics/{name}.md is stale for {kind}: run `make metrics`"
