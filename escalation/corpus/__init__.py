"""The annotated corpus, and reading and checking labelled data.

The package ships its annotated corpus as JSON Lines (``sentences.jsonl`` beside
this file, documented in ``README.md`` and ``GUIDELINE.md``). :func:`load_corpus`
reads it; :func:`read_labelled` reads and validates anyone's labelled data
(JSONL or CSV) for training; :func:`assign_splits` makes a grouped, stratified
train/test split; :func:`near_duplicates` finds pairs of sentences that share
most of their word trigrams.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from escalation._resources import corpus_dir
from escalation._textio import json_objects
from escalation.errors import DataValidationError, InputTypeError
from escalation.labels import LABELS

__all__ = [
    "CORPUS_FILE",
    "DOMAINS",
    "REGISTERS",
    "CorpusRecord",
    "LabelledData",
    "assign_splits",
    "load_corpus",
    "near_duplicates",
    "normalize",
    "read_labelled",
    "word_ngrams",
]

CORPUS_FILE = "sentences.jsonl"

DOMAINS: tuple[str, ...] = (
    "nuclear",
    "conventional_military",
    "missiles_air_power",
    "sanctions_economic",
    "arms_transfers",
    "cyber",
    "territorial_maritime",
    "terrorism_insurgency",
    "alliances_diplomacy",
    "domestic_and_general",
)
REGISTERS: tuple[str, ...] = ("direct_quote", "reported_speech", "news_narration", "official_statement", "headline")
SPLITS: tuple[str, ...] = ("train", "test")

_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class CorpusRecord:
    """One annotated sentence of the corpus (see ``escalation/corpus/README.md``)."""

    id: str
    text: str
    label: str
    split: str
    actor: str
    target: str | None
    domain: str
    register: str
    group: str
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        record = {k: getattr(self, k) for k in ("id", "text", "label", "split", "actor", "target", "domain",
                                                 "register", "group")}
        if self.note:
            record["note"] = self.note
        return record


def load_corpus(split: str | None = None, *, path: str | os.PathLike[str] | None = None) -> list[CorpusRecord]:
    """Read the packaged annotated corpus.

    Parameters
    ----------
    split : {"train", "test"}, optional
        Only this split; all records when omitted.
    path : path-like, optional
        Another corpus file in the same format.

    Returns
    -------
    list of CorpusRecord
    """
    if split is not None and split not in SPLITS:
        raise DataValidationError(f"split must be one of {SPLITS}, got {split!r}")
    source = Path(path) if path is not None else corpus_dir() / CORPUS_FILE
    records = []
    with open(source, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                record = CorpusRecord(**{k: item.get(k) for k in CorpusRecord.__dataclass_fields__})
            except (json.JSONDecodeError, TypeError) as error:
                raise DataValidationError(f"{source}:{number}: not a corpus record ({error})") from None
            if split is None or record.split == split:
                records.append(record)
    return records


# -- anyone's labelled data ---------------------------------------------------------------


@dataclass(frozen=True)
class LabelledData:
    """Validated labelled sentences, ready for training.

    Attributes
    ----------
    texts, labels : tuple of str
        The sentences and their labels, exact duplicates removed.
    splits : tuple of str
        ``train`` or ``test`` per sentence (``train`` where the file gives none).
    groups : tuple of str
        Group per sentence (the ``group`` field, else the sentence's own position).
    source : str
        Where the data came from.
    dropped_duplicates : int
        Exact duplicates (same normalised text, same label) that were dropped.
    """

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    splits: tuple[str, ...]
    groups: tuple[str, ...]
    source: str
    dropped_duplicates: int = 0

    def subset(self, split: str) -> tuple[list[str], list[str], list[str]]:
        """Texts, labels and groups of one split."""
        keep = [i for i, s in enumerate(self.splits) if s == split]
        return [self.texts[i] for i in keep], [self.labels[i] for i in keep], [self.groups[i] for i in keep]


def normalize(text: str) -> str:
    """Lower-cased words joined by single spaces: the key for exact-duplicate checks."""
    return " ".join(_WORD.findall(text.lower()))


def read_labelled(path: str | os.PathLike[str], *, labels: Iterable[str] = LABELS) -> LabelledData:
    """Read labelled sentences from JSONL or CSV and validate them.

    The file needs ``text`` and ``label`` fields; ``split`` (``train``/``test``) and
    ``group`` are optional.

    Raises
    ------
    DataValidationError
        Listing every problem with its file and line: unknown labels, missing or
        empty texts, bad splits, and duplicates with conflicting labels.
    """
    source = Path(path)
    allowed = set(labels)
    rows = list(_rows(source))
    problems: list[str] = []
    first_seen: dict[str, tuple[int, str]] = {}
    keep: list[tuple[str, str, str, str]] = []
    dropped = 0
    for number, row in rows:
        where = f"{source}:{number}"
        text, label = row.get("text"), row.get("label")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: empty or missing text")
            continue
        if label not in allowed:
            problems.append(f"{where}: unknown label {label!r} (allowed: {', '.join(sorted(allowed))})")
            continue
        split = row.get("split") or "train"
        if split not in SPLITS:
            problems.append(f"{where}: unknown split {split!r} (allowed: train, test)")
            continue
        key = normalize(text) or text.strip()
        if key in first_seen:
            other_line, other_label = first_seen[key]
            if other_label != label:
                problems.append(f"{where}: same text as line {other_line} but label {label!r} vs {other_label!r}")
            else:
                dropped += 1
            continue
        first_seen[key] = (number, label)
        keep.append((text, label, split, str(row.get("group") or f"row-{number}")))
    if problems:
        raise DataValidationError(f"{source}: {len(problems)} problem(s) in the labelled data", problems)
    if not keep:
        raise DataValidationError(f"{source}: no labelled sentences")
    texts, kept_labels, splits, groups = (tuple(column) for column in zip(*keep))
    return LabelledData(texts, kept_labels, splits, groups, str(source), dropped)


def _rows(source: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if not source.exists():
        raise FileNotFoundError(2, "no such file or directory", str(source))
    if source.is_dir():
        raise IsADirectoryError(21, "is a directory, not a data file", str(source))
    suffix = source.suffix.lower()
    if suffix == ".jsonl":
        with open(source, encoding="utf-8-sig") as handle:
            yield from json_objects(enumerate(handle, 1), source, DataValidationError)
    elif suffix == ".csv":
        with open(source, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"text", "label"} - set(reader.fieldnames or [])
            if missing:
                raise DataValidationError(f"{source}: no column(s) {sorted(missing)}")
            for row in reader:
                yield reader.line_num, row
    else:
        raise DataValidationError(f"{source}: labelled data must be .jsonl or .csv")


# -- splits and duplicates ---------------------------------------------------------------


def assign_splits(
    labels: list[str], groups: list[str], *, test_share: float = 0.18, seed: int = 0
) -> list[str]:
    """Grouped, label-stratified train/test split.

    Whole groups go to one side, so variations of one idea never straddle the split;
    groups are dealt to the test side until each label has about ``test_share`` of
    its sentences there.

    Returns
    -------
    list of str
        ``"train"`` or ``"test"`` per sentence.
    """
    import random

    if len(labels) != len(groups):
        raise InputTypeError("labels and groups must have the same length")
    members: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        members[group].append(i)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    target = {label: test_share * count for label, count in Counter(labels).items()}
    in_test: Counter[str] = Counter()
    split = ["train"] * len(labels)
    for group in order:
        counts = Counter(labels[i] for i in members[group])
        if all(in_test[label] + n <= target[label] + 0.5 for label, n in counts.items()):
            for i in members[group]:
                split[i] = "test"
            in_test.update(counts)
    return split


def word_ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    """The set of word n-grams of a text (lower-cased, punctuation dropped)."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicates(
    texts: list[str], others: list[str] | None = None, *, threshold: float = 0.6, max_df: int = 50
) -> list[tuple[int, int, float]]:
    """Pairs of texts whose word-trigram Jaccard similarity is at least ``threshold``.

    Within ``texts`` when ``others`` is None (pairs ``i < j``), else between ``texts``
    (index ``i``) and ``others`` (index ``j``). Trigrams shared by more than ``max_df``
    texts are too common to index; they still count in the similarity.
    """
    left = [word_ngrams(t, 3) for t in texts]
    right = left if others is None else [word_ngrams(t, 3) for t in others]
    frequency = Counter(g for grams in right for g in grams)
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, grams in enumerate(right):
        for g in grams:
            if frequency[g] <= max_df:
                index[g].append(j)
    pairs = []
    for i, grams in enumerate(left):
        candidates = Counter(j for g in grams if frequency.get(g, 0) <= max_df for j in index.get(g, ()))
        for j in candidates:
            if others is None and j <= i:
                continue
            union = len(grams | right[j])
            similarity = len(grams & right[j]) / union if union else 0.0
            if similarity >= threshold:
                pairs.append((i, j, similarity))
    return pairs
