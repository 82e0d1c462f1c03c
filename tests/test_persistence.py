"""Tests for escalation.persistence: cards, integrity, trust, versions, atomic writes, skops."""

from __future__ import annotations

import json

import numpy as np
import pytest

from escalation import load_model, save_model
from escalation.errors import (
    InputTypeError,
    ModelFileError,
    ModelIntegrityError,
    ModelVersionError,
    OutputExistsError,
    UntrustedModelError,
)
from escalation.persistence import card_path, load_card, sha256_bytes

PROBES = ["If they attack, we will respond.", "The talks went well."]


def test_save_writes_the_model_and_its_card(tiny_model, tmp_path):
    path = save_model(tiny_model, tmp_path / "m.joblib", card={"metrics": {"macro_f1": 0.5}})
    card = load_card(path)
    assert card["sha256"] == sha256_bytes(path.read_bytes())
    assert card["labels"] == list(tiny_model.classes_)
    assert card["metrics"] == {"macro_f1": 0.5}
    for key in ("sklearn_version", "numpy_version", "hyperparameters", "created", "escalation_version"):
        assert key in card
    assert not list(tmp_path.glob("*.tmp"))


def test_trusted_roundtrip_gives_identical_probabilities(tiny_model, saved_tiny_model):
    loaded = load_model(saved_tiny_model, trusted=True)
    assert np.array_equal(loaded.predict_proba(PROBES), tiny_model.predict_proba(PROBES))
    assert loaded.card_["name"] == "tiny"


def test_unpinned_pickle_is_refused_without_trust(saved_tiny_model):
    with pytest.raises(UntrustedModelError, match="trusted=True"):
        load_model(saved_tiny_model)


def test_missing_card_is_refused(saved_tiny_model):
    card_path(saved_tiny_model).unlink()
    with pytest.raises(ModelIntegrityError, match="card is missing"):
        load_model(saved_tiny_model, trusted=True)


def test_flipped_byte_is_refused_before_unpickling(saved_tiny_model):
    data = bytearray(saved_tiny_model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    saved_tiny_model.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        load_model(saved_tiny_model, trusted=True)


def test_truncated_file_is_refused(saved_tiny_model):
    data = saved_tiny_model.read_bytes()
    saved_tiny_model.write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelIntegrityError):
        load_model(saved_tiny_model, trusted=True)


def test_other_scikit_learn_version_is_refused_with_a_clear_message(saved_tiny_model):
    card = json.loads(card_path(saved_tiny_model).read_text())
    card["sklearn_version"] = "0.24.2"
    card_path(saved_tiny_model).write_text(json.dumps(card))
    with pytest.raises(ModelVersionError, match="scikit-learn 0.24.2"):
        load_model(saved_tiny_model, trusted=True)


def test_card_of_another_kind_is_refused(saved_tiny_model):
    card_path(saved_tiny_model).write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ModelIntegrityError, match="not an escalation model card"):
        load_model(saved_tiny_model, trusted=True)


def test_pickle_of_another_object_is_refused_even_when_trusted(tmp_path):
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"not": "a model"}, path)
    card = {"format": "escalation-model", "sha256": sha256_bytes(path.read_bytes()), "labels": [],
            "sklearn_version": __import__("sklearn").__version__}
    card_path(path).write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="does not hold a fitted EscalationClassifier"):
        load_model(path, trusted=True)


def test_save_refuses_to_overwrite_without_permission(tiny_model, saved_tiny_model):
    before = saved_tiny_model.read_bytes()
    with pytest.raises(OutputExistsError):
        save_model(tiny_model, saved_tiny_model)
    assert saved_tiny_model.read_bytes() == before
    save_model(tiny_model, saved_tiny_model, overwrite=True)


def test_failed_save_leaves_the_previous_model_intact(tiny_model, saved_tiny_model, monkeypatch):
    import joblib

    before_model, before_card = saved_tiny_model.read_bytes(), card_path(saved_tiny_model).read_bytes()

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(joblib, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        save_model(tiny_model, saved_tiny_model, overwrite=True)
    assert saved_tiny_model.read_bytes() == before_model
    assert card_path(saved_tiny_model).read_bytes() == before_card
    assert not list(saved_tiny_model.parent.glob("*.tmp"))


def test_bad_paths_and_objects_are_refused(tiny_model, tmp_path):
    with pytest.raises(ModelFileError, match=r"\.joblib or \.skops"):
        save_model(tiny_model, tmp_path / "model.pkl")
    with pytest.raises(InputTypeError):
        load_model(42)
    with pytest.raises(InputTypeError, match="fitted EscalationClassifier"):
        save_model(object(), tmp_path / "m.joblib")
    (tmp_path / "dir.joblib").mkdir()
    with pytest.raises(ModelFileError, match="directory"):
        load_model(tmp_path / "dir.joblib")
    with pytest.raises(ModelIntegrityError):
        load_model(tmp_path / "absent.joblib")


# -- the safe format ------------------------------------------------------------------------


def test_skops_roundtrip_needs_no_trust(tiny_model, tmp_path):
    pytest.importorskip("skops")
    path = save_model(tiny_model, tmp_path / "shared.skops")
    loaded = load_model(path)
    assert np.array_equal(loaded.predict_proba(PROBES), tiny_model.predict_proba(PROBES))
    assert load_card(path)["serialization"] == "skops"


class Payload:
    """A type that is not on the skops allowlist."""

    def __init__(self) -> None:
        self.value = 1


def test_skops_file_with_an_unexpected_type_is_refused(tiny_model, tmp_path):
    pytest.importorskip("skops")
    from sklearn.base import clone

    tampered = clone(tiny_model).fit(["a b c", "d e f"], ["threat", "neutral"])
    tampered.extra_ = Payload()
    path = save_model(tampered, tmp_path / "tampered.skops")
    with pytest.raises(UntrustedModelError, match="Payload"):
        load_model(path)
