"""Tests for escalation.model: the scikit-learn contract, probabilities, explanations, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from escalation import EscalationClassifier
from escalation.errors import InputTypeError, InputValueError

PROBES = [
    "If they attack our ships, we will sink theirs.",
    "The minister visited a school in the capital.",
    "Our forces remain ready to repel any aggression.",
    "They will regret this decision.",
    "",
    "   ",
    "!!!",
]


def test_constructor_stores_parameters_only():
    clf = EscalationClassifier(C=3.0, char_ngrams=True)
    assert clf.get_params()["C"] == 3.0 and clf.get_params()["char_ngrams"] is True
    assert not [name for name in vars(clf) if name.endswith("_")]


def test_fit_returns_self_and_sets_fitted_attributes(tiny_data):
    clf = EscalationClassifier()
    assert clf.fit(*tiny_data) is clf
    assert sorted(clf.classes_) == sorted(set(tiny_data[1]))
    assert clf.n_features_ > 0 and clf.temperature_ == 1.0
    assert clf.pipeline_.named_steps["clf"].coef_.shape == (4, clf.n_features_)


def test_unfitted_model_raises_not_fitted():
    with pytest.raises(NotFittedError):
        EscalationClassifier().predict(["text"])


def test_probabilities_are_valid_and_columns_follow_classes(tiny_model):
    p = tiny_model.predict_proba(PROBES)
    assert p.shape == (len(PROBES), len(tiny_model.classes_))
    assert np.all(p >= 0) and np.allclose(p.sum(axis=1), 1.0)
    assert list(tiny_model.predict(PROBES)) == list(tiny_model.classes_[p.argmax(axis=1)])


def test_batch_equals_one_by_one(tiny_model):
    batch = tiny_model.predict_proba(PROBES)
    single = np.vstack([tiny_model.predict_proba([text]) for text in PROBES])
    assert np.allclose(batch, single, atol=1e-12)


def test_fitting_twice_gives_identical_probabilities(tiny_data):
    a = EscalationClassifier(char_ngrams=True).fit(*tiny_data).predict_proba(PROBES)
    b = EscalationClassifier(char_ngrams=True).fit(*tiny_data).predict_proba(PROBES)
    assert np.array_equal(a, b)


def test_empty_batch_gives_empty_results(tiny_model):
    assert tiny_model.predict_proba([]).shape == (0, 4)
    assert tiny_model.predict([]).shape == (0,)


def test_works_with_clone_cross_val_score_and_grid_search(tiny_data):
    texts, labels = tiny_data
    texts, labels = texts * 3, labels * 3
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    scores = cross_val_score(EscalationClassifier(), texts, labels, cv=cv, scoring="f1_macro")
    assert len(scores) == 3 and all(0 <= s <= 1 for s in scores)
    search = GridSearchCV(EscalationClassifier(), {"C": [1.0, 10.0], "char_ngrams": [False, True]}, cv=cv)
    search.fit(texts, labels)
    assert set(search.best_params_) == {"C", "char_ngrams"}
    fresh = clone(search.best_estimator_)
    assert not hasattr(fresh, "pipeline_")


def test_char_ngrams_add_features(tiny_data):
    words = EscalationClassifier().fit(*tiny_data)
    both = EscalationClassifier(char_ngrams=True).fit(*tiny_data)
    assert both.n_features_ > words.n_features_


def test_binary_labels_work(tiny_data):
    texts, labels = tiny_data
    binary = ["escalation" if label != "neutral" else "neutral" for label in labels]
    clf = EscalationClassifier().fit(texts, binary)
    p = clf.predict_proba(PROBES)
    assert p.shape == (len(PROBES), 2) and np.allclose(p.sum(axis=1), 1)
    explanation = clf.explain(PROBES[0], top=10_000)
    for label in clf.classes_:
        total = explanation.intercepts[label] + sum(c.contribution for c in explanation.contributions[label])
        assert math.isclose(total, explanation.scores[label], abs_tol=1e-9)


def test_calibration_fits_a_temperature_and_keeps_labels(tiny_data):
    texts, labels = tiny_data
    plain = EscalationClassifier().fit(texts * 3, labels * 3)
    calibrated = EscalationClassifier(calibrate=True).fit(texts * 3, labels * 3, groups=list(range(20)) * 3)
    assert calibrated.temperature_ > 0 and calibrated.temperature_ != 1.0
    assert list(calibrated.predict(PROBES)) == list(plain.predict(PROBES))


def test_sample_weight_changes_the_fit(tiny_data):
    texts, labels = tiny_data
    weights = [5.0 if label == "threat" else 1.0 for label in labels]
    a = EscalationClassifier().fit(texts, labels).predict_proba(PROBES)
    b = EscalationClassifier().fit(texts, labels, sample_weight=weights).predict_proba(PROBES)
    assert not np.allclose(a, b)


# -- explanations -----------------------------------------------------------------------


def test_explanation_terms_add_up_to_the_scores_exactly(tiny_model):
    explanation = tiny_model.explain(PROBES[0], top=10_000)
    for label in tiny_model.classes_:
        total = explanation.intercepts[label] + sum(c.contribution for c in explanation.contributions[label])
        assert math.isclose(total, explanation.scores[label], abs_tol=1e-9)
        for c in explanation.contributions[label]:
            assert c.kind == "word" and c.value > 0


def test_explanation_puts_the_predicted_label_first_and_matches_predict(tiny_model):
    for text in PROBES:
        explanation = tiny_model.explain(text)
        assert explanation.label == tiny_model.predict([text])[0]
        assert next(iter(explanation.contributions)) == explanation.label
        assert np.allclose(
            [explanation.probabilities[c] for c in tiny_model.classes_], tiny_model.predict_proba([text])[0]
        )
        assert all(len(terms) <= 5 for terms in explanation.contributions.values())


def test_evidence_is_positive_and_sorted(tiny_model):
    explanation = tiny_model.explain("If they cross the border, we will respond with force.", top=3)
    values = [c.contribution for c in explanation.evidence]
    assert values == sorted(values, reverse=True) and all(v > 0 for v in values)
    assert len(values) <= 3


def test_explanation_of_text_without_known_ngrams_is_intercept_only(tiny_model):
    explanation = tiny_model.explain("zzzz qqqq")
    assert all(terms == () for terms in explanation.contributions.values())
    assert explanation.evidence == ()
    assert explanation.scores == pytest.approx(explanation.intercepts)


# -- bad input ---------------------------------------------------------------------------


def test_bare_string_is_refused_not_read_as_characters(tiny_model):
    with pytest.raises(InputTypeError, match="bare str"):
        tiny_model.predict("We will strike.")


@pytest.mark.parametrize(
    ("bad", "index", "kind"),
    [(["ok", None], 1, "None"), (["ok", "fine", float("nan")], 2, "NaN"), ([b"bytes"], 0, "bytes"), ([3], 0, "int")],
)
def test_non_str_items_are_refused_with_their_index(tiny_model, bad, index, kind):
    with pytest.raises(InputTypeError, match=rf"X\[{index}\].*{kind}"):
        tiny_model.predict_proba(bad)


def test_numpy_and_pandas_inputs_are_accepted(tiny_model):
    pd = pytest.importorskip("pandas")
    expected = tiny_model.predict(PROBES)
    assert list(tiny_model.predict(np.array(PROBES, dtype=object))) == list(expected)
    assert list(tiny_model.predict(pd.Series(PROBES))) == list(expected)


def test_two_dimensional_input_is_refused(tiny_model):
    with pytest.raises(InputTypeError, match="one-dimensional"):
        tiny_model.predict(np.array([["a", "b"]]))


def test_fit_refuses_mismatched_or_single_class_labels():
    with pytest.raises(InputValueError, match="one label per text"):
        EscalationClassifier().fit(["a b", "c d"], ["threat"])
    with pytest.raises(InputValueError, match="two different labels"):
        EscalationClassifier().fit(["a b", "c d"], ["threat", "threat"])
    with pytest.raises(InputTypeError, match=r"y\[1\]"):
        EscalationClassifier().fit(["a b", "c d"], ["threat", None])


def test_fit_on_texts_without_tokens_gives_a_clear_error():
    with pytest.raises(InputValueError, match="no n-gram features"):
        EscalationClassifier().fit(["", "!!"], ["threat", "neutral"])


def test_explain_refuses_non_str_and_bad_top(tiny_model):
    with pytest.raises(InputTypeError):
        tiny_model.explain(None)
    with pytest.raises(InputTypeError):
        tiny_model.explain("text", top=-1)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=8))
def test_any_texts_give_valid_deterministic_probabilities(tiny_model, batch):
    p = tiny_model.predict_proba(batch)
    assert p.shape == (len(batch), 4)
    if batch:
        assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1)
    assert np.array_equal(p, tiny_model.predict_proba(batch))


def test_neutral_bias_shifts_towards_neutral_and_stays_explained(tiny_data):
    texts, labels = tiny_data
    plain = EscalationClassifier().fit(texts, labels)
    biased = EscalationClassifier(neutral_bias=2.0).fit(texts, labels)
    column = list(plain.classes_).index("neutral")
    assert np.all(biased.predict_proba(PROBES)[:, column] > plain.predict_proba(PROBES)[:, column])
    explanation = biased.explain(PROBES[0], top=10_000)
    total = explanation.intercepts["neutral"] + sum(c.contribution for c in explanation.contributions["neutral"])
    assert math.isclose(total, explanation.scores["neutral"], abs_tol=1e-9)


@pytest.fixture(scope="module")
def char_model(tiny_data):
    return EscalationClassifier(char_ngrams=True).fit(*tiny_data)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=6))
def test_fast_features_equal_the_pipeline_exactly(char_model, batch):
    clf = char_model
    ours = clf._features(batch)
    theirs = clf.pipeline_.named_steps["features"].transform(batch).tocsr()
    assert (ours != theirs).nnz == 0
    assert np.array_equal(clf.decision_function(batch), clf.pipeline_.decision_function(batch))


def test_fast_features_cover_sublinear_and_plain_tf(tiny_data):
    texts, labels = tiny_data
    for sublinear in (True, False):
        clf = EscalationClassifier(char_ngrams=True, sublinear_tf=sublinear, word_ngram_range=(1, 3)).fit(texts, labels)
        ours, theirs = clf._features(PROBES * 3), clf.pipeline_.named_steps["features"].transform(PROBES * 3).tocsr()
        assert (ours != theirs).nnz == 0

