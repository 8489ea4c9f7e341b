"""The command line: help, version, usage errors and exit codes."""

from __future__ import annotations

from tests.conftest import run_cli as _run


def test_help_lists_every_subcommand_of_the_contract():
    result = _run("--help")
    assert result.returncode == 0
    for command in ("diagnose", "lookup", "probe", "check", "chat", "kb", "report", "history"):
        assert command in result.stdout


def test_help_is_localized_when_asked():
    result = _run("--lang", "ko", "--help")
    assert result.returncode == 0


def test_usage_errors_exit_2_on_stderr():
    result = _run("no-such-command")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "no-such-command" in result.stderr


def test_unknown_language_is_a_usage_error():
    result = _run("--lang", "fr", "kb", "check")
    assert result.returncode == 2
    assert "fr" in result.stderr


def test_a_language_given_before_the_subcommand_is_kept():
    from assistant.cli import build_parser

    args = build_parser().parse_args(["--lang", "ko", "kb", "check"])
    assert args.lang == "ko"
    args = build_parser().parse_args(["kb", "check"])
    assert args.lang is None


def test_argparse_words_are_localized_too():
    result = _run("--lang", "zh-Hant", "diagnose")
    assert result.returncode == 2
    assert "用法" in result.stderr and "缺少必要的參數" in result.stderr
    assert "usage:" not in result.stderr
    assert "사용법" in _run("--lang", "ko", "--help").stdout
