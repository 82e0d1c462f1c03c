"""Tests for escalation.plot: every picture draws, is labelled, and keeps the label colours."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.colors import to_hex  # noqa: E402

from escalation import analyze  # noqa: E402
from escalation.evaluation import evaluate_predictions  # noqa: E402
from escalation.labels import LABEL_COLORS, LABELS  # noqa: E402
from escalation.plot import (  # noqa: E402
    plot_coefficients,
    plot_confusion,
    plot_probabilities,
    plot_profile,
    plot_reliability,
)
from escalation.scoring import iter_scores, profile  # noqa: E402

ARTICLE = "Talks resumed. If they attack, we will respond. Our forces stand ready. They will regret it."


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_probability_bars_stack_to_one_in_label_colours(tiny_model):
    analysis = analyze(ARTICLE, model=tiny_model)
    ax = plot_probabilities(analysis)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.patches) == len(analysis) * len(LABELS)
    colours = {to_hex(p.get_facecolor()).upper() for p in ax.patches}
    assert colours == {c.upper() for c in LABEL_COLORS.values()}
    tops = {}
    for patch in ax.patches:
        x = round(patch.get_x(), 3)
        tops[x] = max(tops.get(x, 0), patch.get_y() + patch.get_height())
    assert all(abs(top - 1) < 1e-9 for top in tops.values())


def test_confusion_heatmap_shows_counts():
    metrics = evaluate_predictions(["threat", "neutral", "neutral"], ["threat", "threat", "neutral"])
    ax = plot_confusion(metrics)
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "1", "1"]


def test_reliability_diagram_has_a_point_per_nonempty_bin():
    probabilities = np.array([[0.9, 0.1], [0.85, 0.15], [0.55, 0.45], [0.6, 0.4]])
    ax = plot_reliability(probabilities, ["neutral", "threat", "neutral", "neutral"], ["neutral", "threat"])
    model_line = ax.lines[1]
    assert len(model_line.get_xdata()) == 2  # bins (0.5, 0.6] and (0.8, 0.9]: right edges are inclusive
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_coefficient_plot_has_a_panel_per_label(tiny_model):
    fig = plot_coefficients(tiny_model, top=4)
    assert len(fig.axes) == 4
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() == "coefficient" and len(ax.patches) == 4


def test_profile_per_month_and_its_plot(tiny_model):
    docs = [{"id": "a", "date": "2024-01-03", "text": ARTICLE}, {"id": "b", "date": "2024-02-10", "text": ARTICLE},
            {"id": "c", "date": None, "text": "Talks resumed."}]
    records = list(iter_scores(docs, model=tiny_model))
    monthly = profile(records, by="month")
    assert [str(p) for p in monthly["period"]] == ["2024-01", "2024-02"]
    assert (monthly["sentences"] == 4).all()
    shares = monthly[[f"share_{label}" for label in LABELS]].sum(axis=1)
    assert np.allclose(shares, 1)
    per_doc = profile(records, by="doc_id")
    assert list(per_doc["doc_id"]) == ["a", "b", "c"]
    ax = plot_profile(monthly)
    assert ax.get_title() and len(ax.lines) == 3
