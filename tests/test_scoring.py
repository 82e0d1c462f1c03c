"""Tests for escalation.scoring: sources, outputs, resume, overwrite, parallel and Dask."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from escalation.errors import InputTypeError, InputValueError, OutputExistsError
from escalation.scoring import Document, iter_scores, read_documents, score_corpus

DOCS = [
    {"id": "a", "date": "2024-01-05", "text": "Talks resumed on Monday. If they attack, we will respond."},
    {"id": "b", "date": "2024-02-10", "text": "Our forces stand ready.\nThe minister thanked the hosts."},
    {"id": "c", "date": "2024-02-11", "text": ""},
    {"id": "d", "date": None, "text": "“They will regret it,” he said. Markets rose."},
]


@pytest.fixture()
def jsonl_source(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in DOCS), encoding="utf-8")
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_carry_ids_spans_labels_and_probabilities(tiny_model, jsonl_source):
    records = list(iter_scores(jsonl_source, model=tiny_model))
    assert [(r["doc_id"], r["index"]) for r in records] == [("a", 0), ("a", 1), ("b", 0), ("b", 1), ("d", 0), ("d", 1)]
    texts = {d["id"]: d["text"] for d in DOCS}
    for r in records:
        assert texts[r["doc_id"]][r["start"] : r["end"]] == r["text"]
        assert sum(r["probabilities"].values()) == pytest.approx(1)
    assert records[0]["date"] == "2024-01-05" and records[-1]["date"] is None
    expected = tiny_model.predict_proba([r["text"] for r in records])
    got = np.array([[r["probabilities"][c] for c in tiny_model.classes_] for r in records])
    assert np.allclose(got, expected)


def test_text_file_directory_csv_and_python_sources(tiny_model, tmp_path):
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "one.txt").write_text("First. Second one here.", encoding="utf-8")
    (tmp_path / "dir" / "sub" / "two.txt").write_text("Third.", encoding="utf-8")
    (tmp_path / "dir" / "skip.md").write_text("Not read.", encoding="utf-8")
    ids = [d.id for d in read_documents(tmp_path / "dir")]
    assert ids == ["one.txt", "sub/two.txt"]
    table = tmp_path / "docs.csv"
    with open(table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["doc", "body"])
        writer.writeheader()
        writer.writerow({"doc": "x", "body": "Line one.\nLine two, with a comma."})
    docs = list(read_documents(table, id_field="doc", text_field="body"))
    assert docs == [Document("x", "Line one.\nLine two, with a comma.")]
    assert [d.id for d in read_documents(["one", "two"])] == ["0", "1"]
    assert [d.id for d in read_documents([("p", "text")])] == ["p"]


def test_bad_sources_are_refused_with_their_line(tiny_model, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "ok"}\nnot json\n', encoding="utf-8")
    with pytest.raises(InputValueError, match=r"bad.jsonl:2: invalid JSON"):
        list(iter_scores(bad, model=tiny_model))
    bad.write_text('{"id": "a", "text": null}\n', encoding="utf-8")
    with pytest.raises(InputTypeError, match=r"bad.jsonl:1: field 'text'"):
        list(iter_scores(bad, model=tiny_model))
    bad.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(InputValueError, match="occurs twice"):
        list(iter_scores(bad, model=tiny_model))
    with pytest.raises(InputTypeError):
        list(iter_scores(42, model=tiny_model))
    with pytest.raises(FileNotFoundError):
        list(iter_scores(tmp_path / "absent.jsonl", model=tiny_model))
    with pytest.raises(InputTypeError, match="item 1"):
        list(iter_scores(["fine", None], model=tiny_model))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_score_corpus_writes_the_output_atomically(tiny_model, jsonl_source, tmp_path, suffix):
    output = tmp_path / f"out{suffix}"
    summary = score_corpus(jsonl_source, output, model=tiny_model)
    assert (summary.documents, summary.sentences, summary.skipped) == (4, 6, 0)
    if suffix == ".jsonl":
        rows = read_jsonl(output)
    else:
        rows = list(csv.DictReader(open(output, encoding="utf-8", newline="")))
        assert "p_threat" in rows[0]
    assert len(rows) == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs.jsonl", f"out{suffix}"]


def test_existing_output_is_never_replaced_without_force(tiny_model, jsonl_source, tmp_path):
    output = tmp_path / "out.jsonl"
    output.write_text("precious\n", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        score_corpus(jsonl_source, output, model=tiny_model)
    assert output.read_text(encoding="utf-8") == "precious\n"
    score_corpus(jsonl_source, output, model=tiny_model, overwrite=True)
    assert len(read_jsonl(output)) == 6


class Interrupt(Exception):
    pass


def interrupted_after(n_documents):
    """A source that yields ``n_documents`` documents, then dies like a killed run."""

    def source():
        for i, doc in enumerate(DOCS):
            if i == n_documents:
                raise Interrupt
            yield doc

    return source()


def test_interrupted_run_resumes_without_losing_or_repeating_documents(tiny_model, tmp_path, monkeypatch):
    import escalation.scoring as scoring

    monkeypatch.setattr(scoring, "_CHUNK_CHARS", 1)  # one document per chunk, journalled one by one
    output = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        score_corpus(interrupted_after(2), output, model=tiny_model, batch_size=1)
    assert not output.exists()
    with pytest.raises(OutputExistsError, match="resume"):
        score_corpus(DOCS, output, model=tiny_model)
    summary = score_corpus(DOCS, output, model=tiny_model, resume=True)
    assert summary.skipped == 2 and summary.documents == 2
    fresh = tmp_path / "fresh.jsonl"
    score_corpus(DOCS, fresh, model=tiny_model)
    assert read_jsonl(output) == read_jsonl(fresh)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.jsonl", "out.jsonl"]


def test_torn_partial_write_is_cut_back_on_resume(tiny_model, tmp_path, monkeypatch):
    import escalation.scoring as scoring

    monkeypatch.setattr(scoring, "_CHUNK_CHARS", 1)
    output = tmp_path / "out.jsonl"
    with pytest.raises(Interrupt):
        score_corpus(interrupted_after(2), output, model=tiny_model, batch_size=1)
    partial = tmp_path / "out.jsonl.partial"
    with open(partial, "ab") as handle:  # half a record, as if the process died mid-write
        handle.write(b'{"doc_id": "c", "ind')
    score_corpus(DOCS, output, model=tiny_model, resume=True)
    fresh = tmp_path / "fresh.jsonl"
    score_corpus(DOCS, fresh, model=tiny_model)
    assert read_jsonl(output) == read_jsonl(fresh)


def test_resume_extends_a_finished_output(tiny_model, tmp_path):
    output = tmp_path / "out.csv"
    score_corpus(DOCS[:2], output, model=tiny_model)
    summary = score_corpus(DOCS, output, model=tiny_model, resume=True)
    assert summary.skipped == 2
    fresh = tmp_path / "fresh.csv"
    score_corpus(DOCS, fresh, model=tiny_model)
    assert output.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8")


def test_parallel_jobs_give_the_serial_results(tiny_model):
    many = [{"id": str(i), "text": f"Talks resumed on day {i}. If they attack, we will respond."} for i in range(60)]
    serial = list(iter_scores(many, model=tiny_model, batch_size=7))
    parallel = list(iter_scores(many, model=tiny_model, batch_size=7, jobs=2))
    assert parallel == serial


def test_bad_options_are_refused(tiny_model, jsonl_source, tmp_path):
    with pytest.raises(InputValueError, match="jobs"):
        list(iter_scores(jsonl_source, model=tiny_model, jobs=0))
    with pytest.raises(InputValueError, match="batch_size"):
        list(iter_scores(jsonl_source, model=tiny_model, batch_size=0))
    with pytest.raises(InputValueError, match=r"\.jsonl or \.csv"):
        score_corpus(jsonl_source, tmp_path / "out.txt", model=tiny_model)
    with pytest.raises(InputValueError, match="exclude"):
        score_corpus(jsonl_source, tmp_path / "o.jsonl", model=tiny_model, resume=True, overwrite=True)


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_results(tiny_model):
    distributed = pytest.importorskip("distributed")
    many = [{"id": str(i), "text": f"Meeting {i} ended. They will regret this step."} for i in range(40)]
    serial = list(iter_scores(many, model=tiny_model, batch_size=5))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            on_dask = list(iter_scores(many, model=tiny_model, batch_size=5, client=client))
    assert on_dask == serial
