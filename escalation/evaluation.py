"""Evaluation: metrics, the three evaluation sets, and ``escalation evaluate``.

:func:`evaluate_predictions` computes per-class precision, recall and F1, macro-F1,
the confusion matrix, escalation-vs-neutral F1, expected calibration error (ECE,
10 bins) and the Brier score, optionally with sample weights.

``escalation evaluate`` reports a model on:

(a) the written corpus' test split;
(b) the seed article, on its clear sentences and on all of them;
(c) the real-text dev references (hydrated from the corpora directory), unweighted
    and weighted by their sampling weights; skipped with a message when the
    directory is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from escalation.labels import ESCALATION_LABELS, LABELS

__all__ = ["Metrics", "evaluate_model", "evaluate_predictions", "expected_calibration_error", "main"]


@dataclass(frozen=True)
class Metrics:
    """Scores of one model on one labelled set.

    Attributes
    ----------
    n : int
        Number of sentences.
    per_class : dict
        For each label: ``precision``, ``recall``, ``f1`` and ``support``.
    macro_f1 : float
        Unweighted mean of the per-class F1 over the labels present in the truth or
        the predictions.
    escalation_f1 : float
        F1 of "any escalation label" against ``neutral``.
    accuracy : float
    confusion : list of list of int
        Rows are true labels, columns predicted labels, both in ``labels`` order.
    labels : list of str
    ece : float or None
        Expected calibration error over 10 equal-width confidence bins.
    brier : float or None
        Multi-class Brier score (mean squared error of the probability vector).
    weighted : bool
        Whether sample weights were applied.
    """

    n: int
    per_class: dict[str, dict[str, float]]
    macro_f1: float
    escalation_f1: float
    accuracy: float
    confusion: list[list[float]]
    labels: list[str]
    ece: float | None
    brier: float | None
    weighted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def expected_calibration_error(
    probabilities: np.ndarray, truth_index: np.ndarray, *, bins: int = 10, sample_weight: np.ndarray | None = None
) -> float:
    """ECE: the weighted mean gap between confidence and accuracy over equal-width bins."""
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == truth_index).astype(float)
    weight = np.ones(len(confidence)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = weight.sum()
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            w = weight[mask]
            ece += w.sum() / total * abs(np.average(correct[mask], weights=w) - np.average(confidence[mask], weights=w))
    return float(ece)


def evaluate_predictions(
    truth: Sequence[str],
    predicted: Sequence[str],
    probabilities: np.ndarray | None = None,
    classes: Sequence[str] | None = None,
    *,
    sample_weight: Sequence[float] | None = None,
) -> Metrics:
    """Score predictions against the truth.

    Parameters
    ----------
    truth, predicted : sequence of str
    probabilities : ndarray, optional
        ``(n, len(classes))`` predicted probabilities, for ECE and Brier.
    classes : sequence of str, optional
        Column order of ``probabilities``.
    sample_weight : sequence of float, optional
        Weights (e.g. sampling weights of real-text references).
    """
    truth = [str(t) for t in truth]
    predicted = [str(p) for p in predicted]
    weight = np.ones(len(truth)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    present = [label for label in LABELS if label in truth or label in predicted]
    present += sorted((set(truth) | set(predicted)) - set(present))
    index = {label: i for i, label in enumerate(present)}
    confusion = np.zeros((len(present), len(present)))
    for t, p, w in zip(truth, predicted, weight):
        confusion[index[t], index[p]] += w
    per_class = {}
    for label, i in index.items():
        tp = confusion[i, i]
        precision = tp / confusion[:, i].sum() if confusion[:, i].sum() else 0.0
        recall = tp / confusion[i, :].sum() if confusion[i, :].sum() else 0.0
        per_class[label] = {"precision": float(precision), "recall": float(recall),
                            "f1": float(_f1(precision, recall)), "support": float(confusion[i, :].sum())}
    macro = float(np.mean([per_class[label]["f1"] for label in present])) if present else 0.0
    true_escalation = np.array([t in ESCALATION_LABELS for t in truth])
    predicted_escalation = np.array([p in ESCALATION_LABELS for p in predicted])
    tp = weight[true_escalation & predicted_escalation].sum()
    precision = tp / weight[predicted_escalation].sum() if predicted_escalation.any() else 0.0
    recall = tp / weight[true_escalation].sum() if true_escalation.any() else 0.0
    accuracy = float(np.trace(confusion) / confusion.sum()) if confusion.sum() else 0.0
    ece = brier = None
    if probabilities is not None and classes is not None and len(truth):
        columns = [str(c) for c in classes]
        truth_index = np.array([columns.index(t) if t in columns else -1 for t in truth])
        ece = expected_calibration_error(probabilities, truth_index, sample_weight=weight)
        onehot = np.zeros_like(probabilities)
        known = truth_index >= 0
        onehot[np.arange(len(truth))[known], truth_index[known]] = 1.0
        brier = float(np.average(((probabilities - onehot) ** 2).sum(axis=1), weights=weight))
    as_int = sample_weight is None
    return Metrics(
        n=len(truth),
        per_class=per_class,
        macro_f1=macro,
        escalation_f1=float(_f1(precision, recall)),
        accuracy=accuracy,
        confusion=[[int(v) if as_int else round(float(v), 3) for v in row] for row in confusion],
        labels=present,
        ece=ece,
        brier=brier,
        weighted=sample_weight is not None,
    )


def evaluate_model(model: Any, texts: Sequence[str], truth: Sequence[str], *,
                   sample_weight: Sequence[float] | None = None) -> tuple[Metrics, list[str], np.ndarray]:
    """Predict with ``model`` and score; returns the metrics, predictions and probabilities."""
    probabilities = model.predict_proba(list(texts))
    predicted = [str(c) for c in np.asarray(model.classes_)[probabilities.argmax(axis=1)]] if len(texts) else []
    metrics = evaluate_predictions(truth, predicted, probabilities, model.classes_, sample_weight=sample_weight)
    return metrics, predicted, probabilities


# -- the evaluation sets ---------------------------------------------------------------------


def seed_sets(seeds_dir: Path) -> dict[str, tuple[list[str], list[str]]]:
    """The seed article's sentences and labels: all of them, and the clear ones."""
    annotated = [json.loads(line) for line in (seeds_dir / "000_ee3c1f37d37bb9fd.labels.jsonl").open(encoding="utf-8")]
    everything = ([a["text"] for a in annotated], [a["label"] for a in annotated])
    clear = [a for a in annotated if a["confidence"] == "clear"]
    return {"seed_clear": ([a["text"] for a in clear], [a["label"] for a in clear]), "seed_all": everything}


