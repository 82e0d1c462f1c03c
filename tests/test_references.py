"""Tests for escalation.references: hydration and its errors, and guards on the packaged references."""

from __future__ import annotations

from collections import Counter

import pytest

from escalation import LABELS
from escalation.errors import ReferenceHydrationError
from escalation.references import Reference, default_corpora_dir, hydrate, load_references, reserved_documents
from escalation.references import text_sha256
from escalation.references.sampling import STRATA, split_of, stratum_of

CORPORA = default_corpora_dir()
needs_corpora = pytest.mark.skipif(not CORPORA.is_dir(), reason=f"real-text corpora not found at {CORPORA}")

ROWS = [
    ("kr-1", 0, 0, "Talks were held in Moscow."),
    ("kr-1", 0, 1, "Any aggression will receive a crushing response."),
    ("kr-2", 3, 0, "The reserved document says this."),
]


@pytest.fixture()
def corpora(tmp_path):
    """A miniature corpora directory in the real layout."""
    root = tmp_path / "corpora"
    (root / "kremlin-en").mkdir(parents=True)
    lines = ["doc_id\tpara\tsent\tspeaker\ttext"] + [f"{d}\t{p}\t{s}\t\t{t}" for d, p, s, t in ROWS]
    (root / "kremlin-en" / "sentences.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "RESERVED.txt").write_text("# reserved\nkr-2\n", encoding="utf-8")
    return root


def reference(doc, para, sent, text, label="neutral"):
    return Reference(id=f"kremlin-en/{doc}/{para}/{sent}", corpus="kremlin-en", doc_id=doc, para=para, sent=sent,
                     sha256=text_sha256(text), label=label, confidence="clear", split="train",
                     stratum="other", drawn="random", weight=1.0, sample="test")


def test_hydration_returns_the_texts_in_order(corpora):
    refs = [reference("kr-1", 0, 1, ROWS[1][3], "conditional_retaliation"), reference("kr-1", 0, 0, ROWS[0][3])]
    assert [text for _, text in hydrate(refs, corpora)] == [ROWS[1][3], ROWS[0][3]]


def test_hash_mismatch_lists_the_ids(corpora):
    refs = [reference("kr-1", 0, 0, "A different text than the corpus holds.")]
    with pytest.raises(ReferenceHydrationError, match="hash mismatch") as caught:
        hydrate(refs, corpora)
    assert caught.value.ids == ["kremlin-en/kr-1/0/0"] and "kremlin-en/kr-1/0/0" in str(caught.value)


def test_missing_sentence_or_document_lists_the_ids(corpora):
    refs = [reference("kr-1", 0, 9, "Nothing here."), reference("kr-404", 0, 0, "Nor here.")]
    with pytest.raises(ReferenceHydrationError) as caught:
        hydrate(refs, corpora)
    assert caught.value.ids == ["kremlin-en/kr-1/0/9", "kremlin-en/kr-404/0/0"]


def test_reserved_documents_are_refused(corpora):
    assert reserved_documents(corpora) == {"kr-2"}
    with pytest.raises(ReferenceHydrationError, match="reserved"):
        hydrate([reference("kr-2", 3, 0, ROWS[2][3])], corpora)


def test_missing_corpora_directory_or_corpus(tmp_path):
    with pytest.raises(ReferenceHydrationError, match="not found"):
        hydrate([reference("kr-1", 0, 0, ROWS[0][3])], tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReferenceHydrationError, match="corpus 'kremlin-en' not found"):
        hydrate([reference("kr-1", 0, 0, ROWS[0][3])], tmp_path / "empty")


def test_split_is_by_document_and_stable():
    assert split_of("kr-12345") == split_of("kr-12345")
    shares = Counter(split_of(f"doc-{i}") for i in range(4000))
    assert 0.30 < shares["dev"] / 4000 < 0.40


def test_strata_follow_the_cues():
    assert stratum_of("If they attack us, we will respond with force.") == "conditional_cue"
    assert stratum_of("They warned of grave consequences.") == "threat_cue"
    assert stratum_of("We will strengthen our deterrence.") == "deterrence_cue"
    assert stratum_of("The weather was fine.", 0.95) == "model"
    assert stratum_of("The weather was fine.", 0.2) == "other"


# -- guards on the packaged references -----------------------------------------------------------


@pytest.fixture(scope="module")
def packaged():
    return load_references()


def test_packaged_schema(packaged):
    assert len({r.id for r in packaged}) == len(packaged)
    for r in packaged:
        assert r.id == f"{r.corpus}/{r.doc_id}/{r.para}/{r.sent}"
        assert r.corpus in ("kremlin-en", "us-presidential-speeches")
        assert r.label in LABELS and r.confidence in ("clear", "ambiguous")
        assert r.split in ("train", "dev") and r.stratum in STRATA
        assert r.drawn in ("cue", "random", "model") and r.weight > 0
        assert len(r.sha256) == 64 and int(r.sha256, 16) >= 0


def test_split_is_by_document_with_no_leakage(packaged):
    sides = {}
    for r in packaged:
        assert sides.setdefault((r.corpus, r.doc_id), r.split) == r.split
        assert r.split == split_of(r.doc_id)


def test_sizes(packaged):
    dev = [r for r in packaged if r.split == "dev"]
    first_set = [r for r in packaged if r.sample == "dev-v1"]
    assert len(first_set) >= 400 and len(dev) >= 400
    assert len(packaged) - len(first_set) >= 2000


@needs_corpora
def test_no_reference_points_at_a_reserved_document(packaged):
    reserved = reserved_documents(CORPORA)
    assert [r.id for r in packaged if r.doc_id in reserved] == []


@needs_corpora
def test_every_packaged_reference_hydrates_with_its_hash(packaged):
    hydrated = hydrate(packaged, CORPORA)
    assert len(hydrated) == len(packaged)
