"""Real-text references: labels that point into public corpora, hydrated when needed.

The project labels real sentences from public corpora of official speech (the
Kremlin's English site and US presidential speeches) but never stores their text.
A reference records where a sentence is (``corpus``, ``doc_id``, ``para``,
``sent``), the sha256 of its text, its label and how it was drawn.
:func:`hydrate` looks the sentences up in a corpora directory (by default
``../shared/corpora`` beside a source checkout) and checks every hash.

References split by document into ``train`` (may train models) and ``dev``
(evaluation only: never training, never model selection).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from escalation._resources import source_root
from escalation.errors import DataValidationError, ReferenceHydrationError
from escalation.labels import LABELS

__all__ = [
    "REFERENCES_FILE",
    "Reference",
    "default_corpora_dir",
    "hydrate",
    "load_references",
    "reserved_documents",
    "text_sha256",
]

REFERENCES_FILE = "references.jsonl"
CORPORA = ("kremlin-en", "us-presidential-speeches")
SPLITS = ("train", "dev")


@dataclass(frozen=True)
class Reference:
    """One labelled real sentence, stored without its text.

    Attributes
    ----------
    id : str
        Stable id, ``<corpus>/<doc_id>/<para>/<sent>``.
    corpus, doc_id : str
        Which corpus and document.
    para, sent : int
        Paragraph index in the document, sentence index in the paragraph.
    sha256 : str
        sha256 of the sentence text (UTF-8), checked on hydration.
    label : str
        The label, by the annotation guideline.
    confidence : {"clear", "ambiguous"}
        Whether the guideline gives the label at once or two labels are defensible.
    split : {"train", "dev"}
        Decided per document, never per sentence.
    stratum : str
        The sampling stratum the sentence belongs to (see ``sampling.STRATA``).
    drawn : str
        How it was drawn: ``cue`` (a cue-stratified draw), ``random`` or ``model``
        (mined with a draft model).
    weight : float
        Sampling weight: sentences of its stratum in its corpus and split, divided by
        the references drawn from that stratum.
    sample : str
        Which annotation round it came from.
    """

    id: str
    corpus: str
    doc_id: str
    para: int
    sent: int
    sha256: str
    label: str
    confidence: str
    split: str
    stratum: str
    drawn: str
    weight: float
    sample: str


def text_sha256(text: str) -> str:
    """sha256 of a sentence's text, as references store it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_references_path() -> Path:
    return Path(__file__).resolve().parent / REFERENCES_FILE


def load_references(path: str | os.PathLike[str] | None = None, *, split: str | None = None) -> list[Reference]:
    """Read references (the packaged file by default), optionally of one split."""
    source = Path(path) if path is not None else default_references_path()
    if split is not None and split not in SPLITS:
        raise DataValidationError(f"split must be one of {SPLITS}, got {split!r}")
    references = []
    with open(source, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                reference = Reference(**json.loads(line))
            except (json.JSONDecodeError, TypeError) as error:
                raise DataValidationError(f"{source}:{number}: not a reference ({error})") from None
            if reference.label not in LABELS:
                raise DataValidationError(f"{source}:{number}: unknown label {reference.label!r}")
            if split is None or reference.split == split:
                references.append(reference)
    return references


def save_references(references: Iterable[Reference], path: str | os.PathLike[str]) -> None:
    """Write references as JSON Lines, sorted by id (atomic)."""
    from escalation._atomic import atomic_open

    with atomic_open(path, "w", overwrite=True, encoding="utf-8") as handle:
        for reference in sorted(references, key=lambda r: r.id):
            handle.write(json.dumps(asdict(reference), ensure_ascii=False) + "\n")


def default_corpora_dir() -> Path:
    """``../shared/corpora`` beside the source checkout (the team's layout)."""
    root = source_root()
    base = root if root is not None else Path.cwd()
    return base.parent / "shared" / "corpora"


def reserved_documents(corpora_dir: str | os.PathLike[str]) -> set[str]:
    """Document ids listed in ``RESERVED.txt``: held out for independent evaluation."""
    listing = Path(corpora_dir) / "RESERVED.txt"
    if not listing.exists():
        return set()
    return {
        line.strip()
        for line in listing.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }


def hydrate(
    references: Iterable[Reference], corpora_dir: str | os.PathLike[str] | None = None
) -> list[tuple[Reference, str]]:
    """Look up the text of each reference and check its hash.

    Parameters
    ----------
    references : iterable of Reference
    corpora_dir : path-like, optional
        The directory holding ``kremlin-en/`` and ``us-presidential-speeches/``;
        :func:`default_corpora_dir` by default.

    Returns
    -------
    list of (Reference, str)
        In the order given.

    Raises
    ------
    ReferenceHydrationError
        The directory or a corpus is missing, a reference points at a reserved or
        unknown document or sentence, or a text's hash differs; the error lists the ids.
    """
    references = list(references)
    root = Path(corpora_dir) if corpora_dir is not None else default_corpora_dir()
    if not root.is_dir():
        raise ReferenceHydrationError(f"corpora directory {root} not found")
    reserved = reserved_documents(root)
    on_reserved = [r.id for r in references if r.doc_id in reserved]
    if on_reserved:
        raise ReferenceHydrationError("references point at documents reserved for independent evaluation",
                                      on_reserved)
    wanted: dict[str, dict[tuple[str, int, int], list[Reference]]] = defaultdict(lambda: defaultdict(list))
    for reference in references:
        wanted[reference.corpus][(reference.doc_id, reference.para, reference.sent)].append(reference)
    texts: dict[str, str] = {}
    for corpus, keys in wanted.items():
        table = root / corpus / "sentences.tsv"
        if not table.is_file():
            ids = [r.id for refs in keys.values() for r in refs]
            raise ReferenceHydrationError(f"corpus {corpus!r} not found at {table}", ids)
        with open(table, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                key = (row["doc_id"], int(row["para"]), int(row["sent"]))
                for reference in keys.get(key, ()):
                    texts[reference.id] = row["text"]
    missing = [r.id for r in references if r.id not in texts]
    if missing:
        raise ReferenceHydrationError("no such document or sentence in the corpora", missing)
    mismatched = [r.id for r in references if text_sha256(texts[r.id]) != r.sha256]
    if mismatched:
        raise ReferenceHydrationError("text hash mismatch (the corpora differ from the annotated version)",
                                      mismatched)
    return [(r, texts[r.id]) for r in references]
