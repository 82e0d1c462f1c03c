"""Pictures for notebooks: probabilities, confusion, calibration, coefficients, profiles over time.

Every function draws on a matplotlib ``Axes`` (a new figure when ``ax`` is None)
and returns it. Matplotlib is imported only when a function is called
(``pip install 'escalation[notebooks]'``). Each label keeps the colour of
:data:`escalation.labels.LABEL_COLORS` everywhere, the same as in the HTML view
of an analysis; the palette is Okabe-Ito, chosen for colour-blind readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from escalation.labels import LABEL_COLORS, LABELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_coefficients",
    "plot_confusion",
    "plot_probabilities",
    "plot_profile",
    "plot_reliability",
]

_SHORT = {"threat": "threat", "conditional_retaliation": "conditional", "deterrence": "deterrence",
          "neutral": "neutral"}


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def plot_probabilities(analysis: Any, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Stacked bars of each sentence's label probabilities, in text order.

    Parameters
    ----------
    analysis : ArticleAnalysis
        The result of :func:`escalation.analyze`.
    """
    ax = _axes(ax, (max(6.0, 0.45 * len(analysis) + 2), 3.8))
    index = np.arange(len(analysis))
    bottom = np.zeros(len(analysis))
    for label in LABELS:
        values = np.array([s.probabilities.get(label, 0.0) for s in analysis])
        ax.bar(index, values, bottom=bottom, color=LABEL_COLORS[label], label=_SHORT[label], width=0.8)
        bottom += values
    ax.set_xticks(index, [str(i) for i in index])
    ax.set_xlim(-0.6, max(len(analysis) - 0.4, 0.6))
    ax.set_ylim(0, 1)
    ax.set_xlabel("sentence (index in the text)")
    ax.set_ylabel("probability")
    ax.set_title(title or "Label probabilities per sentence")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return ax


def plot_confusion(metrics: Any, *, ax: Axes | None = None, normalize: bool = True, title: str | None = None) -> Axes:
    """Confusion-matrix heatmap (rows: truth, columns: predicted).

    Parameters
    ----------
    metrics : Metrics or dict
        From :func:`escalation.evaluation.evaluate_predictions` (or its ``to_dict()``).
    normalize : bool, default=True
        Colour by the share of each true label; the cells still show counts.
    """
    m = metrics if isinstance(metrics, dict) else metrics.to_dict()
    counts = np.asarray(m["confusion"], dtype=float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1e-12) if normalize else counts
    ax = _axes(ax, (5.2, 4.4))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    names = [_SHORT.get(label, label) for label in m["labels"]]
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
    ax.set_yticks(range(len(names)), names)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            value = counts[i, j]
            text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
            ax.text(j, i, text, ha="center", va="center", color="white" if shares[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title(title or "Confusion matrix")
    ax.figure.colorbar(image, ax=ax, label="share of the true label" if normalize else "count")
    return ax


def plot_reliability(
    probabilities: np.ndarray, truth: Sequence[str], classes: Sequence[str], *, bins: int = 10,
    ax: Axes | None = None, title: str | None = None,
) -> Axes:
    """Reliability diagram: accuracy against confidence of the predicted label, per bin."""
    classes = [str(c) for c in classes]
    confidence = probabilities.max(axis=1)
    correct = np.array([classes[k] == t for k, t in zip(probabilities.argmax(axis=1), truth)], dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    centers, accuracy, counts = [], [], []
    for b in range(bins):
        mask = which == b
        if mask.any():
            centers.append(confidence[mask].mean())
            accuracy.append(correct[mask].mean())
            counts.append(int(mask.sum()))
    ax = _axes(ax, (4.8, 4.4))
    ax.plot([0, 1], [0, 1], linestyle="--", color="#555555", label="perfect calibration")
    ax.plot(centers, accuracy, marker="o", color=LABEL_COLORS["deterrence"], label="model")
    for x, y, n in zip(centers, accuracy, counts):
        ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("confidence of the predicted label")
    ax.set_ylabel("accuracy")
    ax.set_title(title or "Reliability diagram (numbers: sentences per bin)")
    ax.legend(loc="upper left", frameon=False)
    return ax


def plot_coefficients(model: Any, *, top: int = 12, kind: str = "word", fig: Any = None) -> Any:
    """The strongest positive n-gram coefficients of each label, one panel per label.

    Parameters
    ----------
    model : EscalationClassifier
        A fitted model.
    top : int, default=12
        N-grams per label.
    kind : {"word", "char"}
        Which features to show.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    coef, _ = model._linear_terms()
    names, kinds = model._feature_names()
    keep = np.flatnonzero(kinds == kind)
    labels = [str(c) for c in model.classes_]
    ordered = [label for label in LABELS if label in labels]
    if fig is None:
        fig = plt.figure(figsize=(3.4 * len(ordered), 0.32 * top + 1.4))
    axes = fig.subplots(1, len(ordered), squeeze=False)[0]
    for ax, label in zip(axes, ordered):
        row = coef[labels.index(label), keep]
        best = np.argsort(-row)[:top][::-1]
        ax.barh(range(len(best)), row[best], color=LABEL_COLORS.get(label, "#999999"))
        ax.set_yticks(range(len(best)), [str(names[keep[i]]) for i in best], fontsize=8)
        ax.set_title(_SHORT.get(label, label))
        ax.set_xlabel("coefficient")
    fig.suptitle(f"Strongest {kind} n-grams per label")
    fig.tight_layout()
    return fig


def plot_profile(frame: Any, *, value: str = "share", ax: Axes | None = None, title: str | None = None) -> Axes:
    """Escalation profile over time: one line per label.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`escalation.scoring.profile` with ``by="month"``: a ``period`` column
        and ``n_<label>`` / ``share_<label>`` columns.
    value : {"share", "n"}
        Plot shares of sentences or counts.
    """
    ax = _axes(ax, (8.0, 3.8))
    x = [str(p) for p in frame["period"]]
    for label in LABELS:
        column = f"{value}_{label}"
        if column in frame and (label != "neutral" or value == "n"):
            ax.plot(x, frame[column], marker="o", color=LABEL_COLORS[label], label=_SHORT[label])
    ax.set_xlabel("month")
    ax.set_ylabel("share of sentences" if value == "share" else "sentences")
    ax.set_title(title or ("Escalation rhetoric per month" + (" (share of all sentences)" if value == "share" else "")))
    ax.tick_params(axis="x", rotation=45)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return ax
