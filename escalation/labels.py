"""The four labels, their order, and the colour each one keeps everywhere.

The definitions are the project's contract (see ``escalation/corpus/GUIDELINE.md``):

- ``threat``: harm or costs to another party intended, threatened or warned of, with no trigger.
- ``conditional_retaliation``: a harmful response tied to a specified, still-open action of the other party.
- ``deterrence``: capability, readiness, resolve or alliance commitments asserted to discourage, with no
  specific punishment for a specific act.
- ``neutral``: everything else, including talk *about* threats and escalation.
"""

from __future__ import annotations

__all__ = ["LABELS", "ESCALATION_LABELS", "LABEL_COLORS"]

LABELS: tuple[str, ...] = ("threat", "conditional_retaliation", "deterrence", "neutral")
"""All labels: the three escalation classes, then neutral."""

ESCALATION_LABELS: tuple[str, ...] = LABELS[:3]
"""The labels that count as escalation rhetoric."""

# Okabe-Ito colours, chosen to stay distinguishable under the common colour-vision deficiencies.
LABEL_COLORS: dict[str, str] = {
    "threat": "#D55E00",  # vermillion
    "conditional_retaliation": "#CC79A7",  # reddish purple
    "deterrence": "#0072B2",  # blue
    "neutral": "#999999",  # grey
}
