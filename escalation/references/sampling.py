"""How real-text references are drawn: the pool, the document split and the strata.

Real escalation rhetoric is rare (well under 1% of sentences), so a uniform sample
would hold almost none. We over-sample sentences that match escalation cues and
sentences a draft model scores as escalation, and keep sampling weights so that
weighted metrics still estimate what a uniform sample would show.

1. **Pool**: every sentence of the non-reserved documents of ``kremlin-en`` and
   ``us-presidential-speeches`` with at least four words, stage directions
   ("(Applause.)") dropped, exact repeats (same normalised text) kept once.
2. **Split by document**: :func:`split_of` hashes the document id; about 35% of
   documents are ``dev``. A document's sentences never straddle the split.
3. **Strata**, first match wins (:func:`stratum_of`): ``conditional_cue``,
   ``threat_cue``, ``deterrence_cue`` (regular expressions below, broader than the
   corpora README's grep, which they contain), ``model`` (no cue, but a draft model
   gives escalation a probability of at least 0.9), and ``other``.
4. **Weights**: for each corpus, split and stratum, the number of pool sentences
   divided by the number of references drawn from it (post-stratification).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from escalation.corpus import normalize
from escalation.references import CORPORA, reserved_documents

__all__ = ["DEV_SHARE", "MODEL_THRESHOLD", "STRATA", "Candidate", "pool", "split_of", "stratum_of", "stratum_weights"]

DEV_SHARE = 0.35
STRATA = ("conditional_cue", "threat_cue", "deterrence_cue", "model", "other", "mined")
"""The rule strata of :func:`stratum_of`, then ``mined``: sentences picked later by draft models (top-ranked) or a
wider conditional pattern, annotated in full (a census, weight 1) and taken out of the stratum they came from."""
MODEL_THRESHOLD = 0.9

_CONDITIONAL = re.compile(
    r"\b(if|should|unless|in case|in the event|the moment|any (attempt|attack|aggression|strike|move|use)|"
    r"whoever|anyone who|those who)\b.{0,160}?\b(will|would|shall)\b.{0,80}?\b(respond\w*|retaliat\w*|strike|"
    r"destroy\w*|attack\w*|punish\w*|consequences|countermeasures|force|response|answer\w*|regret|pay|price|war|"
    r"fire|hit|target\w*|measures|retaliation)\b",
    re.IGNORECASE,
)
_THREAT = re.compile(
    r"\b(threat\w*|warn\w*|retaliat\w*|ultimatum|consequences|pay (a|the) price|regret|punish\w*|"
    r"countermeasures|respond (accordingly|in kind)|not go unanswered|red lines?|all options|wipe|crush\w*|"
    r"annihilat\w*|destroy\w*|obliterat\w*|mirror response|asymmetric\w*|retribution|reprisals?)\b",
    re.IGNORECASE,
)
_DETERRENCE = re.compile(
    r"\b(deter\w*|stand ready|combat readiness|readiness|nuclear (forces|triad|arsenal|shield|capability)|"
    r"strategic (forces|stability|deterrence)|mutual defen[cs]e|collective defen[cs]e|defend (our|the|every)|"
    r"moderni[sz]\w*|capabilit\w*|article 5|resolve|ready to (defend|repel|respond)|strength|mighty|"
    r"armed forces|missile defen[cs]e|weapons? systems?|hypersonic)\b",
    re.IGNORECASE,
)
_STAGE = re.compile(r"^[(\[][^)\]]*[)\]]\.?$")


@dataclass(frozen=True)
class Candidate:
    """A pool sentence with what an annotator needs to see around it."""

    corpus: str
    doc_id: str
    para: int
    sent: int
    speaker: str
    text: str
    before: str
    after: str

    @property
    def id(self) -> str:
        return f"{self.corpus}/{self.doc_id}/{self.para}/{self.sent}"


def split_of(doc_id: str) -> str:
    """``train`` or ``dev`` for a document, from a hash of its id (stable across runs)."""
    bucket = int(hashlib.sha256(f"escalation-references:{doc_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "dev" if bucket < DEV_SHARE else "train"


def stratum_of(text: str, model_probability: float | None = None) -> str:
    """The sampling stratum of a sentence (first match wins)."""
    if _CONDITIONAL.search(text):
        return "conditional_cue"
    if _THREAT.search(text):
        return "threat_cue"
    if _DETERRENCE.search(text):
        return "deterrence_cue"
    if model_probability is not None and model_probability >= MODEL_THRESHOLD:
        return "model"
    return "other"


def pool(corpora_dir: str | Path) -> Iterator[Candidate]:
    """Every eligible sentence of the non-reserved documents, each distinct text once."""
    root = Path(corpora_dir)
    reserved = reserved_documents(root)
    seen: set[str] = set()
    for corpus in CORPORA:
        with open(root / corpus / "sentences.tsv", encoding="utf-8", newline="") as handle:
            rows = [r for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                    if r["doc_id"] not in reserved]
        by_para: dict[tuple[str, str], list[dict]] = {}
        for row in rows:
            by_para.setdefault((row["doc_id"], row["para"]), []).append(row)
        for row in rows:
            text = row["text"]
            key = normalize(text)
            if len(key.split()) < 4 or _STAGE.match(text.strip()) or key in seen:
                continue
            seen.add(key)
            siblings = by_para[(row["doc_id"], row["para"])]
            position = int(row["sent"])
            before = " ".join(r["text"] for r in siblings if int(r["sent"]) in (position - 2, position - 1))
            after = " ".join(r["text"] for r in siblings if int(r["sent"]) == position + 1)
            yield Candidate(corpus, row["doc_id"], int(row["para"]), position, row["speaker"], text, before, after)


def stratum_weights(population: Counter, drawn: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], float]:
    """Post-stratification weights per ``(corpus, split, stratum)``: population / drawn."""
    counts = Counter(drawn)
    return {key: population[key] / n for key, n in counts.items() if n}
