"""`councilplans serve` runs `datasette` with the arguments `datasette_args` builds."""

from __future__ import annotations

import sqlite3
import sys

from click.testing import CliRunner

from pipeline import cli
from pipeline.publish import datasette_args


def test_serve_runs_datasette_with_datasette_args(corpus_db_path, monkeypatch):
    calls = []
    monkeypatch.setattr(cli.subprocess, "call", lambda args, env=None: calls.append(args) or 0)
    result = CliRunner().invoke(cli.main, ["serve", "--db", str(corpus_db_path), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [[sys.executable, "-m", "datasette", *datasette_args(corpus_db_path, host="127.0.0.1", port=8123)]]
    assert "http://127.0.0.1:8123/" in result.output


def test_serve_refuses_a_database_that_is_not_councilplans(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)")
    result = CliRunner().invoke(cli.main, ["serve", "--db", str(other)])
    assert result.exit_code != 0
    assert "not a councilplans database" in result.output and "councilplans ingest" in result.output
