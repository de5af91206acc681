"""compare and explain of two texts: the CLI's JSON for the two fixture files."""

from __future__ import annotations

import json

import pytest

import storyhash
from conftest import ROOT, run_cli

A = "fixtures/seeds/vna_ambassador_thang_interview.txt"
B = "fixtures/seeds/wvr_ambassador_thang_interview.txt"


def texts() -> tuple[str, str]:
    return ((ROOT / A).read_text(encoding="utf-8"), (ROOT / B).read_text(encoding="utf-8"))


@pytest.mark.parametrize("preset", ["copy", "story"])
@pytest.mark.parametrize("pair", [(A, B), (A, A)])
def test_compare_is_the_cli_json(preset: str, pair: tuple[str, str]) -> None:
    cli = run_cli("compare", *pair, "--format", "json", "--preset", preset)
    ta, tb = ((ROOT / p).read_text(encoding="utf-8") for p in pair)
    cfg = storyhash.Config.preset(preset)
    line = storyhash._storyhash.compare_json(ta, tb, cfg, ids=pair)
    assert (line + "\n").encode() == cli
    got = storyhash.compare(ta, tb, cfg, ids=pair)
    assert got == json.loads(cli) and got["preset"] == preset
    assert got["measures"]["word 1-gram jaccard"] > 0


@pytest.mark.parametrize("preset", ["copy", "story"])
@pytest.mark.parametrize("terms", [12, 3])
def test_explain_is_the_cli_json(preset: str, terms: int) -> None:
    cli = run_cli("explain", A, B, "--format", "json", "--preset", preset, "--terms", str(terms))
    ta, tb = texts()
    cfg = storyhash.Config.preset(preset)
    line = storyhash._storyhash.explain_json(ta, tb, cfg, ids=(A, B), terms=terms)
    assert (line + "\n").encode() == cli
    got = storyhash.explain(ta, tb, cfg, ids=(A, B), terms=terms)
    assert got == json.loads(cli)
    assert got["passages"] and len(got["terms"]) <= terms
    # Passages are byte ranges of the UTF-8 texts.
    p = got["passages"][0]
    assert ta.encode()[p["a"][0]:p["a"][1]]


def test_default_config_is_the_cli_default() -> None:
    ta, tb = texts()
    cli = run_cli("compare", A, B, "--format", "json")
    assert storyhash.compare(ta, tb, ids=(A, B)) == json.loads(cli)
