"""Tests of the package as a whole: public names, import cost, packaged files, the wheel."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import escalation

ROOT = Path(__file__).resolve().parent.parent


def test_labels_are_the_contract():
    assert escalation.LABELS == ("threat", "conditional_retaliation", "deterrence", "neutral")


def test_every_public_name_resolves():
    for name in escalation.__all__:
        assert getattr(escalation, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        escalation.no_such_name  # noqa: B018


def test_import_is_light_and_quiet():
    code = (
        "import sys, escalation; "
        "escalation.split_sentences('One. Two.'); "
        "heavy = [m for m in ('sklearn', 'numpy', 'scipy', 'joblib', 'pandas') if m in sys.modules]; "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""


def test_py_typed_marker_ships():
    assert (ROOT / "escalation" / "py.typed").is_file()


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_environment_and_loads_the_model(tmp_path):
    """Build the wheel, install it in a new virtual environment, load the shipped model there."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("escalation-*.whl"))
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True)
    code = (
        "import json, escalation, escalation._resources as r; "
        "m = escalation.load_model(); "
        "a = escalation.analyze('If they attack us, we will strike back. Talks went well.'); "
        "from escalation.corpus import load_corpus; "
        "print(json.dumps({'models': str(r.models_dir()), 'n': len(a), 'labels': list(m.classes_), "
        "'corpus': len(load_corpus())}))"
    )
    result = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path)
    report = json.loads(result.stdout)
    assert "site-packages" in report["models"]
    assert report["n"] == 2 and len(report["labels"]) == 4 and report["corpus"] > 3000
