"""Hostile input, function by function: every case gets a typed error naming the item, or a defined result.

The table in SECURITY.md and the closing note of the hardening issue list the same cases.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import escalation
from escalation.cli import main
from escalation.errors import EscalationError, InputTypeError, InputValueError
from escalation.scoring import iter_scores

NOT_TEXT = [None, 42, 3.5, float("nan"), b"bytes", bytearray(b"x"), ["a list"], {"a": 1}, object()]
ODD_TEXT = [
    "",
    " \t\n\r\n ",
    "\x00\x07\x1b[31m control characters\x7f",
    "zero\u200bwidth\u200c\u200d\ufeff characters",
    "\u202eright-to-left override\u202c and \u2066isolates\u2069.",
    "Emoji 🚀💥🇺🇦 everywhere! 👍🏽",
    "Windows\r\nline\r\nendings.\r\n",
    "\ud800 lone surrogate",
]


# -- functions that take one text -------------------------------------------------------------------


@pytest.mark.parametrize("bad", NOT_TEXT, ids=lambda v: type(v).__name__)
def test_text_functions_refuse_non_str_with_a_type_error(tiny_model, bad):
    for call in (escalation.split_sentences, lambda t: escalation.analyze(t, model=tiny_model),
                 lambda t: tiny_model.explain(t)):
        with pytest.raises(InputTypeError) as caught:
            call(bad)
        assert isinstance(caught.value, TypeError)
        if isinstance(bad, float) and math.isnan(bad):
            assert "NaN" in str(caught.value)


@pytest.mark.parametrize("text", ODD_TEXT, ids=range(len(ODD_TEXT)))
def test_odd_text_gives_spans_into_the_original(tiny_model, text):
    for result in escalation.analyze(text, model=tiny_model):
        assert text[result.start : result.end] == result.text


def test_empty_and_whitespace_text_give_nothing(tiny_model):
    assert escalation.split_sentences("") == [] and len(escalation.analyze(" \n", model=tiny_model)) == 0
    assert tiny_model.predict_proba([""]).shape == (1, 4)


def test_ten_megabyte_line_and_one_megabyte_word(tiny_model):
    line = "We will respond firmly, and talks continue " * 250_000  # about 11 MB, no sentence end
    analysis = escalation.analyze(line, model=tiny_model)
    assert len(analysis) == 1 and analysis[0].end == len(line.rstrip())
    word = "X" * 1_000_000
    analysis = escalation.analyze(f"Before. {word} after.", model=tiny_model)
    assert [s.text for s in analysis][0] == "Before."


# -- functions that take many texts -----------------------------------------------------------------


def test_bare_string_is_never_read_as_characters(tiny_model):
    with pytest.raises(InputTypeError, match="bare str"):
        tiny_model.predict_proba("a sentence")
    with pytest.raises(InputTypeError, match="bare str"):
        tiny_model.fit("abcd", ["threat", "neutral", "threat", "neutral"])
    # score_corpus and iter_scores take a str as a path: a missing path is a clear error, not characters
    with pytest.raises(FileNotFoundError):
        list(iter_scores("a sentence that is not a file", model=tiny_model))


@pytest.mark.parametrize("bad", [[None], ["ok", float("nan")], ["ok", 7], [b"x"], [["nested"]]])
def test_lists_with_non_str_items_name_the_index(tiny_model, bad):
    index = next(i for i, item in enumerate(bad) if not isinstance(item, str))
    with pytest.raises(InputTypeError, match=rf"\[{index}\]"):
        tiny_model.predict(bad)
    with pytest.raises(InputTypeError, match=rf"item {index}"):
        list(iter_scores(bad, model=tiny_model))


def test_pandas_missing_values_name_the_row(tiny_model):
    pd = pytest.importorskip("pandas")
    with pytest.raises(InputTypeError, match=r"X\[1\].*NaN"):
        tiny_model.predict(pd.Series(["fine", None]).astype(object).where(lambda s: s.notna(), float("nan")))


# -- files ---------------------------------------------------------------------------------------------


@pytest.fixture()
def model_args(saved_tiny_model):
    return ["--model", str(saved_tiny_model), "--trust-model"]


def run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_invalid_utf8_is_an_error_with_the_byte_offset(tmp_path, model_args, capsys):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Fine text. \xc3\x28 broken")
    code, _, err = run(["score", str(path), *model_args], capsys)
    assert code == 1 and "not valid UTF-8 at byte 11" in err and len(err.strip().splitlines()) == 1


def test_utf16_and_crlf_files_are_read_and_spans_index_the_decoded_text(tmp_path, model_args, capsys):
    text = "First sentence.\r\nSecond one, with “quotes”.\r\n"
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16"))
    code, out, _ = run(["score", str(path), "--format", "jsonl", *model_args], capsys)
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [text[r["start"] : r["end"]] for r in records] == ["First sentence.", "Second one, with “quotes”."]


def test_utf16_jsonl_is_a_clear_error(tmp_path, model_args, capsys):
    path = tmp_path / "docs.jsonl"
    path.write_bytes('{"id": "a", "text": "x"}\n'.encode("utf-16"))
    code, _, err = run(["score", str(path), *model_args], capsys)
    assert code == 1 and "UTF-16" in err


@pytest.mark.parametrize("kind", ["missing", "directory-without-txt", "unreadable"])
def test_missing_unreadable_and_wrong_kind_of_paths(tmp_path, model_args, capsys, monkeypatch, kind):
    path = tmp_path / "input.txt"
    if kind == "directory-without-txt":
        path = tmp_path / "folder"
        path.mkdir()
    elif kind == "unreadable":
        path.write_text("secret", encoding="utf-8")
        original = Path.read_bytes

        def denied(self):  # chmod 000 does not stop root, so refuse the read the way the OS would
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return original(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    code, out, err = run(["score", str(path), *model_args], capsys)
    assert code == 1 and err.startswith("escalation: error:") and "Traceback" not in err
    assert out == ""


def test_directory_where_a_model_file_is_expected(tmp_path, capsys):
    (tmp_path / "m.joblib").mkdir()
    code, _, err = run(["explain", "text", "--model", str(tmp_path / "m.joblib")], capsys)
    assert code == 1 and "escalation: error:" in err


def test_output_into_a_directory_or_with_a_bad_suffix(tmp_path, model_args, capsys):
    source = tmp_path / "a.txt"
    source.write_text("Talks resumed.", encoding="utf-8")
    (tmp_path / "out.jsonl").mkdir()
    code, _, err = run(["score", str(source), "--output", str(tmp_path / "out.jsonl"), *model_args], capsys)
    assert code == 1 and "directory" in err
    code, _, err = run(["score", str(source), "--output", str(tmp_path / "out.txt"), *model_args], capsys)
    assert code == 1 and ".jsonl or .csv" in err


# -- properties ----------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_raises_nothing_and_is_deterministic(tiny_model, text):
    first = escalation.analyze(text, model=tiny_model).to_records()
    assert first == escalation.analyze(text, model=tiny_model).to_records()
    for record in first:
        assert text[record["start"] : record["end"]] == record["text"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(), st.none(), st.integers(), st.floats(), st.binary()), max_size=5))
def test_mixed_lists_raise_only_our_type_error(tiny_model, items):
    try:
        probabilities = tiny_model.predict_proba(items)
    except EscalationError as error:
        assert isinstance(error, (InputTypeError, InputValueError))
        assert any(not isinstance(item, str) for item in items)
    else:
        assert all(isinstance(item, str) for item in items) and probabilities.shape == (len(items), 4)
