"""Saving and loading models, with their cards.

A model is two files side by side: ``NAME.joblib`` (or ``NAME.skops``) and its card
``NAME.json``. The card records the labels, the library versions, the sha256 of the
model file, the sha256 of the training data, the hyper-parameters, the metrics and
the date.

.. warning::
   A ``.joblib`` model file is a pickle, and **loading a pickle runs code**. So
   :func:`load_model` checks the file against the sha256 in its card (integrity),
   and then unpickles it only if the file is one of the models this package ships
   (their sha256 are pinned in the code) or if you pass ``trusted=True``. Never pass
   ``trusted=True`` for a file whose origin you do not trust. To share a model, save
   it with ``format="skops"``: a ``.skops`` file is loaded without running code and
   may only hold the types on an explicit allowlist.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import warnings
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from escalation._atomic import atomic_write_bytes, check_writable
from escalation._pins import PINNED_SHA256
from escalation._resources import default_model_path
from escalation._version import __version__
from escalation.errors import (
    EscalationWarning,
    InputTypeError,
    ModelFileError,
    ModelIntegrityError,
    ModelVersionError,
    UntrustedModelError,
)

__all__ = ["SKOPS_TRUSTED_TYPES", "card_path", "load_card", "load_model", "save_model", "sha256_bytes"]

CARD_FORMAT = "escalation-model"
CARD_FORMAT_VERSION = 1
_SUFFIXES = {".joblib": "joblib", ".skops": "skops"}

SKOPS_TRUSTED_TYPES: tuple[str, ...] = (
    "escalation.model.EscalationClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "builtins.tuple",
)
"""The only types a ``.skops`` model file may contain beyond skops' own defaults."""


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def card_path(path: str | os.PathLike[str]) -> Path:
    """The card file that belongs to a model file (``NAME.json`` beside ``NAME.joblib``)."""
    return Path(path).with_suffix(".json")


def _model_path(path: object) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be str or os.PathLike, got {type(path).__name__}")
    result = Path(path)
    if result.suffix not in _SUFFIXES:
        raise ModelFileError(f"{result}: a model file must end in .joblib or .skops")
    return result


