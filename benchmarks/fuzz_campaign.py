"""A long fuzzing campaign: the properties of ``tests/fuzz`` with a large budget and random seeds.

Every target of :mod:`fuzz_targets` (CSV intake, variables files, the graph
readers, format detection, LLM output parsing and drafting, edit operations,
the command line) is run for ``--examples`` inputs (or ``--seconds``,
whichever comes first), in chunks with fresh random seeds.  A crash is any
exception the contract does not allow (see ``tests/fuzz/fuzz_targets.py``);
crashes are grouped by signature (exception type and the innermost frame in
``assistant/``), and the first input of each group is written to
``benchmarks/results/fuzz-crashes/<target>/`` in the corpus format, ready to
be triaged into ``tests/fuzz/corpus/<target>/`` once fixed.

Usage::

    python benchmarks/fuzz_campaign.py [--examples 20000] [--seconds 120] [--targets csv,spec] [--seed N]
                                       [--json] [--write-docs]

``--write-docs`` rewrites the figures section of ``docs/fuzzing.md`` (inputs
tried per target, crashes, time) and ``benchmarks/results/fuzzing.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

# Like the test suite's autouse fixture: never touch the real per-user data directory.
_HOME = Path(__import__("tempfile").mkdtemp(prefix="fuzz-campaign-home-"))
os.environ["CAUSAL_ASSISTANT_HOME"] = str(_HOME)
os.environ["CAUSAL_ASSISTANT_CONFIG"] = str(_HOME / "config.toml")
os.environ.pop("DATABASE_URL", None)

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

import fuzz_targets  # noqa: E402
from fuzz_targets import TARGETS  # noqa: E402

CRASHES = ROOT / "benchmarks" / "results" / "fuzz-crashes"
RESULTS = ROOT / "benchmarks" / "results" / "fuzzing.json"
DOCS = ROOT / "docs" / "fuzzing.md"
BEGIN, END = "<!-- campaign figures: begin -->", "<!-- campaign figures: end -->"


def signature(exc: BaseException) -> str:
    """Exception type plus the innermost frame in our code (or the assertion's first words)."""
    if isinstance(exc, AssertionError) and str(exc).startswith("untyped error") and exc.__context__ is not None:
        exc = exc.__context__  # the check re-raised a foreign exception as "untyped error ..."
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "/assistant/" in f.filename and "/tests/" not in f.filename]
    where = f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].lineno}" if frames else "?"
    if isinstance(exc, AssertionError):
        return f"AssertionError: {str(exc).split(':')[0][:80]}"
    return f"{type(exc).__name__} at {where}"


class Hang(Exception):
    """One input took longer than ``--timeout`` seconds."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise Hang("no answer within the time limit")


def run_target(name: str, examples: int, seconds: float, rng: random.Random, chunk: int = 250,
               timeout: float = 60) -> dict[str, Any]:
    target = TARGETS[name]
    tried = 0
    crashes: dict[str, dict[str, Any]] = {}
    slowest = {"seconds": 0.0, "input": None}
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _alarm)

    def prop(case: Any) -> None:
        nonlocal tried
        tried += 1
        t0 = time.monotonic()
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                target.check(case)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except Exception as exc:  # noqa: BLE001 - recorded, and the campaign goes on
            sig = f"Hang (over {timeout:.0f} s)" if isinstance(exc, Hang) else signature(exc)
            entry = crashes.setdefault(sig, {"signature": sig, "count": 0, "message": f"{type(exc).__name__}: "
                                                                                       f"{str(exc)[:300]}"})
            entry["count"] += 1
            if "file" not in entry:
                folder = CRASHES / name
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"crash-{len(crashes):03d}"
                path.write_bytes(target.encode(case))
                entry["file"] = str(path.relative_to(ROOT))
                entry["traceback"] = "".join(traceback.format_exception(exc)[-6:])
        took = time.monotonic() - t0
        if took > slowest["seconds"]:
            slowest.update(seconds=round(took, 2), input=target.encode(case).decode("utf-8", "replace")[:300])

    seeds = []
    while tried < examples and time.monotonic() - started < seconds:
        s = rng.randrange(2**32)
        seeds.append(s)
        budget = min(chunk, examples - tried)
        test = settings(max_examples=budget, database=None, deadline=None, derandomize=False,
                        phases=[Phase.generate], suppress_health_check=list(HealthCheck))(given(target.strategy)(prop))
        hypothesis_seed(s)(test)()
    elapsed = time.monotonic() - started
    return {"target": name, "description": target.description, "inputs": tried, "seconds": round(elapsed, 1),
            "inputs_per_second": round(tried / elapsed, 1) if elapsed else None, "crashes": list(crashes.values()),
            "slowest": slowest, "seeds": seeds}


def markdown(report: dict[str, Any]) -> str:
    lines = [BEGIN, "",
             f"Run on {report['date']} ({report['machine']}, Python {report['python']}), "
             f"budget {report['examples']} inputs or {report['seconds']:.0f} s per target, whichever came first, "
             f"master seed {report['master_seed']} (`--seed {report['master_seed']}` draws the same inputs again; "
             "within a time budget, how many of them are tried depends on the machine's speed and load):",
             "", "| target | what | inputs tried | time (s) | inputs/s | slowest input (s) | distinct crashes |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for r in report["targets"]:
        lines.append(f"| `{r['target']}` | {r['description']} | {r['inputs']} | {r['seconds']} | "
                     f"{r['inputs_per_second']} | {r['slowest']['seconds']} | {len(r['crashes'])} |")
    total = sum(r["inputs"] for r in report["targets"])
    spent = sum(r["seconds"] for r in report["targets"])
    found = sum(len(r["crashes"]) for r in report["targets"])
    lines += ["", f"Total: **{total} inputs** in {spent:.0f} s, **{found} crashes** "
                  f"(distinct signatures) in this run."]
    for r in report["targets"]:
        for c in r["crashes"]:
            lines.append(f"- `{r['target']}`: {c['signature']} ({c['count']}x), input in `{c['file']}`")
    lines += ["", END]
    return "\n".join(lines)


def write_docs(report: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    block = markdown(report)
    text = DOCS.read_text() if DOCS.exists() else f"# Fuzzing\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text += "\n" + block + "\n"
    DOCS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20000, help="inputs per target (default 20000)")
    parser.add_argument("--seconds", type=float, default=120, help="time limit per target (default 120)")
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated, of: {', '.join(TARGETS)}")
    parser.add_argument("--seed", type=int, default=None, help="master seed (default: random)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds one input may take before it counts "
                                                                  "as a hang (default 60)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--write-docs", action="store_true", help="update docs/fuzzing.md and the results JSON")
    args = parser.parse_args(argv)
    master = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(master)
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)}")
    results = []
    for name in names:
        r = run_target(name, args.examples, args.seconds, rng, timeout=args.timeout)
        results.append(r)
        print(f"{name:12s} {r['inputs']:7d} inputs {r['seconds']:7.1f} s  {len(r['crashes'])} crashes",
              file=sys.stderr, flush=True)
        for c in r["crashes"]:
            print(f"    {c['signature']} x{c['count']}: {c['message'][:200]}  [{c['file']}]", file=sys.stderr)
    report = {"date": time.strftime("%Y-%m-%d"), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "python": platform.python_version(), "master_seed": master, "examples": args.examples,
              "seconds": args.seconds, "targets": results}
    if args.json:
        print(json.dumps(report, indent=2))
    if args.write_docs:
        write_docs(report)
    return 0 if not any(r["crashes"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["fuzz_targets", "main", "run_target"]
