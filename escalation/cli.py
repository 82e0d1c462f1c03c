"""The ``escalation`` command line.

``escalation score``, ``explain``, ``train`` and ``evaluate``. :func:`main` takes
``argv`` so that tests call it directly; it returns the exit status: 0 on success,
1 on an error (printed as one line on stderr), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from escalation._version import __version__
from escalation.errors import EscalationError

__all__ = ["build_parser", "main", "run_command"]

_TRUST_HELP = (
    "unpickle a .joblib model that the package does not ship; unpickling runs code, "
    "so only for files you trust"
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``escalation`` command."""
    parser = argparse.ArgumentParser(
        prog="escalation",
        description="Label escalation rhetoric (threat, conditional retaliation, deterrence, neutral) sentence by sentence.",
    )
    parser.add_argument("--version", action="version", version=f"escalation {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    score = commands.add_parser(
        "score",
        help="label every sentence of a text file, a directory of .txt files, a JSONL or CSV file, or stdin",
        description="Label every sentence. One record per sentence: document id, index, start, end, text, label "
        "and probabilities.",
    )
    score.add_argument("input", help="a .txt file, a directory of .txt files, a .jsonl or .csv file, or - for stdin")
    score.add_argument("--format", choices=("table", "jsonl", "csv"), default=None,
                       help="output format (default: table on a terminal, else jsonl; with --output, from its suffix)")
    score.add_argument("--output", "-o", help="write records to this .jsonl or .csv file (atomically)")
    score.add_argument("--force", action="store_true", help="replace an existing --output file")
    score.add_argument("--resume", action="store_true",
                       help="continue an interrupted run: keep the documents already in --output and score the rest")
    score.add_argument("--id-field", default="id", help="JSONL/CSV field holding the document id (default: id)")
    score.add_argument("--text-field", default="text", help="JSONL/CSV field holding the text (default: text)")
    score.add_argument("--jobs", "-j", type=int, default=1, help="parallel worker processes (default: 1)")
    score.add_argument("--batch-size", type=int, default=None, help="documents per chunk (default: automatic)")
    score.add_argument("--decode-errors", choices=("strict", "replace"), default="strict",
                       help="what to do with bytes that are not valid UTF-8 (default: strict, an error)")
    score.add_argument("--progress", choices=("auto", "on", "off"), default="auto",
                       help="progress bar on stderr (default: auto, only on a terminal)")
    _add_model_options(score)

    explain = commands.add_parser("explain", help="show the n-grams behind one sentence's label")
    explain.add_argument("sentence", help="the sentence to explain")
    explain.add_argument("--top", type=int, default=5, help="n-grams per label (default: 5)")
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_model_options(explain)

    train = commands.add_parser("train", help="train a model (see `escalation train --help`)", add_help=False)
    train.add_argument("args", nargs=argparse.REMAINDER)
    evaluate = commands.add_parser("evaluate", help="evaluate a model (see `escalation evaluate --help`)",
                                   add_help=False)
    evaluate.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="model file (.joblib or .skops; default: the shipped model)")
    parser.add_argument("--trust-model", action="store_true", help=_TRUST_HELP)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("train", "evaluate"):
        return _delegate(argv[0], argv[1:])
    return run_command(build_parser(), argv, lambda args: _score(args) if args.command == "score" else _explain(args))


def run_command(
    parser: argparse.ArgumentParser,
    argv: Sequence[str] | None,
    action: Callable[[argparse.Namespace], int],
    *,
    interrupted: str = "escalation: interrupted",
) -> int:
    """Parse ``argv`` and run ``action``; turn every expected failure into an exit status.

    Usage errors give 2 (argparse prints them), our own errors and OS errors give 1
    with one readable line on stderr, an interrupt gives 130, and a closed pipe
    (``| head``) ends quietly.
    """
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return action(args)
    except KeyboardInterrupt:
        print(interrupted, file=sys.stderr)
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (EscalationError, OSError) as error:
        _print_error(error)
        return 1


