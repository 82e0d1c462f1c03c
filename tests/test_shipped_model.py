"""The shipped model: integrity, the seed article, hostile text, and reproduction from the committed data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import escalation
from escalation import load_model, split_sentences
from escalation._pins import PINNED_SHA256
from escalation._resources import default_model_path
from escalation.persistence import load_card, sha256_bytes
from escalation.references import default_corpora_dir

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPORA = default_corpora_dir()


@pytest.fixture(scope="module")
def shipped():
    return load_model()


@pytest.fixture(scope="module")
def seed():
    text = (SEEDS / "000_ee3c1f37d37bb9fd.txt").read_text(encoding="utf-8")
    labels = [json.loads(line) for line in (SEEDS / "000_ee3c1f37d37bb9fd.labels.jsonl").open(encoding="utf-8")]
    return text, labels


def test_the_shipped_model_is_pinned_and_matches_its_card(shipped):
    path = default_model_path()
    card = load_card(path)
    digest = sha256_bytes(path.read_bytes())
    assert card["sha256"] == digest == PINNED_SHA256[path.name]
    assert card["labels"] == sorted(escalation.LABELS)
    assert shipped.card_["name"] == "escalation-v1"
    for key in ("training_data_sha256", "hyperparameters", "metrics", "data", "training", "created"):
        assert key in card


def test_the_model_card_document_quotes_the_card(shipped):
    from escalation.evaluation import card_metrics_markdown

    document = (ROOT / "models" / "MODEL_CARD.md").read_text(encoding="utf-8")
    generated = document.split("<!-- metrics:begin -->", 1)[1].split("<!-- metrics:end -->", 1)[0].strip()
    assert generated == card_metrics_markdown(shipped.card_).strip()


def test_seed_article_results_are_the_ones_the_card_reports(shipped, seed):
    """Every clear neutral sentence stays neutral, and the card lists exactly the clear sentences the model misses.

    The target is every clear sentence right; the shipped model does not meet it (see MODEL_CARD.md). This test
    keeps the card honest: a new model that changes the seed results fails here until its card says so.
    """
    text, labels = seed
    analysis = escalation.analyze(text, model=shipped)
    assert [(s.start, s.end) for s in analysis] == [(a["start"], a["end"]) for a in labels]
    clear = [(s, a) for s, a in zip(analysis, labels) if a["confidence"] == "clear"]
    assert len(clear) == 9
    assert all(s.label == "neutral" for s, a in clear if a["label"] == "neutral")
    misses = sorted(a["text"] for s, a in clear if s.label != a["label"])
    reported = sorted(e["text"] for e in shipped.card_["metrics"]["seed_clear"]["errors"])
    assert misses == reported
    assert len(misses) <= 2


def test_seed_article_is_never_training_data(shipped, seed):
    from escalation.corpus import load_corpus, word_ngrams

    _, labels = seed
    seed_grams = set().union(*(word_ngrams(a["text"], 6) for a in labels))
    assert not [r.id for r in load_corpus() if word_ngrams(r.text, 6) & seed_grams]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t", "\x00\x01\x02 control", "zero\u200bwidth\u200d joiner", "\u202eevil bidi\u202c text.",
     "Emoji 🚀💥 strike! 🇺🇦", "." * 10_000, "word " * 2_000],
)
def test_hostile_text_gives_a_defined_result(shipped, text):
    analysis = escalation.analyze(text, model=shipped)
    assert len(analysis) == len(split_sentences(text))
    for result in analysis:
        assert text[result.start : result.end] == result.text
        assert sum(result.probabilities.values()) == pytest.approx(1.0)


@pytest.mark.slow
@pytest.mark.skipif(not CORPORA.is_dir(), reason=f"real-text corpora not found at {CORPORA}: cannot hydrate the "
                                                 "references the shipped model was trained on")
def test_retraining_with_the_committed_configuration_reproduces_the_shipped_model(shipped, tmp_path):
    from escalation.corpus import load_corpus
    from escalation.train import main

    output = tmp_path / "repro.joblib"
    code = main(["--config", str(default_model_path().with_suffix(".json")), "--corpora-dir", str(CORPORA),
                 "--output", str(output), "--no-evaluate"])
    assert code == 0
    card = load_card(output)
    assert card["training_data_sha256"] == shipped.card_["training_data_sha256"]
    retrained = load_model(output, trusted=True)
    probes = [r.text for r in load_corpus("test")][:500] + [a.text for a in split_sentences(
        (SEEDS / "000_ee3c1f37d37bb9fd.txt").read_text(encoding="utf-8"))]
    assert list(retrained.predict(probes)) == list(shipped.predict(probes))
    assert np.allclose(retrained.predict_proba(probes), shipped.predict_proba(probes), atol=1e-6)
