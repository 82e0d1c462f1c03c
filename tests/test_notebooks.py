"""The three notebooks run top to bottom, headless and offline, and draw their pictures."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED_PICTURES = {"01_score_an_article": 1, "02_retrain_and_evaluate": 2, "03_score_a_corpus": 1}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED_PICTURES))
def test_notebook_runs_clean_and_draws(name):
    # Executed in memory from notebooks/ (their paths are relative to it); the committed file is not rewritten.
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    pictures = sum("image/png" in o.get("data", {}) for o in outputs)
    assert pictures >= EXPECTED_PICTURES[name]
    if name == "01_score_an_article":
        assert any("escalation-article" in o.get("data", {}).get("text/html", "") for o in outputs)
