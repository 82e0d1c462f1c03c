"""Tests for escalation.analysis: per-sentence results, summaries, tables and HTML."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation import LABELS, analyze, split_sentences
from escalation.analysis import ArticleAnalysis, SentenceResult
from escalation.errors import InputTypeError

ARTICLE = (
    "Talks resumed in Geneva on Monday.\n"
    "“If they cross the border, we will respond with force,” the minister said. "
    "Analysts expressed concern & called for <restraint>."
)


def test_results_follow_the_splitter_and_the_model(tiny_model):
    result = analyze(ARTICLE, model=tiny_model)
    sentences = split_sentences(ARTICLE)
    assert isinstance(result, ArticleAnalysis) and len(result) == len(sentences) == 3
    probabilities = tiny_model.predict_proba([s.text for s in sentences])
    for item, sentence, p in zip(result, sentences, probabilities):
        assert isinstance(item, SentenceResult)
        assert (item.text, item.start, item.end) == (sentence.text, sentence.start, sentence.end)
        assert ARTICLE[item.start : item.end] == item.text
        assert item.label == tiny_model.classes_[p.argmax()]
        assert [item.probabilities[c] for c in tiny_model.classes_] == pytest.approx(p)
        assert item.confidence == max(item.probabilities.values())


def test_evidence_supports_the_label(tiny_model):
    item = analyze(ARTICLE, model=tiny_model, evidence=3)[1]
    assert 0 < len(item.evidence) <= 3
    assert all(c.contribution > 0 for c in item.evidence)
    assert all(word in item.text.lower() for c in item.evidence for word in c.feature.split())


def test_counts_cover_every_label(tiny_model):
    counts = analyze(ARTICLE, model=tiny_model).counts()
    assert list(counts) == list(LABELS) and sum(counts.values()) == 3


def test_records_are_plain_and_json_ready(tiny_model):
    import json

    records = analyze(ARTICLE, model=tiny_model).to_records()
    assert [r["index"] for r in records] == [0, 1, 2]
    assert set(records[0]) == {"index", "text", "start", "end", "label", "probabilities", "evidence"}
    json.dumps(records)


def test_to_frame_has_one_row_per_sentence_and_a_column_per_label(tiny_model):
    pytest.importorskip("pandas")
    frame = analyze(ARTICLE, model=tiny_model).to_frame()
    assert len(frame) == 3
    assert [f"p_{label}" for label in LABELS] == [c for c in frame.columns if c.startswith("p_")]
    assert np.allclose(frame[[f"p_{label}" for label in LABELS]].sum(axis=1), 1)


def test_html_highlights_every_sentence_and_escapes_text(tiny_model):
    result = analyze(ARTICLE, model=tiny_model)
    page = result._repr_html_()
    assert page.count("data-label=") == 3
    assert "&lt;restraint&gt;" in page and "<restraint>" not in page
    assert "&amp;" in page
    assert "<br>" in page  # the line break of the source is kept


def test_empty_text_gives_an_empty_analysis(tiny_model):
    result = analyze("  \n ", model=tiny_model)
    assert len(result) == 0 and result.counts() == dict.fromkeys(LABELS, 0)
    assert result.to_records() == []
    assert "escalation-article" in result._repr_html_()


def test_model_method_is_the_same_as_the_function(tiny_model):
    assert tiny_model.analyze(ARTICLE).to_records() == analyze(ARTICLE, model=tiny_model).to_records()


@pytest.mark.parametrize("bad", [None, 1, b"text", ["a list"]])
def test_non_str_text_is_refused(tiny_model, bad):
    with pytest.raises(InputTypeError):
        analyze(bad, model=tiny_model)


def test_bad_evidence_count_is_refused(tiny_model):
    with pytest.raises(InputTypeError):
        analyze(ARTICLE, model=tiny_model, evidence=-2)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_any_text_gives_valid_spans_and_probabilities(tiny_model, text):
    result = analyze(text, model=tiny_model)
    for item in result:
        assert text[item.start : item.end] == item.text
        assert sum(item.probabilities.values()) == pytest.approx(1.0)
    assert result.to_records() == analyze(text, model=tiny_model).to_records()
