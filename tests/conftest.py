"""Shared fixtures: a small hand-written training set and a model fitted on it.

The tiny model is for testing the machinery (shapes, spans, files, errors), not
accuracy; tests of accuracy use the shipped model.
"""

from __future__ import annotations

import pytest

TINY_DATA = [
    ("We will strike their bases and they will pay a heavy price.", "threat"),
    ("The regime will come to regret this reckless choice.", "threat"),
    ("The militia threatened to shell the port again this week.", "threat"),
    ("Our answer to these provocations will be swift and painful.", "threat"),
    ("If they cross the border, we will respond with overwhelming force.", "conditional_retaliation"),
    ("Should the sanctions be extended, we will cut gas supplies to the region.", "conditional_retaliation"),
    ("Any attack on our ships will be met with a decisive military response.", "conditional_retaliation"),
    ("The group said hostages would be killed unless the troops withdraw by Friday.", "conditional_retaliation"),
    ("Our armed forces stand ready to defend every inch of our territory.", "deterrence"),
    ("The alliance will deploy additional battalions to its eastern flank to deter aggression.", "deterrence"),
    ("We will continue to modernise our strategic forces as a credible deterrent.", "deterrence"),
    ("Naval drills this week demonstrated the readiness of our fleet.", "deterrence"),
    ("The two ministers discussed trade and investment during talks in Geneva.", "neutral"),
    ("The president thanked the delegation for its hospitality.", "neutral"),
    ("Officials expressed concern about rising tensions and called for restraint.", "neutral"),
    ("We have no intention of attacking anyone.", "neutral"),
    ("The ceasefire has largely held since it was signed in March.", "neutral"),
    ("Analysts said the remarks were likely to raise tensions in the region.", "neutral"),
    ("The conference on food security will open on Monday in Nairobi.", "neutral"),
    ("Last year's air strike killed four people, according to local officials.", "neutral"),
]


@pytest.fixture(scope="session")
def tiny_data() -> tuple[list[str], list[str]]:
    texts, labels = zip(*TINY_DATA)
    return list(texts), list(labels)


@pytest.fixture(scope="session")
def tiny_model(tiny_data):
    from escalation import EscalationClassifier

    texts, labels = tiny_data
    return EscalationClassifier(C=10.0).fit(texts, labels)


@pytest.fixture()
def saved_tiny_model(tiny_model, tmp_path):
    """The tiny model saved as a .joblib file with its card, in a temporary directory."""
    from escalation import save_model

    return save_model(tiny_model, tmp_path / "tiny.joblib")
