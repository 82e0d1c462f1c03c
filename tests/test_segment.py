"""Tests for escalation.segment: rules, the seed article, regressions and invariants."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation import Sentence, split_sentences
from escalation.errors import InputTypeError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def texts(source: str) -> list[str]:
    return [s.text for s in split_sentences(source)]


# -- the rules ---------------------------------------------------------------------------


def test_empty_and_blank_text_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("   \n\t \r\n") == []


def test_segments_without_letters_or_digits_are_dropped():
    assert texts("First line.\n.\n--- * ---\nSecond line.") == ["First line.", "Second line."]


def test_line_breaks_are_boundaries():
    assert texts("Headline without a full stop\nBody text follows here.") == [
        "Headline without a full stop",
        "Body text follows here.",
    ]


def test_crlf_and_unicode_line_separators_are_boundaries():
    assert texts("One\r\nTwo\u2028Three\u2029Four\x85Five") == ["One", "Two", "Three", "Four", "Five"]


def test_closing_quote_stays_with_its_sentence():
    assert texts("He called it “a very big mistake.” Talks went on.") == [
        "He called it “a very big mistake.”",
        "Talks went on.",
    ]


def test_quote_followed_by_attribution_stays_one_sentence():
    source = "“If they attack, we will answer,” he said. “Why now?” she asked. “Never!” they shouted."
    assert texts(source) == ["“If they attack, we will answer,” he said.", "“Why now?” she asked.", "“Never!” they shouted."]


@pytest.mark.parametrize(
    "source",
    [
        "The U.S. Navy sent a destroyer.",
        "The U.N. Security Council met on Friday.",
        "Gen. Smith and Dr. Jones arrived.",
        "The deadline is Jan. 15 at noon.",
        "The talks began at 9 p.m. Moscow time.",
        "Several states, e.g. Norway and Chile, abstained.",
        "President George W. Bush spoke first.",
        "Inflation rose to 3.5 percent in May.",
        "We will wait... and see what they do.",
        "Resolution No. 2231 remains in force.",
    ],
)
def test_no_split_after_abbreviations_initials_decimals_and_inner_ellipsis(source):
    assert texts(source) == [source]


def test_abbreviation_at_sentence_end_splits_before_a_common_opener():
    assert texts("The sanctions target the U.S. The measures take effect today.") == [
        "The sanctions target the U.S.",
        "The measures take effect today.",
    ]


def test_question_and_exclamation_marks_end_sentences():
    assert texts("Will they attack? Nobody knows! The army waits.") == ["Will they attack?", "Nobody knows!", "The army waits."]


def test_sentence_may_start_with_a_digit_or_an_opening_quote():
    assert texts("Talks ended. 15 people were hurt. “We will respond,” he said.") == [
        "Talks ended.",
        "15 people were hurt.",
        "“We will respond,” he said.",
    ]


def test_spans_index_the_source():
    source = "  First one.   Second one!\n\n  Third  "
    for sentence in split_sentences(source):
        assert source[sentence.start : sentence.end] == sentence.text


def test_sentence_is_frozen():
    sentence = split_sentences("A sentence.")[0]
    with pytest.raises(AttributeError):
        sentence.text = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("bad", "named"), [(None, "None"), (42, "int"), (3.5, "float"), (float("nan"), "NaN"), (b"x", "bytes"), (["x"], "list")]
)
def test_non_str_input_raises_a_type_error_naming_the_type(bad, named):
    with pytest.raises(InputTypeError, match=named):
        split_sentences(bad)


# -- the seed article ----------------------------------------------------------------------


def test_seed_article_splits_into_its_16_annotated_sentences():
    source = (SEEDS / "000_ee3c1f37d37bb9fd.txt").read_text(encoding="utf-8")
    annotated = [json.loads(line) for line in (SEEDS / "000_ee3c1f37d37bb9fd.labels.jsonl").open(encoding="utf-8")]
    found = split_sentences(source)
    assert len(found) == 16
    assert [(s.start, s.end, s.text) for s in found] == [(a["start"], a["end"], a["text"]) for a in annotated]


# -- regressions: one test per failure found, named after it --------------------------------


def test_regression_title_before_name_in_parentheses():
    assert texts("The envoy (Amb. Carter) left. Talks resumed.") == ["The envoy (Amb. Carter) left.", "Talks resumed."]


def test_regression_ellipsis_before_capital_splits():
    assert texts("He paused... The room fell silent.") == ["He paused...", "The room fell silent."]


def test_regression_period_inside_brackets_then_capital():
    assert texts("(Applause.) Thank you very much.") == ["(Applause.)", "Thank you very much."]


# -- invariants ---------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_spans_reconstruct_the_text_in_order_without_overlap(source):
    sentences = split_sentences(source)
    previous_end = 0
    for sentence in sentences:
        assert isinstance(sentence, Sentence)
        assert source[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
        assert previous_end <= sentence.start < sentence.end
        previous_end = sentence.end


sentence_like = st.lists(
    st.one_of(
        st.sampled_from(["U.S.", "Gen.", "Jan.", "p.m.", "e.g.", "No.", "W.", "...", "…", "“", "”", "?", "!", ".", ",",
                         "\n", "\r\n", " ", "  ", "The", "We", "he said", "3.5", "15", "(", ")"]),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(sentence_like)
def test_no_letter_or_digit_is_lost(source):
    covered = [False] * len(source)
    for sentence in split_sentences(source):
        for i in range(sentence.start, sentence.end):
            covered[i] = True
    assert all(covered[i] for i, ch in enumerate(source) if ch.isalnum())


@settings(max_examples=200, deadline=None)
@given(sentence_like)
def test_splitting_is_deterministic(source):
    assert split_sentences(source) == split_sentences(source)


# -- linear time ----------------------------------------------------------------------------

PATHOLOGICAL = {
    "dots": "." * 5_000_000,
    "dots and spaces": ". " * 2_500_000,
    "abbreviations": "U.S. " * 1_000_000,
    "quotes": "“" * 2_500_000 + "”" * 2_500_000,
    "newlines": "\n" * 5_000_000,
    "one giant word": "a" * 5_000_000,
    "dotted word": "a." * 2_500_000 + " The end.",
    "question marks": "?!" * 2_500_000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_5mb_inputs_finish_in_seconds(name):
    # A generous bound: the point is to catch quadratic or exponential behaviour, which
    # would take minutes to hours on these inputs, not to time the splitter.
    started = time.perf_counter()
    split_sentences(PATHOLOGICAL[name])
    assert time.perf_counter() - started < 30
