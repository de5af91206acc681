"""Shared helpers: the repository root, the CLI binary built from it, fixture tables."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest

ROOT = Path(__file__).resolve().parents[3]
# The CLI built from this checkout (run_tests.sh builds it); STORYHASH_CLI points elsewhere.
CLI = Path(os.environ.get("STORYHASH_CLI", ROOT / "target" / "debug" / "storyhash"))
SEED_CASE = "fixtures/seeds/seed_case.jsonl"
CLOUGH = "fixtures/clough/docs.jsonl"


def run_cli(*args: str, env: dict | None = None) -> bytes:
    """The CLI's stdout for ``args`` (run from the repository root); a failure fails the test."""
    if not CLI.exists():
        pytest.fail(f"no CLI binary at {CLI}: run `cargo build` first (run_tests.sh does)")
    done = subprocess.run(
        [str(CLI), *args], cwd=ROOT, capture_output=True, env=env, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"storyhash {' '.join(args)} exited {done.returncode}: {done.stderr.decode()}")
    return done.stdout


def records(path: str | Path) -> list[dict]:
    """The records of a JSONL file (relative paths: from the repository root)."""
    with open(ROOT / path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def table(path: str | Path, columns: tuple[str, ...] = ("id", "text")) -> pa.Table:
    """A JSONL file as a pyarrow table of ``columns``, read with plain json."""
    rows = records(path)
    return pa.table({c: [r.get(c) for r in rows] for c in columns})
