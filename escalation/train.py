"""The retraining script: ``escalation train`` or ``python -m escalation.train``.

It trains an :class:`~escalation.EscalationClassifier` on the packaged written
corpus (or on your own labelled JSONL/CSV with ``--data``), optionally together
with real-text references hydrated from a corpora directory, and saves the model
with its card.

- Only ``train`` rows are used: the written ``test`` split and the ``dev``
  references are for evaluation and never touch training or model selection.
- Model selection (``--search``) is grouped, stratified cross-validation on the
  training rows: written variations of one idea share a group, real sentences are
  grouped by document.
- Calibration: the expected calibration error (ECE, 10 bins) and Brier score of
  the out-of-fold probabilities are measured; if ECE exceeds 0.05 a softmax
  temperature is fitted (``calibrate=True``) and the figures after it are reported.
- The same data and options give the same model (every step is seeded).
- An existing model is replaced only with ``--force``, and it is replaced only when
  the new one is complete: an interrupted or failed run leaves it intact.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from escalation.errors import InputValueError
from escalation.labels import LABELS

__all__ = ["DEFAULT_PARAMS", "SEARCH_SPACE", "TrainingSet", "build_training_set", "coordinate_search", "cross_validate",
           "main"]

DEFAULT_PARAMS: dict[str, Any] = {
    "C": 10.0,
    "word_ngram_range": (1, 2),
    "char_ngrams": False,
    "sublinear_tf": True,
    "min_df": 1,
    "class_weight": "balanced",
    "neutral_bias": 0.0,
}
SEARCH_SPACE: dict[str, list[Any]] = {
    "C": [1.0, 3.0, 10.0, 30.0, 100.0],
    "word_ngram_range": [(1, 1), (1, 2), (1, 3)],
    "char_ngrams": [False, True],
    "sublinear_tf": [True, False],
    "min_df": [1, 2],
    "class_weight": ["balanced", None],
    "neutral_bias": [0.0, 1.0, 2.0],
}
REFERENCE_WEIGHTS = [1.0, 2.0, 4.0]
ECE_LIMIT = 0.05
SOURCES = {
    "kremlin-en": "President of Russia website, en.kremlin.ru, CC BY 4.0 (attribution: President of Russia website, "
                  "en.kremlin.ru)",
    "us-presidential-speeches": "US presidential speeches via the Miller Center (University of Virginia), "
                                "public domain (17 U.S.C. 105)",
}


@dataclass
class TrainingSet:
    """The rows a model is trained on, with where each came from."""

    texts: list[str]
    labels: list[str]
    groups: list[str]
    origins: list[str]  # "written" or "real"
    description: dict[str, Any] = field(default_factory=dict)

    def weights(self, reference_weight: float) -> np.ndarray:
        return np.array([reference_weight if o == "real" else 1.0 for o in self.origins])

    def sha256(self) -> str:
        """sha256 of the training rows (origin, label, text), in order."""
        digest = hashlib.sha256()
        for origin, label, text in zip(self.origins, self.labels, self.texts):
            digest.update(f"{origin}\t{label}\t{text}\n".encode())
        return digest.hexdigest()


def build_training_set(
    *,
    data: str | None = None,
    references: str | None = None,
    corpora_dir: str | None = None,
    sources: str = "both",
    log=print,
) -> TrainingSet:
    """Collect the training rows: written ``train`` rows, and hydrated ``train`` references.

    Parameters
    ----------
    data : path, optional
        Labelled JSONL/CSV; the packaged corpus by default.
    references : path, optional
        References file; the packaged one by default.
    corpora_dir : path, optional
        Where to hydrate references from. Without it, only written data is used.
    sources : {"both", "written", "real"}
        Which kinds of rows to use.
    """
    from escalation.corpus import load_corpus, read_labelled

    if sources not in ("both", "written", "real"):
        raise InputValueError(f"sources must be both, written or real, got {sources!r}")
    texts: list[str] = []
    labels: list[str] = []
    groups: list[str] = []
    origins: list[str] = []
    description: dict[str, Any] = {}
    if sources in ("both", "written"):
        if data is None:
            rows = load_corpus("train")
            texts += [r.text for r in rows]
            labels += [r.label for r in rows]
            groups += [f"written:{r.group}" for r in rows]
            description["written"] = {"source": "escalation/corpus/sentences.jsonl (packaged)", "split": "train",
                                      "n": len(rows), "labels": dict(Counter(r.label for r in rows))}
        else:
            labelled = read_labelled(data)
            if labelled.dropped_duplicates:
                log(f"escalation: dropped {labelled.dropped_duplicates} exact duplicate(s) from {data}")
            t, y, g = labelled.subset("train")
            texts += t
            labels += y
            groups += [f"written:{x}" for x in g]
            description["written"] = {"source": str(data), "split": "train", "n": len(t),
                                      "dropped_duplicates": labelled.dropped_duplicates, "labels": dict(Counter(y))}
        origins += ["written"] * len(texts)
    if sources in ("both", "real"):
        if corpora_dir is None:
            if sources == "real":
                raise InputValueError("sources='real' needs a corpora directory (--corpora-dir)")
            log("escalation: no --corpora-dir given: training on the written corpus ALONE, without the real-text "
                "references (the shipped model also learned from real text; see models/MODEL_CARD.md)")
        else:
            from escalation.errors import ReferenceHydrationError
            from escalation.references import hydrate, load_references

            if not Path(corpora_dir).is_dir():
                raise ReferenceHydrationError(f"corpora directory {corpora_dir} not found")
            hydrated = hydrate(load_references(references, split="train"), corpora_dir)
            texts += [text for _, text in hydrated]
            labels += [r.label for r, _ in hydrated]
            groups += [f"real:{r.corpus}/{r.doc_id}" for r, _ in hydrated]
            origins += ["real"] * len(hydrated)
            description["real"] = {
                "references": str(references or "escalation/references/references.jsonl (packaged)"),
                "split": "train",
                "n": len(hydrated),
                "labels": dict(Counter(r.label for r, _ in hydrated)),
                "corpora": {c: {"n": n, "source": SOURCES.get(c, c)}
                            for c, n in Counter(r.corpus for r, _ in hydrated).items()},
            }
    if not texts:
        raise InputValueError("no training rows")
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise InputValueError(f"unknown labels in the training rows: {unknown}")
    return TrainingSet(texts, labels, groups, origins, description)


# -- cross-validation and search ------------------------------------------------------------------


def _folds(training: TrainingSet, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedGroupKFold

    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(cv.split(training.texts, training.labels, training.groups))


def _fit_fold(params: dict[str, Any], reference_weight: float, training: TrainingSet, train: np.ndarray,
              test: np.ndarray) -> np.ndarray:
    from escalation.model import EscalationClassifier

    weights = training.weights(reference_weight)
    model = EscalationClassifier(**params).fit(
        [training.texts[i] for i in train], [training.labels[i] for i in train], sample_weight=weights[train]
    )
    probabilities = np.zeros((len(test), len(LABELS)))
    columns = [LABELS.index(c) for c in model.classes_]
    probabilities[:, columns] = model.predict_proba([training.texts[i] for i in test])
    return probabilities


def cross_validate(
    candidates: list[tuple[dict[str, Any], float]], training: TrainingSet, *, n_splits: int = 5, seed: int = 0,
    jobs: int = 1,
) -> list[dict[str, Any]]:
    """Grouped, stratified CV of each ``(params, reference_weight)``; out-of-fold scores per origin."""
    from joblib import Parallel, delayed

    from escalation.evaluation import evaluate_predictions

    folds = _folds(training, n_splits, seed)
    tasks = [(c, f) for c in range(len(candidates)) for f in range(len(folds))]
    outputs = Parallel(n_jobs=jobs)(
        delayed(_fit_fold)(candidates[c][0], candidates[c][1], training, *folds[f]) for c, f in tasks
    )
    results = []
    for c, (params, reference_weight) in enumerate(candidates):
        oof = np.zeros((len(training.texts), len(LABELS)))
        for (cc, f), probabilities in zip(tasks, outputs):
            if cc == c:
                oof[folds[f][1]] = probabilities
        predicted = [LABELS[i] for i in oof.argmax(axis=1)]
        scores: dict[str, Any] = {}
        for origin in sorted(set(training.origins)):
            keep = [i for i, o in enumerate(training.origins) if o == origin]
            m = evaluate_predictions([training.labels[i] for i in keep], [predicted[i] for i in keep],
                                     oof[keep], LABELS)
            scores[origin] = {"macro_f1": m.macro_f1, "escalation_f1": m.escalation_f1, "ece": m.ece,
                              "brier": m.brier}
        selection = float(np.mean([s["macro_f1"] for s in scores.values()]))
        results.append({"params": params, "reference_weight": reference_weight, "cv": scores,
                        "selection_score": selection, "oof": oof})
    return results


def coordinate_search(
    training: TrainingSet, *, with_references: bool, n_splits: int, seed: int, jobs: int, budget: int, log=print
) -> list[dict[str, Any]]:
    """Search the space one parameter at a time, starting from the defaults.

    For each parameter in turn, every value is cross-validated with the other
    parameters held at the best values so far, and the best is kept; rounds repeat
    until a round changes nothing or ``budget`` configurations have been tried.
    Returns every result, best first.
    """
    space = dict(SEARCH_SPACE)
    if with_references:
        space["reference_weight"] = REFERENCE_WEIGHTS
    best = {**DEFAULT_PARAMS, "reference_weight": 1.0}
    seen: dict[str, dict[str, Any]] = {}

    def key(config: dict[str, Any]) -> str:
        return json.dumps(_jsonable(config), sort_keys=True)

    def evaluate(configs: list[dict[str, Any]]) -> None:
        fresh = [c for c in configs if key(c) not in seen][: max(0, budget - len(seen))]
        if not fresh:
            return
        candidates = [({k: v for k, v in c.items() if k != "reference_weight"}, c["reference_weight"]) for c in fresh]
        for config, result in zip(fresh, cross_validate(candidates, training, n_splits=n_splits, seed=seed,
                                                         jobs=jobs)):
            seen[key(config)] = result

    evaluate([best])
    for round_ in range(3):
        changed = False
        for name, values in space.items():
            evaluate([{**best, name: value} for value in values])
            scored = [(seen[key({**best, name: v})]["selection_score"], i, v) for i, v in enumerate(values)
                      if key({**best, name: v}) in seen]
            top = max(scored, key=lambda t: (t[0], -t[1]))[2]
            if top != best[name]:
                best = {**best, name: top}
                changed = True
        log(f"escalation: search round {round_ + 1}: {len(seen)} configurations tried, best "
            f"{seen[key(best)]['selection_score']:.3f}")
        if not changed or len(seen) >= budget:
            break
    return sorted(seen.values(), key=lambda r: -r["selection_score"])


def _calibration_figures(oof: np.ndarray, labels: Sequence[str], temperature: float) -> dict[str, float]:
    from escalation.evaluation import evaluate_predictions
    from escalation.model import _softmax

    # Scaling log-probabilities by 1/T gives the same softmax as scaling the scores: the row constant cancels.
    scaled = _softmax(np.log(np.clip(oof, 1e-12, 1.0)) / temperature)
    m = evaluate_predictions(labels, [LABELS[i] for i in scaled.argmax(axis=1)], scaled, LABELS)
    return {"ece": m.ece, "brier": m.brier}


# -- the command ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="escalation train",
        description="Train an escalation model on the packaged corpus or your own labelled data.",
    )
    parser.add_argument("--data", help="labelled JSONL or CSV (text, label, optional split and group); "
                                       "default: the packaged corpus")
    parser.add_argument("--references", help="real-text references file (default: the packaged one)")
    parser.add_argument("--corpora-dir", help="directory of the real-text corpora to hydrate references from; "
                                              "without it, training uses written data alone")
    parser.add_argument("--sources", choices=("both", "written", "real"), default="both",
                        help="train on written data, real-text references, or both (default: both)")
    parser.add_argument("--output", default="models/escalation-retrained.joblib",
                        help="where to save the model (.joblib or .skops); default: %(default)s")
    parser.add_argument("--force", action="store_true", help="replace an existing model at --output")
    parser.add_argument("--search", action="store_true", help="hyper-parameter search by grouped cross-validation")
    parser.add_argument("--search-size", type=int, default=40,
                        help="most configurations tried by --search (default: 40)")
    parser.add_argument("--config", help="take hyper-parameters from a model card (.json), e.g. to reproduce the "
                                         "shipped model")
    parser.add_argument("--seed", type=int, default=0, help="seed of the search and the folds (default: 0)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes for cross-validation (default: 1)")
    parser.add_argument("--no-evaluate", action="store_true", help="skip the final evaluation")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the training script; return the exit status."""
    from escalation.cli import run_command

    argv = list(sys.argv[1:] if argv is None else argv)
    return run_command(build_parser(), argv, lambda args: _train(args, argv),
                       interrupted="escalation: interrupted; no model written, any existing model is intact")


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _train(args: argparse.Namespace, argv: list[str]) -> int:
    from escalation._atomic import check_writable
    from escalation.model import EscalationClassifier
    from escalation.persistence import card_path, save_model

    started = time.perf_counter()
    output = Path(args.output)
    for path in (output, card_path(output)):
        check_writable(path, overwrite=args.force)  # fail before the work, not after
    if args.search and args.config:
        raise InputValueError("--search and --config exclude each other")
    training = build_training_set(data=args.data, references=args.references, corpora_dir=args.corpora_dir,
                                  sources=args.sources, log=_log)
    counts = Counter(training.labels)
    _log(f"escalation: {len(training.texts)} training rows "
         f"({', '.join(f'{k} {v}' for k, v in sorted(Counter(training.origins).items()))}); labels {dict(counts)}")
    with_references = "real" in training.origins
    if args.config:
        card = json.loads(Path(args.config).read_text(encoding="utf-8"))
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in card["hyperparameters"].items()
                  if k in DEFAULT_PARAMS}
        candidates = [(params, float(card.get("training", {}).get("reference_weight", 1.0)))]
    else:
        candidates = [(dict(DEFAULT_PARAMS), 1.0)]
    n_splits = int(min(5, min(counts.values())))
    if n_splits < 2:
        raise InputValueError("every label needs at least two training rows for cross-validation")
    if args.search:
        _log(f"escalation: coordinate search over {', '.join(SEARCH_SPACE)}"
             + (", reference_weight" if with_references else "") + f" ({n_splits}-fold grouped CV) ...")
        ranked = coordinate_search(training, with_references=with_references, n_splits=n_splits, seed=args.seed,
                                   jobs=args.jobs, budget=args.search_size, log=_log)
    else:
        _log(f"escalation: cross-validating {len(candidates)} configuration(s) x {n_splits} folds ...")
        ranked = sorted(cross_validate(candidates, training, n_splits=n_splits, seed=args.seed, jobs=args.jobs),
                        key=lambda r: -r["selection_score"])
    best = ranked[0]
    for r in ranked[:5]:
        _log(f"  {r['selection_score']:.3f}  {_describe(r['params'], r['reference_weight'], with_references)}")
    params, reference_weight = best["params"], best["reference_weight"]

    ece_before = _calibration_figures(best["oof"], training.labels, 1.0)
    calibrate = ece_before["ece"] > ECE_LIMIT
    weights = training.weights(reference_weight)
    model = EscalationClassifier(**params, calibrate=calibrate).fit(
        training.texts, training.labels, sample_weight=weights, groups=training.groups
    )
    calibration = {"ece_limit": ECE_LIMIT, "before": ece_before, "calibrated": calibrate}
    if calibrate:
        calibration["temperature"] = model.temperature_
        calibration["after"] = _calibration_figures(best["oof"], training.labels, model.temperature_)
    _log(f"escalation: out-of-fold ECE {ece_before['ece']:.3f}, Brier {ece_before['brier']:.3f}"
         + (f"; temperature {model.temperature_:.2f} -> ECE {calibration['after']['ece']:.3f}, "
            f"Brier {calibration['after']['brier']:.3f}" if calibrate else " (no calibration needed)"))

    metrics: dict[str, Any] = {}
    if not args.no_evaluate:
        from escalation.evaluation import format_report, run_evaluations

        metrics = run_evaluations(model, data=args.data, references=args.references,
                                  corpora_dir=args.corpora_dir, log=_log)
        _log(format_report(metrics))
    duration = time.perf_counter() - started
    card = {
        "training_data_sha256": training.sha256(),
        "data": training.description,
        "training": {
            "command": " ".join(["escalation", "train", *argv]),
            "sources": args.sources if with_references else "written",
            "reference_weight": reference_weight,
            "seed": args.seed,
            "search": bool(args.search),
            "cv_folds": n_splits,
            "cv": best["cv"],
            "search_results": [
                {"params": _jsonable(r["params"]), "reference_weight": r["reference_weight"],
                 "selection_score": r["selection_score"], "cv": r["cv"]}
                for r in ranked[:10]
            ],
            "calibration": calibration,
            "duration_seconds": round(duration, 1),
        },
        "metrics": metrics,
    }
    save_model(model, output, overwrite=args.force, card=card)
    _log(f"escalation: saved {output} and {card_path(output)} in {duration:.0f} s")
    return 0


def _describe(params: dict[str, Any], reference_weight: float, with_references: bool) -> str:
    text = ", ".join(f"{k}={v}" for k, v in params.items())
    return text + (f", reference_weight={reference_weight}" if with_references else "")


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
