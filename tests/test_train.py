"""Tests for escalation.train: validation, determinism, overwrite protection, interruption, fallbacks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from escalation import load_model
from escalation.persistence import card_path
from escalation.train import main

from conftest import TINY_DATA

EXTRA = [
    ("They will pay dearly for this attack on our embassy.", "threat"),
    ("If the convoy enters our waters, our navy will sink it.", "conditional_retaliation"),
    ("Our missile brigades remain on high alert along the coast.", "deterrence"),
    ("The ministers signed a memorandum on student exchanges.", "neutral"),
]


@pytest.fixture()
def data_file(tmp_path):
    path = tmp_path / "data.jsonl"
    rows = [{"text": t, "label": y} for t, y in TINY_DATA + EXTRA]
    rows.append({"text": "Talks will resume in Vienna next week.", "label": "neutral", "split": "test"})
    rows.append({"text": "Any incursion will be met with fire.", "label": "conditional_retaliation", "split": "test"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def train(data_file, output, *extra):
    return main(["--data", str(data_file), "--output", str(output), "--no-evaluate", *extra])


PROBES = ["If they attack, we will strike back.", "The delegation visited a museum.", "We stand ready."]


def test_training_writes_a_model_with_its_card(data_file, tmp_path, capsys):
    output = tmp_path / "m.joblib"
    assert train(data_file, output) == 0
    card = json.loads(card_path(output).read_text())
    assert card["data"]["written"]["n"] == len(TINY_DATA) + len(EXTRA)
    assert len(card["training_data_sha256"]) == 64
    assert set(card["training"]["cv"]["written"]) >= {"macro_f1", "ece", "brier"}
    assert "calibrated" in card["training"]["calibration"]
    assert "written corpus ALONE" in capsys.readouterr().err
    load_model(output, trusted=True).predict(PROBES)


def test_same_data_and_options_give_the_same_model(data_file, tmp_path):
    a, b = tmp_path / "a.joblib", tmp_path / "b.joblib"
    assert train(data_file, a, "--seed", "3") == 0 and train(data_file, b, "--seed", "3") == 0
    pa = load_model(a, trusted=True).predict_proba(PROBES)
    pb = load_model(b, trusted=True).predict_proba(PROBES)
    assert np.max(np.abs(pa - pb)) <= 1e-12
    assert json.loads(card_path(a).read_text())["training_data_sha256"] == \
        json.loads(card_path(b).read_text())["training_data_sha256"]


def test_search_records_the_candidates(data_file, tmp_path):
    output = tmp_path / "s.joblib"
    assert train(data_file, output, "--search", "--search-size", "3") == 0
    training = json.loads(card_path(output).read_text())["training"]
    assert training["search"] is True and len(training["search_results"]) == 3
    scores = [r["selection_score"] for r in training["search_results"]]
    assert scores == sorted(scores, reverse=True)


def test_existing_model_is_kept_without_force(data_file, tmp_path, capsys):
    output = tmp_path / "m.joblib"
    assert train(data_file, output) == 0
    before = output.read_bytes()
    assert train(data_file, output) == 1
    assert "exists" in capsys.readouterr().err
    assert output.read_bytes() == before
    assert train(data_file, output, "--force") == 0


def test_interrupted_training_leaves_the_old_model_intact(data_file, tmp_path, monkeypatch):
    output = tmp_path / "m.joblib"
    assert train(data_file, output) == 0
    before, before_card = output.read_bytes(), card_path(output).read_bytes()

    import escalation.model as model_module

    def interrupted_fit(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model_module.EscalationClassifier, "fit", interrupted_fit)
    assert train(data_file, output, "--force") == 130
    assert output.read_bytes() == before and card_path(output).read_bytes() == before_card
    assert not list(tmp_path.glob("*.tmp"))


def test_failed_save_leaves_the_old_model_intact(data_file, tmp_path, monkeypatch):
    output = tmp_path / "m.joblib"
    assert train(data_file, output) == 0
    before = output.read_bytes()
    import joblib

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(joblib, "dump", full_disk)
    assert train(data_file, output, "--force") == 1
    assert output.read_bytes() == before


def test_unknown_labels_and_conflicts_are_listed_with_their_lines(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    rows = [{"text": t, "label": y} for t, y in TINY_DATA]
    rows.append({"text": "A new label appears.", "label": "warning"})
    rows.append({"text": TINY_DATA[0][0], "label": "neutral"})
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert train(bad, tmp_path / "m.joblib") == 1
    err = capsys.readouterr().err
    assert f"bad.jsonl:{len(TINY_DATA) + 1}: unknown label 'warning'" in err
    assert f"bad.jsonl:{len(TINY_DATA) + 2}: same text as line 1" in err
    assert not (tmp_path / "m.joblib").exists()


def test_exact_duplicates_are_dropped_and_counted(tmp_path, capsys):
    path = tmp_path / "dups.jsonl"
    rows = [{"text": t, "label": y} for t, y in TINY_DATA + EXTRA] + [{"text": TINY_DATA[0][0].upper(),
                                                                      "label": TINY_DATA[0][1]}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert train(path, tmp_path / "m.joblib") == 0
    assert "dropped 1 exact duplicate" in capsys.readouterr().err


def test_missing_corpora_directory_is_a_clear_error(data_file, tmp_path, capsys):
    code = train(data_file, tmp_path / "m.joblib", "--corpora-dir", str(tmp_path / "nowhere"))
    assert code == 1
    err = capsys.readouterr().err
    assert "corpora directory" in err and "not found" in err