def default_seeds_dir() -> Path | None:
    from escalation._resources import source_root

    root = source_root()
    return root / "seeds" if root is not None and (root / "seeds").is_dir() else None


def run_evaluations(
    model: Any,
    *,
    data: str | None = None,
    references: str | None = None,
    corpora_dir: str | None = None,
    seeds_dir: str | Path | None = None,
    log=print,
) -> dict[str, Any]:
    """Evaluate ``model`` on every available set; return ``{name: metrics dict}``."""
    from escalation.corpus import load_corpus, read_labelled

    report: dict[str, Any] = {}
    if data is None:
        test = load_corpus("test")
        texts, truth, name = [r.text for r in test], [r.label for r in test], "corpus_test"
    else:
        labelled = read_labelled(data)
        texts, truth = labelled.subset("test")[:2]
        name = "data_test"
        if not texts:
            texts, truth = list(labelled.texts), list(labelled.labels)
            name = "data_all"
    report[name] = evaluate_model(model, texts, truth)[0].to_dict()

    seeds = Path(seeds_dir) if seeds_dir is not None else default_seeds_dir()
    if seeds is not None and seeds.is_dir():
        for set_name, (seed_texts, seed_truth) in seed_sets(seeds).items():
            metrics, predicted, _ = evaluate_model(model, seed_texts, seed_truth)
            entry = metrics.to_dict()
            entry["errors"] = [{"text": t, "truth": y, "predicted": p}
                               for t, y, p in zip(seed_texts, seed_truth, predicted) if y != p]
            report[set_name] = entry
    else:
        log("escalation: seed article not found (seeds/ is in the source checkout only); skipping it")

    from escalation.errors import ReferenceHydrationError
    from escalation.references import default_corpora_dir, hydrate, load_references

    root = Path(corpora_dir) if corpora_dir is not None else default_corpora_dir()
    if not root.is_dir():
        log(f"escalation: corpora directory {root} not found; skipping the real-text references "
            "(pass --corpora-dir)")
        return report
    try:
        dev = hydrate(load_references(references, split="dev"), root)
    except ReferenceHydrationError as error:
        log(f"escalation: cannot hydrate the real-text references: {error}")
        raise
    ref_texts = [text for _, text in dev]
    ref_truth = [r.label for r, _ in dev]
    weights = [r.weight for r, _ in dev]
    report["references_dev"] = evaluate_model(model, ref_texts, ref_truth)[0].to_dict()
    report["references_dev_weighted"] = evaluate_model(model, ref_texts, ref_truth, sample_weight=weights)[0].to_dict()
    return report


