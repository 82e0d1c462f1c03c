"""Tests for escalation.cli, called through main(argv) as a user would call the command."""

from __future__ import annotations

import csv
import io
import json

import pytest

from escalation import __version__
from escalation.cli import main

ARTICLE = "Talks resumed in Geneva on Monday. “If they cross the border, we will respond,” the minister said.\n"


@pytest.fixture()
def article(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture()
def model_args(saved_tiny_model):
    return ["--model", str(saved_tiny_model), "--trust-model"]


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"escalation {__version__}"


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_score_jsonl(article, model_args, capsys):
    assert main(["score", str(article), "--format", "jsonl", *model_args]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["index"] for r in records] == [0, 1]
    for r in records:
        assert ARTICLE[r["start"] : r["end"]] == r["text"]
        assert set(r["probabilities"]) == {"threat", "conditional_retaliation", "deterrence", "neutral"}
        assert r["label"] == max(r["probabilities"], key=r["probabilities"].get)


def test_score_csv_has_a_column_per_label(article, model_args, capsys):
    assert main(["score", str(article), "--format", "csv", *model_args]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2 and {"p_threat", "p_neutral", "start", "end", "text", "label"} <= set(rows[0])


def test_score_table(article, model_args, capsys):
    assert main(["score", str(article), "--format", "table", *model_args]) == 0
    out = capsys.readouterr().out
    assert "article.txt" in out and "Talks resumed" in out


def test_score_reads_stdin(model_args, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8")), encoding="utf-8"))
    assert main(["score", "-", "--format", "jsonl", *model_args]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_explain_prints_every_label_predicted_first(model_args, capsys):
    assert main(["explain", "If they attack, we will respond with force.", "--top", "2", *model_args]) == 0
    out = capsys.readouterr().out
    first_line = out.splitlines()[0]
    assert first_line.split()[0] in ("threat", "conditional_retaliation", "deterrence", "neutral")
    assert out.count("score") == 4


def test_explain_json(model_args, capsys):
    assert main(["explain", "We will strike.", "--json", *model_args]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert next(iter(payload["contributions"])) == payload["label"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "/nonexistent/file.txt"], "no such file"),
        (["explain", "text", "--model", "/nonexistent/m.joblib"], "card is missing"),
    ],
)
def test_errors_are_one_readable_line_and_exit_1(argv, message, capsys, model_args):
    if argv[0] == "score":
        argv = argv + model_args
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("escalation: error:") and message in err.lower()
    assert "Traceback" not in err


def test_untrusted_model_is_refused_on_the_command_line(saved_tiny_model, capsys):
    assert main(["explain", "text", "--model", str(saved_tiny_model)]) == 1
    assert "trust" in capsys.readouterr().err


def test_invalid_utf8_file_is_a_clear_error(tmp_path, model_args, capsys):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Talks resumed.\xff\xfe broken")
    assert main(["score", str(path), *model_args]) == 1
    assert "not valid UTF-8 at byte 14" in capsys.readouterr().err
    assert main(["score", str(path), "--decode-errors", "replace", "--format", "jsonl", *model_args]) == 0


def test_force_without_output_is_refused(article, model_args, capsys):
    assert main(["score", str(article), "--force", *model_args]) == 1
