"""The command line: the quick reading of the usual options agrees with argparse's, and
everything else goes to argparse (help, version, mistakes)."""

from __future__ import annotations

import pytest

from app.__main__ import Arguments, _quick_parse, argparse_reading, parse_args

USUAL = [
    [],
    ["--data-dir", "/srv/carnet"],
    ["--data-dir=/srv/carnet"],
    ["--data-dir", "C:\\Users\\médiatrice\\Carnet", "--lang", "en"],
    ["--lang=fr", "--log-dir", "/tmp/journal", "--self-test"],
    ["--self-test"],
    ["--data-dir", "/a", "--data-dir", "/b"],  # the last one wins, as with argparse
    ["--data-dir="],  # empty: the default folder is used
    ["--lang=en=GB"],  # only the first "=" separates
]


@pytest.mark.parametrize("argv", USUAL)
def test_usual_command_lines_read_as_argparse_reads_them(argv: list[str]):
    quick = _quick_parse(argv)
    assert quick is not None
    assert quick == argparse_reading(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["--data"],  # an abbreviation
        ["--data", "/x"],
        ["-h"],
        ["--help"],
        ["--version"],
        ["--data-dir"],  # no value
        ["--data-dir", "--self-test"],  # an option where the value should be
        ["--self-test=yes"],
        ["--unknown"],
        ["/srv/carnet"],
        ["--", "--data-dir", "/x"],
    ],
)
def test_anything_else_is_left_to_argparse(argv: list[str]):
    assert _quick_parse(argv) is None


def test_an_abbreviation_still_works_through_argparse():
    assert parse_args(["--data", "/x"]) == Arguments(data_dir="/x")


def test_a_mistake_gets_argparse_message(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as stop:
        parse_args(["--data-dir"])
    assert stop.value.code == 2
    assert "--data-dir: expected one argument" in capsys.readouterr().err


def test_version_and_help_come_from_argparse(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit):
        parse_args(["--version"])
    assert capsys.readouterr().out.startswith("Carnet ")
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    assert "--data-dir DATA_DIR" in capsys.readouterr().out
