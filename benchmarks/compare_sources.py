"""Which training data? Written corpus alone, real-text references alone, or both, compared on the dev references.

Usage: python benchmarks/compare_sources.py [--corpora-dir ../shared/corpora] [--jobs 2]

Each of the three trains with the same script and the same search (`escalation train --search --sources ...`):
hyper-parameters are chosen by cross-validation on its own training rows; the dev references are used only here,
for the comparison. Writes benchmarks/SOURCES.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora-dir", default=str(HERE.parent.parent / "shared" / "corpora"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", default=str(HERE / "SOURCES.md"))
    args = parser.parse_args(argv)

    from escalation import load_model
    from escalation.evaluation import evaluate_model
    from escalation.references import hydrate, load_references
    from escalation.train import main as train

    dev = hydrate(load_references(split="dev"), args.corpora_dir)
    texts, truth, weights = [t for _, t in dev], [r.label for r, _ in dev], [r.weight for r, _ in dev]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for sources in ("written", "real", "both"):
            output = Path(workdir) / f"{sources}.joblib"
            started = time.perf_counter()
            code = train(["--sources", sources, "--corpora-dir", args.corpora_dir, "--search", "--jobs", str(args.jobs),
                          "--output", str(output), "--no-evaluate"])
            if code != 0:
                return code
            model = load_model(output, trusted=True)
            plain = evaluate_model(model, texts, truth)[0]
            weighted = evaluate_model(model, texts, truth, sample_weight=weights)[0]
            rows.append((sources, model, plain, weighted, time.perf_counter() - started))
    lines = [
        "# Training data: written, real, or both",
        "",
        f"Evaluated on the {len(texts)} dev references (never used for training or model selection). Each model was "
        "trained by `escalation train --search --sources X`: hyper-parameters chosen by grouped cross-validation on its "
        "own training rows.",
        "",
        "| trained on | macro-F1 | escalation F1 | F1 threat | F1 conditional | F1 deterrence | F1 neutral | "
        "weighted macro-F1 | weighted escalation F1 | chosen configuration |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for sources, model, plain, weighted, _ in rows:
        per = " | ".join(f"{plain.per_class.get(label, {}).get('f1', 0.0):.3f}"
                         for label in ("threat", "conditional_retaliation", "deterrence", "neutral"))
        card = model.card_
        config = ", ".join(f"{k}={v}" for k, v in card["hyperparameters"].items()
                           if k in ("C", "word_ngram_range", "char_ngrams", "class_weight", "neutral_bias"))
        config += f", reference_weight={card['training']['reference_weight']}"
        name = {"written": "(a) written corpus alone", "real": "(b) real train references alone",
                "both": "(c) both"}[sources]
        lines.append(f"| {name} | {plain.macro_f1:.3f} | {plain.escalation_f1:.3f} | {per} | {weighted.macro_f1:.3f} | "
                     f"{weighted.escalation_f1:.3f} | {config} |")
    lines += ["", "Raw per-class figures:", "", "```json",
              json.dumps({s: {"unweighted": p.to_dict(), "weighted": w.to_dict(), "seconds": round(t)}
                          for s, _, p, w, t in rows}, indent=1), "```", ""]
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[:9 + len(rows)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
