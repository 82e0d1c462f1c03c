"""Corpus-scale scoring: stream documents in, sentence records out.

:func:`iter_scores` reads documents lazily, scores them in chunks and yields one
record per sentence, in input order, so memory stays bounded whatever the input
size. :func:`score_corpus` writes those records to a ``.jsonl`` or ``.csv`` file:

- the file appears atomically when the run ends (``OUTPUT`` is never half-written);
- meanwhile records go to ``OUTPUT.partial``, and a journal ``OUTPUT.partial.journal``
  records which documents are complete, so an interrupted run continues with
  ``resume=True`` (``--resume``) without losing or repeating a document;
- an existing ``OUTPUT`` is never replaced without ``overwrite=True`` (``--force``).

Chunks can be scored in parallel processes (``jobs=N``, joblib's loky backend) or on
a Dask cluster (``client=``), where the model is scattered to the workers once.

Sources:

- a ``.txt`` file (one document, id = file name) or ``-`` (stdin, id ``-``);
- a directory: every ``*.txt`` below it, sorted; id = path relative to the directory;
- ``.jsonl``: one object per line with ``id``, ``text`` and optionally ``date``;
- ``.csv``: a header row with the same columns;
- in Python, also any iterable of str (ids are their positions), of ``(id, text)``
  pairs, or of dicts.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from escalation._atomic import check_writable
from escalation._textio import decode_bytes, json_objects, read_text_file
from escalation.errors import InputTypeError, InputValueError, OutputExistsError
from escalation.labels import LABELS
from escalation.segment import split_sentences

__all__ = [
    "CSV_COLUMNS",
    "Document",
    "ScoreSummary",
    "flat_record",
    "iter_scores",
    "profile",
    "read_documents",
    "score_corpus",
]

# A chunk closes once it holds this many characters of text (about 2,000 sentences).
_CHUNK_CHARS = 300_000
# csv refuses fields over 128 KiB by default; documents can be far longer.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class Document:
    """One input document."""

    id: str
    text: str
    date: str | None = None


@dataclass(frozen=True)
class ScoreSummary:
    """What :func:`score_corpus` wrote.

    Attributes
    ----------
    output : pathlib.Path
        The output file.
    documents : int
        Documents scored in this run.
    sentences : int
        Sentence records written in this run.
    skipped : int
        Documents skipped because an earlier run had finished them (``resume``).
    """

    output: Path
    documents: int
    sentences: int
    skipped: int


# -- reading -------------------------------------------------------------------------


def read_documents(
    source: Any,
    *,
    id_field: str = "id",
    text_field: str = "text",
    decode_errors: str = "strict",
    stdin: TextIO | None = None,
) -> Iterator[Document]:
    """Yield the documents of ``source`` lazily (see the module docstring for the kinds)."""
    if isinstance(source, (str, os.PathLike)):
        if str(source) == "-":
            stream = stdin if stdin is not None else sys.stdin
            yield Document("-", _read_stream(stream, decode_errors))
            return
        yield from _read_path(Path(source), id_field, text_field, decode_errors)
        return
    if isinstance(source, (bytes, bytearray)):
        raise InputTypeError("source must be a path or an iterable of documents, got bytes")
    if not isinstance(source, Iterable):
        raise InputTypeError(f"source must be a path or an iterable of documents, got {type(source).__name__}")
    yield from _read_iterable(source, id_field, text_field)


def _read_stream(stream: TextIO, decode_errors: str) -> str:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return decode_bytes(buffer.read(), source="stdin", errors=decode_errors)
    return stream.read()


def _read_path(path: Path, id_field: str, text_field: str, decode_errors: str) -> Iterator[Document]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            raise InputValueError(f"{path}: directory holds no .txt files")
        for file in files:
            yield Document(file.relative_to(path).as_posix(), read_text_file(file, errors=decode_errors))
        return
    if not path.exists():
        raise FileNotFoundError(2, "no such file or directory", str(path))
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(path, id_field, text_field, decode_errors)
    elif suffix == ".csv":
        yield from _read_csv(path, id_field, text_field, decode_errors)
    else:
        yield Document(path.name, read_text_file(path, errors=decode_errors))


def _lines(path: Path, decode_errors: str) -> Iterator[tuple[int, str]]:
    """Numbered text lines of a UTF-8 file, decoded one at a time (bounded memory)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if number == 1:
                if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise InputValueError(f"{path}: UTF-16 JSONL or CSV is not supported; re-encode it as UTF-8")
                raw = raw.removeprefix(codecs.BOM_UTF8)
            yield number, decode_bytes(raw, source=f"{path}:{number}", errors=decode_errors)