def _delegate(command: str, argv: list[str]) -> int:
    if command == "train":
        from escalation.train import main as run
    else:
        from escalation.evaluation import main as run
    return run(argv)


def _print_error(error: BaseException) -> None:
    if isinstance(error, OSError) and error.filename is not None:
        message = f"{error.filename}: {error.strerror or error}"
    else:
        message = str(error)
    lines = message.splitlines() or [type(error).__name__]
    print(f"escalation: error: {lines[0]}", file=sys.stderr)
    for line in lines[1:]:
        print(f"  {line.strip()}", file=sys.stderr)


def _load(args: argparse.Namespace):
    from escalation.persistence import load_model

    return load_model(args.model, trusted=args.trust_model) if args.model else load_model()


def _score(args: argparse.Namespace) -> int:
    from escalation.scoring import iter_scores, score_corpus

    model = _load(args)
    options = dict(model=model, id_field=args.id_field, text_field=args.text_field, jobs=args.jobs,
                   batch_size=args.batch_size, decode_errors=args.decode_errors)
    if args.output:
        if args.format not in (None, Path(args.output).suffix.lstrip(".").lower()):
            raise EscalationError(f"--format {args.format} does not match the output file {args.output}")
        summary = score_corpus(args.input, args.output, overwrite=args.force, resume=args.resume, stdin=sys.stdin,
                               progress={"auto": None, "on": True, "off": False}[args.progress], **options)
        done = f" ({summary.skipped} documents done before)" if summary.skipped else ""
        print(f"escalation: scored {summary.documents} documents, {summary.sentences} sentences{done} "
              f"-> {summary.output}", file=sys.stderr)
        return 0
    if args.force or args.resume:
        raise EscalationError("--force and --resume apply to --output only")
    records = iter_scores(args.input, stdin=sys.stdin, progress=args.progress == "on", **options)
    fmt = args.format or ("table" if sys.stdout.isatty() else "jsonl")
    write_records(records, sys.stdout, fmt)
    return 0


def write_records(records: Iterable[dict[str, Any]], out: TextIO, fmt: str) -> None:
    """Write sentence records to ``out`` as a table, JSON Lines or CSV."""
    from escalation.scoring import CSV_COLUMNS, flat_record

    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow(flat_record(record))
    else:
        document = None
        for record in records:
            if record["doc_id"] != document:
                document = record["doc_id"]
                out.write(f"== {document}\n{'#':>4} {'span':<13} {'label':<24} {'p':>5}  text\n")
            probability = record["probabilities"][record["label"]]
            text = record["text"] if len(record["text"]) <= 90 else record["text"][:87] + "..."
            span = f"{record['start']}-{record['end']}"
            out.write(f"{record['index']:>4} {span:<13} {record['label']:<24} {probability:5.2f}  {text}\n")


def _explain(args: argparse.Namespace) -> int:
    model = _load(args)
    explanation = model.explain(args.sentence, top=args.top)
    if args.json:
        payload = {
            "text": explanation.text,
            "label": explanation.label,
            "probabilities": explanation.probabilities,
            "scores": explanation.scores,
            "contributions": {
                label: [{"feature": c.feature, "kind": c.kind, "value": c.value, "contribution": c.contribution}
                        for c in terms]
                for label, terms in explanation.contributions.items()
            },
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 0
    buffer = io.StringIO()
    probability = explanation.probabilities[explanation.label]
    buffer.write(f"{explanation.label} ({probability:.2f})  {explanation.text}\n")
    for label, terms in explanation.contributions.items():
        buffer.write(f"\n{label}: score {explanation.scores[label]:+.3f} "
                     f"(intercept {explanation.intercepts[label]:+.3f}), p = {explanation.probabilities[label]:.3f}\n")
        for c in terms:
            buffer.write(f"  {c.contribution:+.3f}  {c.feature!r} ({c.kind}, tf-idf {c.value:.3f})\n")
    sys.stdout.write(buffer.getvalue())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
