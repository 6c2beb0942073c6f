"""The one YAML loader (issue 16, item 1): a 1.5 KB alias bomb is refused at once through every door."""

from __future__ import annotations

import time

import pytest

from wfm.cli import main
from wfm.ground.errors import WfmInputError
from wfm.ground.yamlfile import MAX_YAML_NODES, load_yaml


def _bomb(levels: int = 9, width: int = 9) -> str:
    """Nested aliases: ``width ** levels`` nodes once expanded (9^9 = 387 million) from a few hundred bytes."""
    lines = ["a: &a [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    t0 = time.perf_counter()
    with pytest.raises(WfmInputError, match=rf"bomb: expands to more than {MAX_YAML_NODES:,} nodes through its aliases"):
        load_yaml(_bomb(), name="bomb")
    assert time.perf_counter() - t0 < 5  # refused from the node graph, never expanded (the issue saw 1.4 GB)


def test_anchors_and_merge_keys_within_the_limit_are_fine():
    doc = load_yaml("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert doc == {"base": {"x": 1}, "other": {"x": 1, "y": 2}}


def test_a_recursive_alias_is_refused():
    with pytest.raises(WfmInputError, match="expands to more than"):
        load_yaml("a: &a [*a]\n", name="loop")


@pytest.mark.parametrize("door", ["schedule", "validate-map", "roster", "app-editor"])
def test_every_yaml_door_refuses_the_bomb_by_name(door, tmp_path, capsys):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_bomb(), encoding="utf-8")
    (tmp_path / "h.csv").write_text("interval_start,queue,calls_offered\n2025-01-06T08:00:00+01:00,q,1\n")
    argv = {"schedule": ["schedule", "--requirement", str(tmp_path / "r.csv"), "--rules", str(bomb),
                         "--out", str(tmp_path / "s.csv")],
            "validate-map": ["validate", str(tmp_path / "h.csv"), "--map", str(bomb)],
            "roster": ["roster", "--schedule", str(tmp_path / "s.csv"), "--agents", str(tmp_path / "a.csv"),
                       "--rules", str(bomb), "--out", str(tmp_path / "r.csv")]}
    if door == "app-editor":  # the app's rules editor reads its text through the same loader
        from wfm.io.rules import rules_from_text

        with pytest.raises(WfmInputError, match="rules editor: expands to more than"):
            rules_from_text(_bomb(), name="rules editor")
        return
    assert main(argv[door]) == 2
    assert f"{bomb}: expands to more than {MAX_YAML_NODES:,} nodes" in capsys.readouterr().err
