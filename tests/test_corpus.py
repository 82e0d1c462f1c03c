"""Tests for escalation.corpus: the functions, and guards on the packaged corpus itself."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from escalation import LABELS
from escalation.corpus import (
    DOMAINS,
    REGISTERS,
    assign_splits,
    load_corpus,
    near_duplicates,
    normalize,
    read_labelled,
    word_ngrams,
)
from escalation.errors import DataValidationError
from escalation.references import default_corpora_dir

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ee3c1f37d37bb9fd.txt"
CORPORA = default_corpora_dir()
needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason=f"real-text corpora not found at {CORPORA}")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


# -- reading anyone's labelled data ------------------------------------------------------


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_read_labelled_jsonl_drops_exact_duplicates(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [
        {"text": "We will strike.", "label": "threat"},
        {"text": "we will STRIKE!", "label": "threat"},
        {"text": "Talks resumed.", "label": "neutral", "split": "test", "group": "g1"},
    ])
    data = read_labelled(path)
    assert data.texts == ("We will strike.", "Talks resumed.")
    assert data.dropped_duplicates == 1
    assert data.splits == ("train", "test") and data.groups[1] == "g1"


def test_read_labelled_lists_every_problem_with_file_and_line(tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [
        {"text": "Fine.", "label": "neutral"},
        {"text": "Bad label.", "label": "menace"},
        {"text": "   ", "label": "threat"},
        {"text": "fine", "label": "threat"},
        {"text": "Odd split.", "label": "neutral", "split": "validation"},
    ])
    with pytest.raises(DataValidationError) as caught:
        read_labelled(path)
    message = str(caught.value)
    assert "d.jsonl:2: unknown label 'menace'" in message
    assert "d.jsonl:3: empty or missing text" in message
    assert "d.jsonl:4: same text as line 1 but label 'threat' vs 'neutral'" in message
    assert "d.jsonl:5: unknown split 'validation'" in message
    assert len(caught.value.problems) == 4


def test_read_labelled_csv(tmp_path):
    path = tmp_path / "d.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label"])
        writer.writeheader()
        writer.writerow({"text": "Should they attack, we will respond.", "label": "conditional_retaliation"})
        writer.writerow({"text": "The summit ended.", "label": "neutral"})
    assert read_labelled(path).labels == ("conditional_retaliation", "neutral")


def test_read_labelled_refuses_other_formats_and_missing_columns(tmp_path):
    (tmp_path / "d.txt").write_text("x", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"\.jsonl or \.csv"):
        read_labelled(tmp_path / "d.txt")
    (tmp_path / "d.csv").write_text("sentence,tag\na,b\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="no column"):
        read_labelled(tmp_path / "d.csv")
    with pytest.raises(FileNotFoundError):
        read_labelled(tmp_path / "absent.jsonl")
    (tmp_path / "bad.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="bad.jsonl:1: invalid JSON"):
        read_labelled(tmp_path / "bad.jsonl")


def test_assign_splits_keeps_groups_whole_and_stratifies():
    labels = ["threat"] * 40 + ["neutral"] * 160
    groups = [f"g{i // 2}" for i in range(200)]  # pairs of variations
    split = assign_splits(labels, groups, test_share=0.2, seed=1)
    by_group = {}
    for g, s in zip(groups, split):
        assert by_group.setdefault(g, s) == s
    tested = Counter(label for label, s in zip(labels, split) if s == "test")
    assert abs(tested["threat"] - 8) <= 1 and abs(tested["neutral"] - 32) <= 1
    assert split == assign_splits(labels, groups, test_share=0.2, seed=1)


def test_near_duplicates_finds_shared_trigrams_only():
    texts = [
        "The ministry said the exercises would continue until the end of the month.",
        "The ministry said the exercises would continue until the end of the week.",
        "Fishing boats returned to port after the storm passed.",
    ]
    pairs = near_duplicates(texts)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert near_duplicates(texts[2:], texts[:2]) == []


# -- guards on the packaged corpus ---------------------------------------------------------


def test_schema_and_label_set(corpus):
    ids = [r.id for r in corpus]
    assert len(ids) == len(set(ids))
    for r in corpus:
        assert r.label in LABELS, r.id
        assert r.split in ("train", "test"), r.id
        assert r.domain in DOMAINS, r.id
        assert r.register in REGISTERS, r.id
        assert isinstance(r.actor, str) and r.actor.strip(), r.id
        assert r.target is None or (isinstance(r.target, str) and r.target.strip()), r.id
        assert isinstance(r.group, str) and r.group, r.id
        assert 5 <= len(re.findall(r"[A-Za-z0-9']+", r.text)) <= 60, r.id


def test_size_and_balance(corpus):
    labels = Counter(r.label for r in corpus)
    assert len(corpus) >= 3000
    for label in ("threat", "conditional_retaliation", "deterrence"):
        assert labels[label] >= 450, label
    assert labels["neutral"] / len(corpus) >= 0.40
    assert len({r.actor.lower() for r in corpus}) >= 40
    assert len({r.domain for r in corpus}) >= 6
    for label in LABELS:
        assert {r.register for r in corpus if r.label == label} == set(REGISTERS), label


def test_test_split_is_large_stratified_and_grouped(corpus):
    test = [r for r in corpus if r.split == "test"]
    assert len(test) >= 0.15 * len(corpus)
    all_labels, test_labels = Counter(r.label for r in corpus), Counter(r.label for r in test)
    for label in LABELS:
        assert 0.12 <= test_labels[label] / all_labels[label] <= 0.25, label
    sides = {}
    for r in corpus:
        assert sides.setdefault(r.group, r.split) == r.split, f"group {r.group} straddles the split"


def test_no_exact_duplicates(corpus):
    counts = Counter(normalize(r.text) for r in corpus)
    assert [text for text, n in counts.items() if n > 1] == []


def test_near_duplicates_are_at_most_one_percent(corpus):
    pairs = near_duplicates([r.text for r in corpus])
    assert len(pairs) <= 0.01 * len(corpus)


def test_no_test_sentence_near_duplicates_a_train_sentence(corpus):
    train = [r.text for r in corpus if r.split == "train"]
    test = [r.text for r in corpus if r.split == "test"]
    assert near_duplicates(test, train) == []


def test_no_sentence_shares_six_words_with_the_seed_article(corpus):
    seed = SEED.read_text(encoding="utf-8")
    seed_grams = set().union(*(word_ngrams(line, 6) for line in re.split(r"(?<=[.!?”\"])\s+|\n", seed)))
    leaks = [r.id for r in corpus if word_ngrams(r.text, 6) & seed_grams]
    assert leaks == []


@needs_corpora
def test_no_sentence_shares_eight_words_with_the_real_corpora(corpus):
    ours = {}
    for r in corpus:
        for gram in word_ngrams(r.text, 8):
            ours.setdefault(gram, r.id)
    copied = set()
    for table in sorted(CORPORA.glob("*/sentences.tsv")):
        with open(table, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                for gram in word_ngrams(row["text"], 8):
                    if gram in ours:
                        copied.add(ours[gram])
    assert sorted(copied) == []
