"""Article analysis: every sentence of a text with its label, probabilities and evidence.

:func:`analyze` splits a text with :func:`escalation.split_sentences`, scores all
sentences in one batch, and returns an :class:`ArticleAnalysis`: an immutable,
iterable sequence of :class:`SentenceResult`, with summaries (``counts``), tabular
views (``to_records``, ``to_frame``) and an HTML view for notebooks.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escalation._validation import check_text
from escalation.errors import InputTypeError
from escalation.labels import LABEL_COLORS, LABELS
from escalation.segment import split_sentences

if TYPE_CHECKING:
    import pandas

    from escalation.model import Contribution, EscalationClassifier

__all__ = ["ArticleAnalysis", "SentenceResult", "analyze"]


@dataclass(frozen=True)
class SentenceResult:
    """The model's reading of one sentence.

    Attributes
    ----------
    text : str
        The sentence, equal to ``source[start:end]``.
    start, end : int
        Its character span in the analysed text.
    label : str
        The predicted label.
    probabilities : dict of str to float
        Probability of each label; they sum to 1.
    evidence : tuple of Contribution
        The n-grams that push hardest towards ``label``, strongest first.
    """

    text: str
    start: int
    end: int
    label: str
    probabilities: dict[str, float] = field(hash=False)
    evidence: tuple[Contribution, ...] = field(hash=False)

    @property
    def confidence(self) -> float:
        """Probability of the predicted label."""
        return self.probabilities[self.label]

    def to_record(self) -> dict[str, Any]:
        """A plain dict (JSON-ready) of this result."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "probabilities": dict(self.probabilities),
            "evidence": [c.feature for c in self.evidence],
        }


@dataclass(frozen=True)
class ArticleAnalysis:
    """All sentences of one text, labelled.

    Iterate over it, index it, or take ``len`` of it like a tuple of
    :class:`SentenceResult`.

    Attributes
    ----------
    text : str
        The analysed text.
    sentences : tuple of SentenceResult
        One result per sentence, in text order.
    """

    text: str = field(repr=False)
    sentences: tuple[SentenceResult, ...]

    def __iter__(self) -> Iterator[SentenceResult]:
        return iter(self.sentences)

    def __len__(self) -> int:
        return len(self.sentences)

    def __getitem__(self, index: int) -> SentenceResult:
        return self.sentences[index]

    def counts(self) -> dict[str, int]:
        """Number of sentences per label (every label present, zero included)."""
        tally = dict.fromkeys(LABELS, 0)
        for result in self.sentences:
            tally[result.label] = tally.get(result.label, 0) + 1
        return tally

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per sentence, with an ``index`` field."""
        return [{"index": i, **result.to_record()} for i, result in enumerate(self.sentences)]

    def to_frame(self) -> pandas.DataFrame:
        """A pandas DataFrame, one row per sentence, one ``p_<label>`` column per label.

        Requires pandas (``pip install escalation[notebooks]``).
        """
        import pandas as pd

        rows = []
        for i, result in enumerate(self.sentences):
            row = {"index": i, "start": result.start, "end": result.end, "label": result.label, "text": result.text}
            row.update({f"p_{label}": p for label, p in result.probabilities.items()})
            row["evidence"] = ", ".join(c.feature for c in result.evidence)
            rows.append(row)
        columns = ["index", "start", "end", "label", "text"]
        columns += [f"p_{label}" for label in LABELS if any(f"p_{label}" in r for r in rows)] or []
        columns += [c for c in (rows[0] if rows else {}) if c not in columns]
        return pd.DataFrame(rows, columns=columns)

    def _repr_html_(self) -> str:
        """The text with each sentence highlighted by label; probabilities show on hover."""
        parts = ['<div class="escalation-article" style="line-height:1.7">']
        cursor = 0
        for result in self.sentences:
            parts.append(html.escape(self.text[cursor : result.start]).replace("\n", "<br>"))
            colour = LABEL_COLORS.get(result.label, "#999999")
            tip = "; ".join(f"{label}: {p:.2f}" for label, p in result.probabilities.items())
            evidence = ", ".join(c.feature for c in result.evidence)
            if evidence:
                tip += f" | evidence: {evidence}"
            style = "padding:1px 2px;border-radius:3px;"
            if result.label == "neutral":
                style += f"border-bottom:2px solid {colour}33;"
            else:
                style += f"background:{colour}33;border-bottom:3px solid {colour};"
            parts.append(
                f'<span title="{html.escape(result.label)} ({tip})" data-label="{html.escape(result.label)}" '
                f'style="{style}">{html.escape(result.text)}</span>'
            )
            cursor = result.end
        parts.append(html.escape(self.text[cursor:]).replace("\n", "<br>"))
        legend = " ".join(
            f'<span style="background:{LABEL_COLORS[label]}33;border-bottom:3px solid {LABEL_COLORS[label]};'
            f'padding:1px 4px;margin-right:6px">{label}</span>'
            for label in LABELS
        )
        parts.append(f'<div style="margin-top:8px;font-size:85%">{legend}</div></div>')
        return "".join(parts)


def analyze(text: str, *, model: EscalationClassifier | None = None, evidence: int = 5) -> ArticleAnalysis:
    """Label every sentence of a text.

    Parameters
    ----------
    text : str
        An article, statement or transcript.
    model : EscalationClassifier, optional
        A fitted model; the shipped model (:func:`escalation.load_model`) by default.
    evidence : int, default=5
        How many n-grams to keep as evidence per sentence.

    Returns
    -------
    ArticleAnalysis
        Empty when the text has no sentence.

    Raises
    ------
    InputTypeError
        If ``text`` is not a str.
    """
    check_text(text, name="text")
    if isinstance(evidence, bool) or not isinstance(evidence, int) or evidence < 0:
        raise InputTypeError(f"evidence must be a non-negative int, got {evidence!r}")
    if model is None:
        from escalation.persistence import load_model

        model = load_model()
    sentences = split_sentences(text)
    explanations = model._explain_rows([s.text for s in sentences], top=0, evidence=evidence)
    results = tuple(
        SentenceResult(
            text=s.text,
            start=s.start,
            end=s.end,
            label=e.label,
            probabilities=e.probabilities,
            evidence=e.evidence,
        )
        for s, e in zip(sentences, explanations)
    )
    return ArticleAnalysis(text=text, sentences=results)