def load_card(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check the card of a model file.

    Raises
    ------
    ModelIntegrityError
        If the card is missing, unreadable, or not an escalation model card.
    """
    card_file = card_path(path)
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelIntegrityError(f"{card_file}: the model's card is missing; refusing to load {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelIntegrityError(f"{card_file}: unreadable card ({error})") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ModelIntegrityError(f"{card_file}: not an escalation model card")
    for key in ("sha256", "sklearn_version", "labels"):
        if key not in card:
            raise ModelIntegrityError(f"{card_file}: card has no {key!r}")
    return card


def _check_versions(card: dict[str, Any], where: Path) -> None:
    import sklearn

    saved, running = str(card["sklearn_version"]), sklearn.__version__
    if saved.split(".")[:2] != running.split(".")[:2]:
        raise ModelVersionError(
            f"{where} was saved with scikit-learn {saved}, but {running} is installed; a pickled model may give "
            f"wrong results across versions. Install scikit-learn=={saved}, or retrain with `escalation train`."
        )


def load_model(path: str | os.PathLike[str] | None = None, *, trusted: bool = False):
    """Load a model saved by :func:`save_model`, or the shipped default model.

    .. warning:: ``.joblib`` files are pickles, and unpickling runs code. See the module
       documentation: only pinned (shipped) models load without ``trusted=True``.

    Parameters
    ----------
    path : str or path-like, optional
        A ``.joblib`` or ``.skops`` model file with its ``.json`` card beside it. The
        shipped model when omitted.
    trusted : bool, default=False
        Unpickle a ``.joblib`` file that the package does not pin. Only for files you
        made yourself or whose origin you trust.

    Returns
    -------
    EscalationClassifier
        The fitted model; its card is attached as ``model.card_``.

    Raises
    ------
    ModelIntegrityError
        Missing card, or the file's sha256 differs from the card's (corrupted or
        truncated file).
    UntrustedModelError
        A ``.joblib`` file that is not pinned, without ``trusted=True``; or a ``.skops``
        file that holds a type outside :data:`SKOPS_TRUSTED_TYPES`.
    ModelVersionError
        The model was saved under another scikit-learn minor version.
    ModelFileError
        Unreadable file, unknown suffix, or not an escalation model.
    """
    if path is None:
        return _load_default_model()
    return _load(_model_path(path), trusted=trusted)


@lru_cache(maxsize=1)
def _load_default_model():
    return _load(default_model_path(), trusted=False)


def _load(path: Path, *, trusted: bool):
    from escalation.model import EscalationClassifier

    if path.is_dir():
        raise ModelFileError(f"{path} is a directory, not a model file")
    card = load_card(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except OSError as error:
        raise ModelFileError(f"{path}: cannot read model file ({error.strerror})") from None
    digest = sha256_bytes(data)
    if digest != card["sha256"]:
        raise ModelIntegrityError(
            f"{path}: sha256 {digest[:12]}... differs from its card's {str(card['sha256'])[:12]}...; "
            "the file is corrupted, truncated or not the one the card describes"
        )
    _check_versions(card, path)
    kind = _SUFFIXES[path.suffix]
    if kind == "joblib":
        if digest not in PINNED_SHA256.values() and not trusted:
            raise UntrustedModelError(
                f"{path} is a pickle that this package does not ship; loading it would run its code. "
                "Pass trusted=True (--trust-model) only if you trust its origin, or share models as .skops files."
            )
        model = _unpickle(data, path)
    else:
        model = _load_skops(data, path)
    if not isinstance(model, EscalationClassifier) or not hasattr(model, "pipeline_"):
        raise ModelFileError(f"{path} does not hold a fitted EscalationClassifier")
    model.card_ = card
    return model


def _unpickle(data: bytes, path: Path):
    import joblib

    try:
        return joblib.load(io.BytesIO(data))
    except Exception as error:  # a damaged pickle can raise nearly anything
        raise ModelFileError(f"{path}: cannot unpickle ({type(error).__name__}: {error})") from None


def _load_skops(data: bytes, path: Path):
    try:
        import skops.io as sio
    except ImportError:
        raise ModelFileError("loading .skops files needs skops: pip install 'escalation[skops]'") from None
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as error:
        raise ModelFileError(f"{path}: not a readable skops file ({type(error).__name__}: {error})") from None
    unexpected = sorted(set(untrusted) - set(SKOPS_TRUSTED_TYPES))
    if unexpected:
        raise UntrustedModelError(f"{path} holds types outside the allowlist: {', '.join(unexpected)}")
    try:
        return sio.loads(data, trusted=list(untrusted))
    except Exception as error:
        raise ModelFileError(f"{path}: cannot load skops file ({type(error).__name__}: {error})") from None


def save_model(
    model,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    card: dict[str, Any] | None = None,
) -> Path:
    """Save a fitted model and its card, atomically.

    The format follows the suffix: ``.joblib`` (a pickle) or ``.skops`` (safe to
    share; needs ``pip install 'escalation[skops]'``). Both files are written to
    temporary names first and then renamed, so an interrupted save leaves any
    previous model intact.

    Parameters
    ----------
    model : EscalationClassifier
        A fitted model.
    path : str or path-like
        Where to write the model; the card goes beside it as ``.json``.
    overwrite : bool, default=False
        Replace existing files. Without it an existing model is never touched.
    card : dict, optional
        Extra card fields (``metrics``, ``training_data_sha256``, ``data``, ...).

    Returns
    -------
    pathlib.Path
        The model file written.
    """
    from escalation.model import EscalationClassifier

    target = _model_path(path)
    if not isinstance(model, EscalationClassifier) or not hasattr(model, "pipeline_"):
        raise InputTypeError(f"model must be a fitted EscalationClassifier, got {type(model).__name__}")
    card_file = card_path(target)
    for existing in (target, card_file):
        check_writable(existing, overwrite=overwrite)
    data = _serialize(model, _SUFFIXES[target.suffix])
    full_card = _make_card(model, target, data, card or {})
    card_bytes = (json.dumps(full_card, indent=2, sort_keys=False) + "\n").encode("utf-8")
    atomic_write_bytes(target, data, overwrite=overwrite)
    # The card is renamed last: until it lands, the pair fails the sha256 check rather
    # than loading a model under the wrong card.
    atomic_write_bytes(card_file, card_bytes, overwrite=overwrite)
    return target


def _serialize(model, kind: Literal["joblib", "skops"]) -> bytes:
    state = getattr(model, "card_", None)
    if state is not None:
        del model.card_  # the card lives beside the file, not inside it
    try:
        if kind == "joblib":
            import joblib

            buffer = io.BytesIO()
            joblib.dump(model, buffer, compress=3)
            return buffer.getvalue()
        try:
            import skops.io as sio
        except ImportError:
            raise ModelFileError("saving .skops files needs skops: pip install 'escalation[skops]'") from None
        return sio.dumps(model)
    finally:
        if state is not None:
            model.card_ = state


def _make_card(model, target: Path, data: bytes, extra: dict[str, Any]) -> dict[str, Any]:
    import numpy
    import sklearn

    card: dict[str, Any] = {
        "format": CARD_FORMAT,
        "format_version": CARD_FORMAT_VERSION,
        "name": target.stem,
        "file": target.name,
        "serialization": _SUFFIXES[target.suffix],
        "sha256": sha256_bytes(data),
        "labels": [str(c) for c in model.classes_],
        "escalation_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": numpy.__version__,
        "python_version": platform.python_version(),
        "hyperparameters": {k: list(v) if isinstance(v, tuple) else v for k, v in model.get_params().items()},
        "temperature": float(model.temperature_),
        "n_features": int(model.n_features_),
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for key, value in extra.items():
        if key in ("format", "sha256", "labels", "sklearn_version"):
            warnings.warn(
                f"card field {key!r} is set by save_model; ignoring the given value", EscalationWarning, stacklevel=3
            )
            continue
        card[key] = value
    return card