# -- printing ----------------------------------------------------------------------------------

_TITLES = {
    "corpus_test": "(a) written corpus, test split",
    "data_test": "(a) --data, test split",
    "data_all": "(a) --data, all rows (no test split given)",
    "seed_clear": "(b) seed article, clear sentences",
    "seed_all": "(b) seed article, all sentences",
    "references_dev": "(c) real-text dev references, unweighted",
    "references_dev_weighted": "(c) real-text dev references, weighted by sampling weight",
}


def format_report(report: dict[str, Any]) -> str:
    """The evaluation report as plain text."""
    lines = []
    for name, m in report.items():
        if not isinstance(m, dict) or "macro_f1" not in m:
            continue
        lines.append(f"== {_TITLES.get(name, name)}: n = {m['n']}")
        ece = "n/a" if m["ece"] is None else f"{m['ece']:.3f}"
        brier = "n/a" if m["brier"] is None else f"{m['brier']:.3f}"
        lines.append(f"macro-F1 {m['macro_f1']:.3f}   escalation-vs-neutral F1 {m['escalation_f1']:.3f}   "
                     f"accuracy {m['accuracy']:.3f}   ECE {ece}   Brier {brier}")
        lines.append(f"  {'label':<24} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
        for label, c in m["per_class"].items():
            support = f"{c['support']:.0f}" if not m.get("weighted") else f"{c['support']:.1f}"
            lines.append(f"  {label:<24} {c['precision']:9.3f} {c['recall']:7.3f} {c['f1']:6.3f} {support:>8}")
        short = {"threat": "thr", "conditional_retaliation": "cond", "deterrence": "det", "neutral": "neu"}
        header = " ".join(f"{short.get(label, label[:5]):>7}" for label in m["labels"])
        lines.append(f"  confusion (rows: truth, columns: predicted)\n  {'':<8}{header}")
        for label, row in zip(m["labels"], m["confusion"]):
            lines.append(f"  {short.get(label, label[:5]):<8}" + " ".join(f"{v:>7}" for v in row))
        for error in m.get("errors", []):
            lines.append(f"  miss: {error['truth']} predicted as {error['predicted']}: {error['text'][:100]}")
        lines.append("")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="escalation evaluate",
        description="Report a model on the written test split, the seed article and the real-text dev references.",
    )
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--trust-model", action="store_true",
                        help="unpickle a .joblib model the package does not ship (runs its code)")
    parser.add_argument("--data", help="labelled JSONL/CSV to evaluate on instead of the corpus test split")
    parser.add_argument("--references", help="references file (default: the packaged one)")
    parser.add_argument("--corpora-dir", help="directory of the real-text corpora (default: ../shared/corpora)")
    parser.add_argument("--seeds-dir", help="directory of the seed article (default: seeds/ of the checkout)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``escalation evaluate``; returns the exit status."""
    from escalation.cli import run_command

    return run_command(build_parser(), argv, _evaluate)


def _evaluate(args: argparse.Namespace) -> int:
    from escalation.persistence import load_model

    model = load_model(args.model, trusted=args.trust_model) if args.model else load_model()
    report = run_evaluations(model, data=args.data, references=args.references, corpora_dir=args.corpora_dir,
                             seeds_dir=args.seeds_dir, log=lambda message: print(message, file=sys.stderr))
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def card_metrics_markdown(card: dict[str, Any]) -> str:
    """The figures of a model card as Markdown: data, configuration, cross-validation, the evaluations.

    ``models/MODEL_CARD.md`` embeds this text between ``<!-- metrics:begin -->`` and
    ``<!-- metrics:end -->``; a test checks that it matches the card.
    """
    lines = [f"Model `{card['name']}`, created {card['created']}, sha256 `{card['sha256']}`.", ""]
    data = card.get("data", {})
    lines += ["**Training data** (sha256 of the hydrated training rows: "
              f"`{card.get('training_data_sha256', 'n/a')}`)", ""]
    lines += ["| source | rows | threat | conditional | deterrence | neutral |", "|---|---|---|---|---|---|"]
    for origin, info in data.items():
        counts = info.get("labels", {})
        lines.append(f"| {origin}: {info.get('source', info.get('references', ''))} ({info.get('split', '')}) | "
                     f"{info['n']} | " + " | ".join(str(counts.get(label, 0)) for label in LABELS) + " |")
    for corpus, info in data.get("real", {}).get("corpora", {}).items():
        lines.append(f"| &nbsp;&nbsp;of which {corpus}: {info['source']} | {info['n']} | | | | |")
    training = card.get("training", {})
    lines += ["", "**Configuration**: " + ", ".join(f"`{k}={v}`" for k, v in card["hyperparameters"].items()
                                                    if k not in ("max_iter", "char_ngram_range") or
                                                    card["hyperparameters"].get("char_ngrams"))
              + (f", `reference_weight={training['reference_weight']}`" if "reference_weight" in training else "")
              + f", temperature {card.get('temperature', 1.0):.3f}.", ""]
    if training.get("cv"):
        lines.append(f"**Cross-validation** ({training.get('cv_folds')}-fold, grouped by idea or document, training "
                     "rows only; " + ("configuration chosen by coordinate search" if training.get("search")
                                      else "no search") + "):")
        lines.append("")
        lines += ["| rows | macro-F1 | escalation F1 | ECE | Brier |", "|---|---|---|---|---|"]
        for origin, scores in training["cv"].items():
            lines.append(f"| {origin} | {scores['macro_f1']:.3f} | {scores['escalation_f1']:.3f} | "
                         f"{scores['ece']:.3f} | {scores['brier']:.3f} |")
        calibration = training.get("calibration", {})
        if calibration:
            before = calibration["before"]
            text = f"Out-of-fold calibration: ECE {before['ece']:.3f}, Brier {before['brier']:.3f}"
            if calibration.get("calibrated"):
                after = calibration["after"]
                text += (f"; above {calibration['ece_limit']}, so a temperature of {calibration['temperature']:.3f} "
                         f"was fitted: ECE {after['ece']:.3f}, Brier {after['brier']:.3f}.")
            else:
                text += f" (at most {calibration['ece_limit']}: no calibration)."
            lines += ["", text]
        if "duration_seconds" in training:
            lines += ["", f"Training took {training['duration_seconds']:.0f} s (search, cross-validation, "
                          "calibration and evaluation included)."]
    metrics = card.get("metrics", {})
    if metrics:
        lines += ["", "**Evaluation**", "",
                  "| set | n | accuracy | macro-F1 | escalation F1 | F1 threat | F1 conditional | F1 deterrence | "
                  "F1 neutral | ECE |", "|---|---|---|---|---|---|---|---|---|---|"]
        for name, m in metrics.items():
            per = [m["per_class"].get(label, {}).get("f1") for label in LABELS]
            cells = " | ".join("–" if v is None else f"{v:.3f}" for v in per)
            ece = "–" if m["ece"] is None else f"{m['ece']:.3f}"
            lines.append(f"| {_TITLES.get(name, name)} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | "
                         f"{m['escalation_f1']:.3f} | {cells} | {ece} |")
    return "\n".join(lines) + "\n"
