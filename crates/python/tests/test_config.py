"""Config: the core's JSON and dict forms, the core's validation, the CLI's presets."""

from __future__ import annotations

import json

import pytest

import storyhash
from conftest import SEED_CASE, run_cli, table


@pytest.mark.parametrize("preset", ["copy", "story"])
def test_dict_and_json_round_trip(preset: str) -> None:
    cfg = storyhash.Config.preset(preset)
    assert cfg.preset_name == preset
    d = cfg.to_dict()
    assert d["config_version"] == storyhash.CONFIG_VERSION
    assert d["config"]["preset"] == preset
    assert storyhash.Config.from_dict(d) == cfg
    assert storyhash.Config.from_json(cfg.to_json()) == cfg
    assert json.loads(cfg.to_json()) == d
    assert storyhash.Config.from_dict(d).to_json() == cfg.to_json()
    assert storyhash.Config(preset) == cfg
    assert (storyhash.Config.preset("copy") == storyhash.Config.preset("story")) is False


def test_a_bad_setting_raises_value_error_with_the_core_message() -> None:
    d = storyhash.Config.preset("copy").to_dict()
    d["config"]["thresholds"]["copy"] = 1.5
    with pytest.raises(ValueError, match=r"invalid setting thresholds\.copy = 1\.5"):
        storyhash.Config.from_dict(d)
    d = storyhash.Config.preset("copy").to_dict()
    d["config"]["copy"]["sketch"]["num_perm"] = 4
    with pytest.raises(ValueError, match=r"copy\.sketch\.num_perm"):
        storyhash.Config.from_json(json.dumps(d))
    d["config_version"] = 99
    with pytest.raises(ValueError, match="99"):
        storyhash.Config.from_dict(d)
    with pytest.raises(ValueError, match="unreadable engine config"):
        storyhash.Config.from_json('{"config_version": %d, "config": {}}' % storyhash.CONFIG_VERSION)
    with pytest.raises(ValueError, match="unknown preset"):
        storyhash.Config.preset("near")


def test_a_changed_threshold_is_the_cli_option() -> None:
    d = storyhash.Config.preset("story").to_dict()
    d["config"]["thresholds"]["story"] = 0.15
    ours = storyhash.cluster_jsonl(table(SEED_CASE), storyhash.Config.from_dict(d))
    cli = run_cli("cluster", SEED_CASE, "--format", "jsonl", "--threshold", "0.15", "-q")
    assert ours == cli
    # and the default config is the CLI's default run, which differs at this threshold
    assert storyhash.cluster_jsonl(table(SEED_CASE)) != cli


def test_the_containment_threshold_is_the_cli_option() -> None:
    cfg = storyhash.Config.preset("copy")
    assert cfg.to_dict()["config"]["copy"]["contain"]["threshold"] == 0.7
    d = cfg.to_dict()
    d["config"]["copy"]["contain"]["threshold"] = 0.9
    path = "fixtures/clough/docs.jsonl"
    cli = run_cli("cluster", path, "--format", "jsonl", "--preset", "copy",
                  "--contain-threshold", "0.9", "-q")
    assert storyhash.cluster_jsonl(table(path), storyhash.Config.from_dict(d)) == cli
    assert storyhash.cluster_jsonl(table(path), cfg) != cli
