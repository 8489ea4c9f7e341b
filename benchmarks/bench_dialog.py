"""Measures the guided dialog: questions asked before the right diagnosis leads, and how often the
conversation ends on it. Prints figures; asserts nothing.

1. The scripted seed conversations (tests/cases/*.yaml), answered as written.
2. Our own tuning pastes (tests/seed_cases/tuning.yaml) and, for triage alone, one paste that names
   nothing for every diagnosis of the taxonomy, with the simulated user below.
3. /work/shared/eval/dev.jsonl (or the path given) with a simulated user who knows the true
   diagnosis: to each question it gives the answer that the rules say supports that diagnosis most
   (Session.answer_support), and "I don't know" when no answer moves it. The texts are only read
   here, never copied anywhere.

    .venv/bin/python benchmarks/bench_dialog.py [DEV_JSONL]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from assistant.engine.drive import drive, run_script
from assistant.engine.session import Session
from assistant.kb.load import read
from assistant.model import SuggestProbe

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


class Probe:
    """Counts questions until `target` first leads, and notes a probe suggested while a target was
    among the top three (what only a probe can decide ends there; the simulated user declines)."""

    def __init__(self, targets: set[str]) -> None:
        self.targets = targets
        self.led_after: int | None = None
        self.probe_with_target = False

    def __call__(self, session: Session) -> None:
        candidates = session.candidates
        if self.led_after is None and candidates and candidates[0].id in self.targets:
            self.led_after = len(session.asked)

    def probed(self, session: Session, step: SuggestProbe) -> None:
        if {c.id for c in session.candidates[:3]} & self.targets:
            self.probe_with_target = True


def simulated_user(session: Session, truth: str):
    def answer(question_id: str):
        support = session.answer_support(question_id)
        best = max(support, key=lambda value: support[value].get(truth, 0.0), default=None)
        if best is None or support[best].get(truth, 0.0) <= 0:
            return None
        return best

    return answer


VAGUE = "Our HTTPS site has a problem, please help."


def simulate(kb, text: str, truth: str) -> tuple[tuple[bool, bool, int, int | None], str | None, bool]:
    session = Session(kb, now=NOW)
    probe = Probe({truth})
    session.say(text)
    final = drive(session, simulated_user(session, truth), on_step=probe, on_probe=probe.probed)
    top = final.diagnosis.candidates[0].id if final.diagnosis.candidates else None
    return (top == truth, top == truth, len(session.asked), probe.led_after), top, probe.probe_with_target


def report(name: str, rows: list[tuple[bool, bool, int, int | None]], elapsed: float) -> None:
    n = len(rows)
    right = sum(r[0] for r in rows)
    lenient = sum(r[1] for r in rows)
    asked = [r[2] for r in rows]
    led = [r[3] if r[3] is not None else r[2] for r in rows]
    print(f"{name}: {n} conversations")
    print(f"  ends on the right diagnosis        {right / n:6.1%}  ({right}/{n})")
    print(f"  ... or an accepted alternative      {lenient / n:6.1%}")
    print(
        f"  questions before the right one leads  mean {statistics.mean(led):.2f}  (never led: {sum(r[3] is None for r in rows)})"
    )
    print(f"  questions per conversation            mean {statistics.mean(asked):.2f}  max {max(asked)}")
    print(f"  time per conversation                 {elapsed / n * 1000:.1f} ms")


def main() -> None:
    kb = read()
    rows = []
    start = time.perf_counter()
    for path in sorted((ROOT / "tests" / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")):
            probe = Probe({case["expect"]})
            asked, final = run_script(Session(kb, now=NOW), case["paste"], case["answers"], on_step=probe)
            top = final.diagnosis.candidates[0].id if final.diagnosis.candidates else None
            rows.append((top == case["expect"], top == case["expect"], len(asked), probe.led_after))
    report("scripted seed conversations", rows, time.perf_counter() - start)

    rows = []
    start = time.perf_counter()
    for case in yaml.safe_load((ROOT / "tests" / "seed_cases" / "tuning.yaml").read_text("utf-8")):
        rows.append(simulate(kb, case["text"], case["expect"])[0])
    report("simulated user over our own tuning pastes", rows, time.perf_counter() - start)

    # Triage alone: a paste that names nothing, and a user who knows the answer for each diagnosis.
    rows, misses, probed = [], [], []
    start = time.perf_counter()
    for diagnosis_id in kb.taxonomy:
        row, top, probe_with_target = simulate(kb, VAGUE, diagnosis_id)
        rows.append(row)
        if not row[0]:
            misses.append(f"{diagnosis_id} -> {top}")
            if probe_with_target:
                probed.append(diagnosis_id)
    report("triage from a paste that names nothing, simulated user, every diagnosis", rows, time.perf_counter() - start)
    print("  misses: " + ", ".join(misses))
    n = len(rows)
    print(
        f"  missed, but a probe was suggested with the right one in the top 3: {len(probed)}/{n} ({', '.join(probed)})"
    )
    print(f"  ends right or probe suggested with it in the top 3: {(sum(r[0] for r in rows) + len(probed)) / n:.1%}")

    dev = Path(sys.argv[1]) if len(sys.argv) > 1 else DEV
    if not dev.is_file():
        print(f"(no {dev}: skipped the simulated-user run)")
        return
    rows, misses = [], []
    start = time.perf_counter()
    for line in dev.read_text("utf-8").splitlines():
        item = json.loads(line)
        session = Session(kb, now=NOW)
        probe = Probe({item["label"]})
        session.say(item["text"])
        final = drive(session, simulated_user(session, item["label"]), on_step=probe)
        top = final.diagnosis.candidates[0].id if final.diagnosis.candidates else None
        ok = {item["label"], *item.get("also_ok", [])}
        rows.append((top == item["label"], top in ok, len(session.asked), probe.led_after))
        if top != item["label"]:
            misses.append(f"{item['id']}: {item['label']} -> {top}")
    report(f"simulated user over {dev.name}", rows, time.perf_counter() - start)
    print("  misses: " + ", ".join(misses))


if __name__ == "__main__":
    main()
