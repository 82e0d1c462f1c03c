"""Tests for escalation.evaluation: metric values on hand-checked cases, weights, calibration, the command."""

from __future__ import annotations

import json

import numpy as np
import pytest

from escalation.evaluation import evaluate_predictions, expected_calibration_error, format_report, main

TRUTH = ["threat", "threat", "neutral", "neutral", "deterrence", "conditional_retaliation"]
PRED = ["threat", "neutral", "neutral", "threat", "deterrence", "neutral"]


def test_per_class_scores_match_a_hand_count():
    m = evaluate_predictions(TRUTH, PRED)
    assert m.per_class["threat"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
    assert m.per_class["neutral"] == pytest.approx({"precision": 1 / 3, "recall": 0.5, "f1": 0.4, "support": 2})
    assert m.per_class["deterrence"]["f1"] == 1.0
    assert m.per_class["conditional_retaliation"]["f1"] == 0.0
    assert m.macro_f1 == pytest.approx((0.5 + 0.4 + 1.0 + 0.0) / 4)
    assert m.accuracy == pytest.approx(3 / 6)
    # escalation vs neutral: truth 4 escalation; predicted escalation on rows 0, 3, 4 (2 right)
    assert m.escalation_f1 == pytest.approx(2 * (2 / 3) * (2 / 4) / ((2 / 3) + (2 / 4)))
    assert m.labels == ["threat", "conditional_retaliation", "deterrence", "neutral"]
    assert m.confusion == [[1, 0, 0, 1], [0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 1]]


def test_weights_equal_duplicated_rows():
    weighted = evaluate_predictions(TRUTH, PRED, sample_weight=[2, 1, 1, 1, 1, 3])
    duplicated = evaluate_predictions(TRUTH + ["threat", "conditional_retaliation", "conditional_retaliation"],
                                      PRED + ["threat", "neutral", "neutral"])
    assert weighted.macro_f1 == pytest.approx(duplicated.macro_f1)
    assert weighted.escalation_f1 == pytest.approx(duplicated.escalation_f1)
    assert weighted.weighted and not duplicated.weighted


def test_ece_is_zero_when_confidence_matches_accuracy_and_measures_overconfidence():
    # 10 rows at confidence 0.8, 8 of them right: calibrated.
    p = np.tile([0.8, 0.2], (10, 1))
    truth = np.array([0] * 8 + [1] * 2)
    assert expected_calibration_error(p, truth) == pytest.approx(0.0)
    # Same confidence, only half right: ECE = |0.5 - 0.8|.
    assert expected_calibration_error(p, np.array([0] * 5 + [1] * 5)) == pytest.approx(0.3)


def test_brier_of_a_perfect_and_a_uniform_forecast():
    classes = ["neutral", "threat"]
    perfect = evaluate_predictions(["neutral", "threat"], ["neutral", "threat"], np.eye(2), classes)
    uniform = evaluate_predictions(["neutral", "threat"], ["neutral", "neutral"], np.full((2, 2), 0.5), classes)
    assert perfect.brier == pytest.approx(0.0) and uniform.brier == pytest.approx(0.5)


def test_report_prints_every_set_with_its_figures():
    report = {"corpus_test": evaluate_predictions(TRUTH, PRED).to_dict()}
    text = format_report(report)
    assert "(a) written corpus, test split: n = 6" in text and "macro-F1 0.475" in text


def test_evaluate_command_on_own_data(saved_tiny_model, tmp_path, capsys):
    data = tmp_path / "eval.jsonl"
    rows = [{"text": "We will strike them hard.", "label": "threat", "split": "test"},
            {"text": "The conference opened in Rome.", "label": "neutral", "split": "test"}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code = main(["--model", str(saved_tiny_model), "--trust-model", "--data", str(data),
                 "--corpora-dir", str(tmp_path / "absent"), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    report = json.loads(captured.out)
    assert report["data_test"]["n"] == 2
    assert "seed_clear" in report and "seed_all" in report
    assert "corpora directory" in captured.err and "skipping" in captured.err
