"""Where the package finds its data: the shipped models, the corpus, the seed article.

Inside an installed wheel the models live in ``escalation/models`` (the build copies
the repository's top-level ``models/`` there). In a source checkout they are read
from ``models/`` beside the package. Both are resolved through
``importlib.resources`` first.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DEFAULT_MODEL_NAME", "corpus_dir", "default_model_path", "models_dir", "source_root"]

DEFAULT_MODEL_NAME = "escalation-v1"


def source_root() -> Path | None:
    """The repository root when running from a source checkout, else None."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "escalation").is_dir() else None


def models_dir() -> Path:
    """The directory holding the shipped models."""
    packaged = resources.files("escalation").joinpath("models")
    if packaged.is_dir():
        return Path(str(packaged))
    root = source_root()
    return (root if root is not None else Path(__file__).resolve().parent.parent) / "models"


def default_model_path() -> Path:
    """Path of the shipped default model (``escalation-v1.joblib``)."""
    return models_dir() / f"{DEFAULT_MODEL_NAME}.joblib"


def corpus_dir() -> Path:
    """The directory of the packaged annotated corpus."""
    return Path(str(resources.files("escalation").joinpath("corpus")))
