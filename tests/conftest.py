"""Shared fixtures: one database of the bundled corpus, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ingest import BUNDLED_CORPUS, ingest
from pipeline.store import open_db

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpus" / "gold"
SHARED_REAL = ROOT.parent / "shared" / "corpus" / "real"


def database_at_version(path: Path, version: int) -> None:
    """A database at `path` with only the first `version` migrations, as an older release left it."""
    import sqlite_utils

    from pipeline.store import MIGRATIONS

    db = sqlite_utils.Database(path)
    for migration in MIGRATIONS[:version]:
        migration(db)
    db.conn.execute(f"PRAGMA user_version = {int(version)}")
    db.conn.commit()
    db.conn.close()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than a few seconds")


@pytest.fixture(scope="session")
def corpus_db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "corpus.db"
    report = ingest([BUNDLED_CORPUS], path)
    assert not report.failed, report.failed
    return path


@pytest.fixture(scope="session")
def corpus_db(corpus_db_path):
    return open_db(corpus_db_path)
