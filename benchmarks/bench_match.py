"""Matcher figures: dev-set accuracy (top-1/top-3, per language), latency, 1 MB paste, KB load and
process start-up. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_match.py [--dev PATH] [--misses]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.engine.match import match  # noqa: E402
from assistant.engine.normalise import normalise  # noqa: E402
from assistant.kb.load import KnowledgeBaseError, load_kb, read  # noqa: E402


def _kb():
    started = time.perf_counter()
    try:
        kb = load_kb()
        strict = True
    except KnowledgeBaseError:
        kb = read()  # entries still being written: measure on what exists
        strict = False
    return kb, time.perf_counter() - started, strict


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def _rows(path: Path) -> list[dict]:
    """dev.jsonl rows, or seed cases (YAML: text/expect/lang) in the same shape."""
    if path.suffix == ".yaml":
        import yaml

        cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return [{"id": c["id"], "lang": c["lang"], "text": c["text"], "label": c["expect"]} for c in cases]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def accuracy(kb, dev: Path, show_misses: bool) -> None:
    rows = _rows(dev)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        ok = {row["label"], *row.get("also_ok", [])}
        ranked = [candidate.id for candidate in match(normalise(row["text"]), kb)]
        top1 = bool(ranked[:1]) and ranked[0] in ok
        top3 = bool(ok & set(ranked[:3]))
        for key in ("all", row["lang"]):
            totals[key][0] += 1
            totals[key][1] += top1
            totals[key][2] += top3
        if show_misses and not top1:
            print(f"  miss {row['id']} [{row['lang']}] want {row['label']} got {ranked[:3]}")
    print(f"{dev.name} accuracy ({len(rows)} items, {len(kb.entries)} entries in the KB):")
    for key, (n, one, three) in sorted(totals.items(), key=lambda item: item[0] != "all"):
        print(f"  {key:8} n={n:3}  top-1 {100 * one / n:5.1f} %  top-3 {100 * three / n:5.1f} %")


def latency(kb, texts: list[str], label: str, rounds: int = 3) -> None:
    match(normalise(texts[0]), kb)  # builds the index once
    samples = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            match(normalise(text), kb)
            samples.append(time.perf_counter() - started)
    p50, p99 = _percentiles(samples)
    print(f"{label}: p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms over {len(samples)} runs")


def synthetic_kb(kb, size: int):
    """`size` entries cloned from the real ones with invented codes and shuffled phrases."""
    rng = random.Random(7)
    base = list(kb.entries.values())
    words = sorted({w for e in base for ps in e.signals.phrases.values() for p in ps for w in p.split()})
    entries = {}
    for number in range(size):
        template = base[number % len(base)]
        phrases = {lang: [" ".join(rng.sample(words, min(3, len(words)))) for _ in range(3)] for lang in ("en", "ko")}
        signals = template.signals.model_copy(update={"codes": [f"SYN_ERR_{number}"], "phrases": phrases})
        entry = template.model_copy(update={"id": f"syn-{number}", "signals": signals})
        entries[entry.id] = entry
    taxonomy = dict(kb.taxonomy) | {key: kb.taxonomy[next(iter(kb.taxonomy))] for key in entries}
    return replace(kb, entries=entries, taxonomy=taxonomy)


def startup() -> None:
    command = [str(ROOT / ".venv/bin/ssl-assistant"), "diagnose", "ERR_CERT_DATE_INVALID", "--json"]
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        samples.append(time.perf_counter() - started)
    print(f"start-up `ssl-assistant diagnose ERR_CERT_DATE_INVALID --json`: median {statistics.median(samples):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared/eval/dev.jsonl")
    parser.add_argument("--misses", action="store_true", help="list the items whose top-1 is wrong")
    args = parser.parse_args()
    kb, load_s, strict = _kb()
    print(
        f"kb load: {load_s * 1000:.0f} ms ({'strict' if strict else 'lenient: KB has problems'}), "
        f"{len(kb.entries)} entries, {len(kb.vocabulary)} vocabulary rows"
    )
    started = time.perf_counter()
    match(normalise("warm-up"), kb)
    print(f"index build (first match): {(time.perf_counter() - started) * 1000:.0f} ms")
    if args.dev.exists():
        accuracy(kb, args.dev, args.misses)
    own = ROOT / "tests" / "seed_cases" / "tuning.yaml"
    if own.exists():
        accuracy(kb, own, args.misses)
        texts = [json.loads(line)["text"] for line in args.dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        texts = ["ERR_CERT_DATE_INVALID"]
    latency(kb, texts, "diagnose latency, real KB")
    if kb.entries:
        latency(synthetic_kb(kb, 10_000), texts, "diagnose latency, synthetic 10,000-entry KB", rounds=1)
    line = "2024-05-01 10:00:00.123 WARN [pool-1] c.e.Client - javax.net.ssl.SSLHandshakeException: PKIX path building failed\n"
    big = line * (1_000_000 // len(line))
    started = time.perf_counter()
    found = match(normalise(big), kb)
    print(f"1 MB paste: {time.perf_counter() - started:.3f} s, top {found[0].id if found else None}")
    startup()


if __name__ == "__main__":
    main()
