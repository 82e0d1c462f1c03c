"""Corpus statistics for the datasheet: ``python -m escalation.corpus [stats|style]``.

``stats`` prints the count tables of ``README.md`` (label x domain, label x
register, label x split, actors per region of the world); the datasheet test checks
that the README holds exactly what this prints. ``style`` prints the cross-validated
macro-F1 of a style-only classifier, which sees sentence length, punctuation and
function words but no content word: the lower, the less a model can learn the label
from style alone.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Sequence

from escalation.corpus import DOMAINS, REGISTERS, CorpusRecord, load_corpus
from escalation.labels import LABELS

__all__ = ["count_tables", "main", "style_probe"]

_FUNCTION_WORDS = frozenset(
    """a an the of to in on at by for from with as into over under about after before between against during
    and or but nor so yet not no is are was were be been being has have had do does did it its this that these
    those he she they we our their his her you your i me my us them who which what when where while than then
    there""".split()
)
# Modal and conditional words (if, will, would, should, ...) are left out on purpose: they carry the rhetoric
# itself ("if they attack, we will respond"), so a probe that saw them would measure content, not style.


def _table(rows: Sequence[str], columns: Sequence[str], counts: Counter, row_title: str) -> list[str]:
    header = f"| {row_title} | " + " | ".join(columns) + " | total |"
    lines = [header, "|" + "---|" * (len(columns) + 2)]
    for row in rows:
        values = [counts[(row, c)] for c in columns]
        lines.append(f"| {row} | " + " | ".join(str(v) for v in values) + f" | {sum(values)} |")
    totals = [sum(counts[(r, c)] for r in rows) for c in columns]
    lines.append("| **total** | " + " | ".join(str(v) for v in totals) + f" | {sum(totals)} |")
    return lines


def count_tables(records: list[CorpusRecord]) -> str:
    """The datasheet's count tables as Markdown."""
    out = ["### Label x domain", ""]
    out += _table(DOMAINS, LABELS, Counter((r.domain, r.label) for r in records), "domain")
    out += ["", "### Label x register", ""]
    out += _table(REGISTERS, LABELS, Counter((r.register, r.label) for r in records), "register")
    out += ["", "### Label x split", ""]
    out += _table(("train", "test"), LABELS, Counter((r.split, r.label) for r in records), "split")
    out += ["", "### Label x register x split (test split)", ""]
    test = [r for r in records if r.split == "test"]
    out += _table(REGISTERS, LABELS, Counter((r.register, r.label) for r in test), "register")
    actors = Counter(r.actor for r in records)
    out += ["", f"### Actors ({len(actors)} distinct; sentences per actor, most frequent first)", ""]
    out.append(", ".join(f"{actor} {n}" for actor, n in sorted(actors.items(), key=lambda kv: (-kv[1], kv[0]))))
    lengths = {label: [len(re.findall(r"[A-Za-z0-9']+", r.text)) for r in records if r.label == label]
               for label in LABELS}
    out += ["", "### Sentence length in words (mean, min, max)", ""]
    out += ["| label | mean | min | max |", "|---|---|---|---|"]
    for label, values in lengths.items():
        if values:
            out.append(f"| {label} | {sum(values) / len(values):.1f} | {min(values)} | {max(values)} |")
    return "\n".join(out) + "\n"


def style_skeleton(text: str) -> str:
    """The sentence with content words masked: function words, capitalisation, punctuation, length bucket."""
    words = re.findall(r"[A-Za-z']+", text)
    masked = [w.lower() if w.lower() in _FUNCTION_WORDS else ("C" if w[0].isupper() else "w") for w in words]
    marks = [f"P{ch}" for ch in text if ch in ",;:\"“”‘’!?()-–—'"]
    return " ".join(masked + marks + [f"LEN{min(len(words) // 5, 12)}"])


def style_probe(records: list[CorpusRecord], *, seed: int = 0) -> tuple[float, float]:
    """Grouped 5-fold macro-F1 of a style-only classifier, and the majority-class baseline."""
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline

    skeletons = [style_skeleton(r.text) for r in records]
    labels = np.array([r.label for r in records])
    probe = make_pipeline(CountVectorizer(ngram_range=(1, 2), token_pattern=r"\S+", lowercase=False),
                          LogisticRegression(max_iter=3000, solver="newton-cg"))
    cv = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
    predicted = cross_val_predict(probe, skeletons, labels, cv=cv, groups=[r.group for r in records])
    majority = Counter(labels).most_common(1)[0][0]
    return (float(f1_score(labels, predicted, average="macro")),
            float(f1_score(labels, [majority] * len(labels), average="macro")))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m escalation.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("stats", "style"))
    args = parser.parse_args(argv)
    records = load_corpus()
    if args.command == "stats":
        sys.stdout.write(count_tables(records))
    else:
        score, baseline = style_probe(records)
        print(f"style-only macro-F1 {score:.3f} (majority baseline {baseline:.3f}, {len(records)} sentences)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