def _read_jsonl(path: Path, id_field: str, text_field: str, decode_errors: str) -> Iterator[Document]:
    for number, item in json_objects(_lines(path, decode_errors), path):
        yield _document_from_mapping(item, id_field, text_field, f"{path}:{number}")


def _read_csv(path: Path, id_field: str, text_field: str, decode_errors: str) -> Iterator[Document]:
    lines = (line for _, line in _lines(path, decode_errors))
    reader = csv.DictReader(lines)
    if reader.fieldnames is None:
        return
    missing = [f for f in (id_field, text_field) if f not in reader.fieldnames]
    if missing:
        raise InputValueError(f"{path}: no column {', '.join(map(repr, missing))} (columns: {reader.fieldnames})")
    for row in reader:
        yield _document_from_mapping(row, id_field, text_field, f"{path}:{reader.line_num}")


def _document_from_mapping(item: dict, id_field: str, text_field: str, where: str) -> Document:
    if text_field not in item:
        raise InputValueError(f"{where}: no field {text_field!r}")
    if id_field not in item:
        raise InputValueError(f"{where}: no field {id_field!r}")
    text, doc_id, date = item[text_field], item[id_field], item.get("date")
    if not isinstance(text, str):
        raise InputTypeError(f"{where}: field {text_field!r} must be a string, got {type(text).__name__}")
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        raise InputTypeError(f"{where}: field {id_field!r} must be a string or integer, got {type(doc_id).__name__}")
    return Document(str(doc_id), text, None if date in (None, "") else str(date))


def _read_iterable(source: Iterable, id_field: str, text_field: str) -> Iterator[Document]:
    for position, item in enumerate(source):
        where = f"item {position}"
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield Document(str(position), item)
        elif isinstance(item, dict):
            yield _document_from_mapping(item, id_field, text_field, where)
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
            yield Document(str(item[0]), item[1])
        else:
            raise InputTypeError(f"{where}: expected str, (id, text) or dict, got {type(item).__name__}")


# -- scoring -------------------------------------------------------------------------


