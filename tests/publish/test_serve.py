"""`councilplans serve` becomes `datasette` with the arguments `datasette_args` builds, so that
SIGTERM and SIGINT stop it and nothing outlives it."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from pipeline import cli
from pipeline.publish import datasette_args

from .conftest import free_port, wait_until_serving


def test_serve_runs_datasette_with_datasette_args(corpus_db_path, monkeypatch):
    calls = []
    monkeypatch.setattr(cli.os, "execv", lambda path, args: calls.append((path, args)))
    result = CliRunner().invoke(cli.main, ["serve", "--db", str(corpus_db_path), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [(sys.executable, [sys.executable, "-m", "datasette", *datasette_args(corpus_db_path, host="127.0.0.1", port=8123)])]
    assert "http://127.0.0.1:8123/" in result.output


def test_serve_refuses_a_database_that_is_not_councilplans(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)")
    result = CliRunner().invoke(cli.main, ["serve", "--db", str(other)])
    assert result.exit_code != 0
    assert "not a councilplans database" in result.output and "councilplans ingest" in result.output


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_on_a_signal_and_leaves_nothing_running(corpus_db_path, tmp_path, sig):
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--db", str(corpus_db_path), "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", proc, log)
        assert _children(proc.pid) == []  # Datasette is this process, not a child that could be orphaned
        proc.send_signal(sig)
        assert proc.wait(timeout=15) is not None
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
