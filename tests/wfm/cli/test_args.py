"""The one number/target flag parser of the CLI (wfm/cli/args.py), and flags added to library errors."""

from __future__ import annotations

import argparse
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.cli import COMMANDS, main
from wfm.cli import replay, risk
from wfm.cli.args import PARAMETER_FLAGS, add_target_flags, flag_note, number, targets_from_flags
from wfm.ground.errors import WfmInputError


@pytest.mark.parametrize("text, rules, expected", [
    ("3", {}, 3.0), ("0.25", {}, 0.25), ("4", {"whole": True}, 4), (" 7 ", {"whole": True}, 7),
    ("1e3", {"low": 0}, 1000.0), (None, {}, None), ("inf", {"allow_infinite": True}, math.inf),
])
def test_number_reads_what_it_should(text, rules, expected):
    got = number(text, "--x", **rules)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("text, rules, message", [
    ("abc", {}, "--x must be a number, got 'abc'"),
    ("nan", {"allow_infinite": True}, "--x must be a number, got 'nan'"),
    ("inf", {}, "--x must be finite, got 'inf'"),
    ("1.5", {"whole": True}, "--x must be a whole number, got '1.5'"),
    ("0", {"low": 1}, "--x must be >= 1, got '0'"),
    ("0", {"low": 0, "low_open": True}, "--x must be > 0, got '0'"),
    ("1", {"high": 1, "high_open": True}, "--x must be < 1, got '1'"),
    (None, {"required": True}, "--x is required"),
])
def test_number_messages_name_the_flag_the_rule_and_the_value(text, rules, message):
    with pytest.raises(WfmInputError) as err:
        number(text, "--x", **rules)
    assert str(err.value) == message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=8))
def test_property_number_returns_a_finite_number_or_refuses(text):
    try:
        value = number(text, "--x")
    except WfmInputError as exc:
        assert str(exc).startswith("--x must")
        return
    assert math.isfinite(value) and value == float(text)


def _parsed(argv, **kwargs):
    p = argparse.ArgumentParser()
    add_target_flags(p, **kwargs)
    return p.parse_args(argv)


def test_targets_from_flags_defaults_and_infinite_patience():
    t = targets_from_flags(_parsed(["--target-service-level", "0.9"], answer_within_seconds="20"))
    assert (t.target_service_level, t.answer_within_seconds, t.patience_seconds, t.shrinkage) == (0.9, 20.0, None, 0.0)
    # a value from elsewhere (the rules file) fills in a flag not given
    t = targets_from_flags(_parsed([]), answer_within_seconds=180.0, target_service_level=0.8)
    assert (t.answer_within_seconds, t.target_service_level) == (180.0, 0.8)
    # infinite patience is Erlang C: no patience
    t = targets_from_flags(_parsed(["--target-service-level", "0.8", "--answer-within-seconds", "20",
                                    "--patience-seconds", "inf", "--shrinkage", "0.3"]))
    assert t.patience_seconds is None and t.shrinkage == 0.3
    # the limit flags only where asked for
    assert not hasattr(_parsed([]), "max_occupancy") and _parsed([], limits=True).max_occupancy is None


def test_a_library_range_error_gets_the_flag_that_sets_it(capsys):
    # the targets object names the parameter; the CLI adds the flag
    with pytest.raises(WfmInputError) as err:
        targets_from_flags(_parsed(["--target-service-level", "1.5", "--answer-within-seconds", "20"]))
    assert err.value.parameter == "target_service_level" and "--" not in str(err.value)
    assert flag_note(err.value.parameter) == " (set with --target-service-level)"
    code = main(["staff", "--calls", "100", "--interval-minutes", "30", "--aht-seconds", "180",
                 "--answer-within-seconds", "20", "--target-service-level", "1.5"])
    assert code == 2
    line = capsys.readouterr().err.splitlines()[0]
    assert line.startswith("error: target_service_level must be in (0, 1)")
    assert line.endswith("got 1.5 (set with --target-service-level)")


def test_every_parameter_flag_is_a_real_flag_of_some_command():
    # a PARAMETER_FLAGS row pointing at a flag no command has would send users to a flag that does not exist
    from wfm.cli import build_parser

    flags = set()
    for action in build_parser()._subparsers._group_actions[0].choices.values():
        stack = [action]
        while stack:
            p = stack.pop()
            for a in p._actions:
                flags.update(o for o in a.option_strings if o.startswith("--"))
                if isinstance(a, argparse._SubParsersAction):
                    stack.extend(a.choices.values())
    assert set(PARAMETER_FLAGS.values()) - flags == set()


def test_replay_and_risk_are_one_module_each():
    assert replay in COMMANDS and risk in COMMANDS
    sub = argparse.ArgumentParser().add_subparsers()
    replay.register(sub)
    risk.register(sub)
    assert set(sub.choices) == {"replay", "risk"}
