"""escalation: find and label coercive rhetoric in news and official statements.

Every sentence gets one of four labels (:data:`LABELS`): ``threat``,
``conditional_retaliation``, ``deterrence`` or ``neutral``, with probabilities, the
n-grams behind the call, and its character span in the text.

>>> import escalation
>>> escalation.LABELS
('threat', 'conditional_retaliation', 'deterrence', 'neutral')
>>> [s.text for s in escalation.split_sentences("Talks ended. “We will respond,” he said.")]
['Talks ended.', '“We will respond,” he said.']

Importing the package is cheap and has no side effects: scikit-learn and the model
load only when a function that needs them is first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from escalation._version import __version__
from escalation.labels import ESCALATION_LABELS, LABELS
from escalation.segment import Sentence, split_sentences

if TYPE_CHECKING:
    from escalation.analysis import ArticleAnalysis, SentenceResult, analyze
    from escalation.model import Contribution, EscalationClassifier, Explanation
    from escalation.persistence import load_model, save_model
    from escalation.scoring import iter_scores, score_corpus

__all__ = [
    "ESCALATION_LABELS",
    "LABELS",
    "ArticleAnalysis",
    "Contribution",
    "EscalationClassifier",
    "Explanation",
    "Sentence",
    "SentenceResult",
    "__version__",
    "analyze",
    "explain",
    "iter_scores",
    "load_model",
    "save_model",
    "score_corpus",
    "split_sentences",
]

# Public names that live in modules importing scikit-learn: loaded on first use.
_LAZY = {
    "ArticleAnalysis": "escalation.analysis",
    "SentenceResult": "escalation.analysis",
    "analyze": "escalation.analysis",
    "Contribution": "escalation.model",
    "EscalationClassifier": "escalation.model",
    "Explanation": "escalation.model",
    "load_model": "escalation.persistence",
    "save_model": "escalation.persistence",
    "score_corpus": "escalation.scoring",
    "iter_scores": "escalation.scoring",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'escalation' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def explain(sentence: str, top: int = 5, *, model: Any = None) -> Any:
    """Explain one sentence's label with the shipped model (or ``model``).

    See :meth:`EscalationClassifier.explain`.
    """
    if model is None:
        from escalation.persistence import load_model

        model = load_model()
    return model.explain(sentence, top=top)