def _chunks(documents: Iterable[Document], max_chars: int, max_docs: int | None) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    size = 0
    for document in documents:
        chunk.append(document)
        size += len(document.text)
        if size >= max_chars or (max_docs is not None and len(chunk) >= max_docs):
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _score_chunk(model: Any, chunk: list[Document]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Split and score one chunk; return ``(doc_id, records)`` per document."""
    spans = [split_sentences(document.text) for document in chunk]
    texts = [s.text for sentences in spans for s in sentences]
    probabilities = model.predict_proba(texts) if texts else None
    labels = [str(c) for c in model.classes_]
    order = [labels.index(label) for label in LABELS if label in labels]
    order += [k for k in range(len(labels)) if k not in order]
    out = []
    row = 0
    for document, sentences in zip(chunk, spans):
        records = []
        for index, sentence in enumerate(sentences):
            p = probabilities[row]
            best = int(p.argmax())
            record = dict(
                doc_id=document.id,
                date=document.date,
                index=index,
                start=sentence.start,
                end=sentence.end,
                text=sentence.text,
                label=labels[best],
                probabilities={labels[k]: float(p[k]) for k in order},
            )
            records.append(record)
            row += 1
        out.append((document.id, records))
    return out


_WORKER_MODELS: dict[str, Any] = {}


def _score_chunk_in_worker(token: str, payload: bytes, chunk: list[Document]) -> list[tuple[str, list[dict]]]:
    """Worker side of ``jobs > 1``: unpickle the model once per process, then score."""
    model = _WORKER_MODELS.get(token)
    if model is None:
        import pickle

        _WORKER_MODELS.clear()
        model = _WORKER_MODELS[token] = pickle.loads(payload)
    return _score_chunk(model, chunk)


def _scored_chunks(
    chunks: Iterable[list[Document]], model: Any, jobs: int, client: Any
) -> Iterator[list[tuple[str, list[dict]]]]:
    if client is not None:
        yield from _scored_on_dask(chunks, model, client)
    elif jobs == 1:
        for chunk in chunks:
            yield _score_chunk(model, chunk)
    else:
        import hashlib
        import pickle

        from joblib import Parallel, delayed

        # The model crosses to the workers as bytes the parent pickled once, and each
        # worker unpickles it once: cheaper than pickling the estimator for every chunk.
        payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        token = hashlib.sha256(payload).hexdigest()
        parallel = Parallel(n_jobs=jobs, backend="loky", return_as="generator", pre_dispatch="2*n_jobs")
        yield from parallel(delayed(_score_chunk_in_worker)(token, payload, chunk) for chunk in chunks)


def _scored_on_dask(chunks: Iterable[list[Document]], model: Any, client: Any) -> Iterator[list]:
    from collections import deque

    model_future = client.scatter(model, broadcast=True)
    window = max(2, 2 * len(client.scheduler_info().get("workers", {})))
    pending: deque = deque()
    for chunk in chunks:
        pending.append(client.submit(_score_chunk, model_future, chunk, pure=False))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _check_options(jobs: Any, batch_size: Any) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs == 0 or jobs < -1:
        raise InputValueError(f"jobs must be a positive int or -1 (all cores), got {jobs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise InputValueError(f"batch_size must be a positive int, got {batch_size!r}")


def _progress_bar(progress: bool | None, unit: str):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(unit=unit, file=sys.stderr, dynamic_ncols=True)


def iter_scores(
    source: Any,
    *,
    model: Any = None,
    id_field: str = "id",
    text_field: str = "text",
    jobs: int = 1,
    batch_size: int | None = None,
    decode_errors: str = "strict",
    progress: bool | None = False,
    client: Any = None,
    stdin: TextIO | None = None,
    skip: Iterable[str] = (),
) -> Iterator[dict[str, Any]]:
    """Yield one record per sentence of every document in ``source``.

    Each record holds ``doc_id``, ``date`` (None when the input has none), ``index`` (the
    sentence's position in its document), ``start``, ``end``, ``text``, ``label`` and
    ``probabilities``.

    Parameters
    ----------
    source : path, "-" or iterable
        See the module docstring.
    model : EscalationClassifier, optional
        The shipped model by default.
    id_field, text_field : str
        Field names in JSONL and CSV input (and dict items).
    jobs : int, default=1
        Worker processes (``-1``: all cores).
    batch_size : int, optional
        Most documents per chunk; chunks also close at about 300,000 characters.
    decode_errors : {"strict", "replace"}
        What to do with undecodable bytes in files.
    progress : bool or None, default=False
        Show a tqdm progress bar on stderr; ``None`` shows it only on a terminal.
    client : dask.distributed.Client, optional
        Score on this Dask cluster instead of local processes.
    stdin : text stream, optional
        Where ``-`` reads from (``sys.stdin`` by default).
    skip : iterable of str
        Document ids to leave out.
    """
    for chunk in _iter_scored_chunks(
        source, model=model, id_field=id_field, text_field=text_field, jobs=jobs, batch_size=batch_size,
        decode_errors=decode_errors, progress=progress, client=client, stdin=stdin, skip=set(skip),
    ):
        for _doc_id, records in chunk:
            yield from records


def _iter_scored_chunks(
    source: Any, *, model: Any, id_field: str, text_field: str, jobs: int, batch_size: int | None,
    decode_errors: str, progress: bool | None, client: Any, stdin: TextIO | None, skip: set[str],
) -> Iterator[list[tuple[str, list[dict[str, Any]]]]]:
    """Scored chunks, in input order: per chunk, ``(doc_id, records)`` for each document."""
    _check_options(jobs, batch_size)
    if decode_errors not in ("strict", "replace"):
        raise InputValueError(f"decode_errors must be 'strict' or 'replace', got {decode_errors!r}")
    if model is None:
        from escalation.persistence import load_model

        model = load_model()
    if jobs == -1:
        jobs = os.cpu_count() or 1
    documents = read_documents(source, id_field=id_field, text_field=text_field, decode_errors=decode_errors,
                               stdin=stdin)
    documents = _unique(documents, skip)
    bar = _progress_bar(progress, "doc")
    try:
        for scored in _scored_chunks(_chunks(documents, _CHUNK_CHARS, batch_size), model, jobs, client):
            yield scored
            if bar is not None:
                bar.update(len(scored))
    finally:
        if bar is not None:
            bar.close()


def _unique(documents: Iterable[Document], skip: set[str]) -> Iterator[Document]:
    seen: set[str] = set()
    for document in documents:
        if document.id in seen:
            raise InputValueError(f"document id {document.id!r} occurs twice; ids must be unique")
        seen.add(document.id)
        if document.id not in skip:
            yield document


# -- writing -------------------------------------------------------------------------


def _format_of(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise InputValueError(f"{output}: the output must end in .jsonl or .csv")
    return suffix[1:]


class _Journal:
    """The ``.partial`` file and its journal of completed documents.

    After each chunk the records are flushed and fsynced, then one journal line
    records the ids of the chunk's documents and the size of the partial file. On
    resume the partial file is cut back to the last journalled size, so a chunk that
    was half-written when the run died is written again, whole.
    """

    def __init__(self, output: Path) -> None:
        self.partial = output.with_name(output.name + ".partial")
        self.journal = output.with_name(output.name + ".partial.journal")

    def exists(self) -> bool:
        return self.partial.exists() and self.journal.exists()

    def recover(self) -> tuple[set[str], int]:
        """Completed document ids and the number of bytes of the partial file to keep."""
        done: set[str] = set()
        size = 0
        with open(self.journal, encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    break  # a torn last line: everything before it is complete
                done.update(entry["docs"])
                size = entry["bytes"]
        return done, size

    def remove(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.journal.unlink(missing_ok=True)


def _ids_in_output(output: Path, fmt: str) -> set[str]:
    """Document ids present in a finished output file."""
    ids: set[str] = set()
    with open(output, encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            for line in handle:
                if line.strip():
                    ids.add(str(json.loads(line)["doc_id"]))
        else:
            for row in csv.DictReader(handle):
                ids.add(row["doc_id"])
    return ids


def score_corpus(
    source: Any,
    output: str | os.PathLike[str],
    *,
    model: Any = None,
    id_field: str = "id",
    text_field: str = "text",
    jobs: int = 1,
    batch_size: int | None = None,
    overwrite: bool = False,
    resume: bool = False,
    decode_errors: str = "strict",
    progress: bool | None = None,
    client: Any = None,
    stdin: TextIO | None = None,
) -> ScoreSummary:
    """Score every sentence of a corpus into a ``.jsonl`` or ``.csv`` file.

    Parameters
    ----------
    source : path or iterable
        See the module docstring.
    output : path
        ``.jsonl`` (one JSON record per sentence) or ``.csv`` (one ``p_<label>``
        column per label).
    model, id_field, text_field, jobs, batch_size, decode_errors, progress, client, stdin
        As for :func:`iter_scores`; ``progress=None`` shows a bar only on a terminal.
    overwrite : bool, default=False
        Start afresh, replacing an existing ``output`` and any interrupted run's files.
    resume : bool, default=False
        Continue an interrupted run (or extend a finished output): documents already
        written are skipped.

    Returns
    -------
    ScoreSummary

    Raises
    ------
    OutputExistsError
        ``output`` (or an interrupted run's ``.partial`` file) exists and neither
        ``overwrite`` nor ``resume`` is set.
    """
    output = Path(output)
    fmt = _format_of(output)
    if output.is_dir():
        raise OutputExistsError(f"{output} is a directory")
    if resume and overwrite:
        raise InputValueError("resume and overwrite exclude each other")
    journal = _Journal(output)
    if resume:
        done, keep = _prepare_resume(output, fmt, journal)
    else:
        check_writable(output, overwrite=overwrite)
        if journal.partial.exists() and not overwrite:
            raise OutputExistsError(
                f"an interrupted run left {journal.partial}; pass resume=True (--resume) to continue it "
                "or overwrite=True (--force) to start again"
            )
        journal.remove()
        done, keep = set(), 0
    output.parent.mkdir(parents=True, exist_ok=True)
    documents = sentences = 0
    with open(journal.partial, "r+b" if keep else "wb") as raw, open(journal.journal, "a", encoding="utf-8") as log:
        raw.truncate(keep)
        raw.seek(keep)
        if fmt == "csv" and keep == 0:
            raw.write((",".join(CSV_COLUMNS) + "\n").encode("utf-8"))
        for chunk in _iter_scored_chunks(
            source, model=model, id_field=id_field, text_field=text_field, jobs=jobs, batch_size=batch_size,
            decode_errors=decode_errors, progress=progress, client=client, stdin=stdin, skip=done,
        ):
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS, lineterminator="\n") if fmt == "csv" else None
            for _doc_id, records in chunk:
                for record in records:
                    if writer is None:
                        text.write(json.dumps(record, ensure_ascii=False) + "\n")
                    else:
                        writer.writerow(flat_record(record))
                sentences += len(records)
            raw.write(text.getvalue().encode("utf-8"))
            raw.flush()
            os.fsync(raw.fileno())
            log.write(json.dumps({"docs": [doc_id for doc_id, _ in chunk], "bytes": raw.tell()}) + "\n")
            log.flush()
            documents += len(chunk)
        raw.flush()
        os.fsync(raw.fileno())
    _publish(journal.partial, output, replace=resume or overwrite)
    journal.journal.unlink(missing_ok=True)
    return ScoreSummary(output=output, documents=documents, sentences=sentences, skipped=len(done))


def _publish(partial: Path, output: Path, *, replace: bool) -> None:
    """Move the finished partial file to ``output`` in one atomic step."""
    if replace:
        os.replace(partial, output)
        return
    try:
        os.link(partial, output)
    except FileExistsError:
        raise OutputExistsError(f"{output} appeared while scoring; results kept in {partial}") from None
    except OSError:  # no hard links on this file system
        check_writable(output, overwrite=False)
        os.replace(partial, output)
        return
    partial.unlink()


def _prepare_resume(output: Path, fmt: str, journal: _Journal) -> tuple[set[str], int]:
    if journal.exists():
        return journal.recover()
    if output.exists():
        # Extend a finished output: copy it to the partial file and carry on from there.
        done = _ids_in_output(output, fmt)
        data = output.read_bytes()
        journal.partial.write_bytes(data)
        journal.journal.write_text(json.dumps({"docs": sorted(done), "bytes": len(data)}) + "\n", encoding="utf-8")
        return done, len(data)
    return set(), 0


CSV_COLUMNS = ["doc_id", "date", "index", "start", "end", "text", "label"] + [f"p_{label}" for label in LABELS]


def flat_record(record: dict[str, Any]) -> dict[str, Any]:
    """A sentence record with one ``p_<label>`` column per label."""
    row = {k: v for k, v in record.items() if k != "probabilities"}
    row.update({f"p_{label}": record["probabilities"].get(label) for label in LABELS})
    return row


def profile(records: Iterable[dict[str, Any]], *, by: str = "doc_id") -> Any:
    """Counts and shares of each label per document or per month: the escalation profile.

    Parameters
    ----------
    records : iterable of dict
        Sentence records from :func:`iter_scores` (or read back from an output file).
    by : {"doc_id", "month"}
        Group per document, or per calendar month of the ``date`` field (records
        without a date are left out of the monthly profile).

    Returns
    -------
    pandas.DataFrame
        One row per document (column ``doc_id``) or month (column ``period``), with
        ``sentences``, ``n_<label>``, ``share_<label>`` and ``escalation_share``.
    """
    import pandas as pd

    if by not in ("doc_id", "month"):
        raise InputValueError(f"by must be 'doc_id' or 'month', got {by!r}")
    frame = pd.DataFrame([{"doc_id": r["doc_id"], "date": r.get("date"), "label": r["label"]} for r in records],
                         columns=["doc_id", "date", "label"])
    if by == "month":
        frame = frame.dropna(subset=["date"])
        frame["period"] = pd.to_datetime(frame["date"], errors="coerce").dt.to_period("M")
        frame = frame.dropna(subset=["period"])
        key = "period"
    else:
        key = "doc_id"
    counts = frame.groupby([key, "label"], sort=True).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(LABELS), fill_value=0)
    result = counts.add_prefix("n_")
    result.insert(0, "sentences", counts.sum(axis=1))
    for label in LABELS:
        result[f"share_{label}"] = counts[label] / result["sentences"].where(result["sentences"] > 0, 1)
    escalation = [label for label in LABELS if label != "neutral"]
    result["escalation_share"] = counts[escalation].sum(axis=1) / result["sentences"].where(result["sentences"] > 0, 1)
    return result.reset_index()
