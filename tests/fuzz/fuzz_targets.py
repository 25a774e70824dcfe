"""The fuzz targets: for every parser and entry point, a hypothesis strategy of hostile inputs and a property.

The property is always the same contract (issue 7, "Fuzzing"): every input
either parses into something valid, or raises a typed error — a
:class:`~assistant.errors.CausalAssistantError` subclass that says what is
wrong and, where there is one, where (file, line, column or path) — and
nothing is written.  Anything else (``KeyError``, ``RecursionError``,
``csv.Error``, a pydantic ``ValidationError`` leaking out, an invalid graph
returned as if it were fine, a traceback on the command line) is a *crash*.

Each :class:`Target` bundles

* ``strategy`` — the inputs (random data *and* mutations of valid documents);
* ``check(case)`` — runs the entry point on one input and asserts the contract
  (it raises for a crash: either the foreign exception itself or an
  ``AssertionError`` saying which part of the contract broke);
* ``encode``/``decode`` — the input as the bytes of a corpus file
  (``tests/fuzz/corpus/<target>/<name>``), replayed by ``test_corpus.py``;
* ``examples`` — the default per-test budget (all fuzz tests together stay
  under a minute on a 2-core machine); ``benchmarks/fuzz_campaign.py`` runs
  the same properties with a large budget.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "formats"))

from formats_strategies import causal_graphs, smoking_graph  # noqa: E402

from assistant.errors import CausalAssistantError, LLMError  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]
    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]
    examples: int


def _typed(err: BaseException, *, file: str | None = None, need_line: bool = False) -> None:
    """``err`` must be one of ours, with a message and (when asked) a location in ``file``."""
    assert isinstance(err, CausalAssistantError), f"untyped error {type(err).__name__}: {err}"
    assert err.message and err.message.strip(), f"{type(err).__name__} without a message"
    if file is not None:
        assert err.location is not None and err.location.file == file, \
            f"{type(err).__name__} does not name the file {file!r}: {err} (location {err.location!r})"
    if need_line:
        assert err.location is not None and err.location.line is not None, \
            f"{type(err).__name__} does not say which line: {err}"


def _text_codec() -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    return (lambda s: s.encode("utf-8", "surrogatepass"), lambda b: b.decode("utf-8", "surrogatepass"))


def _json_codec() -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    return (lambda v: json.dumps(v, ensure_ascii=True, indent=1).encode(), lambda b: json.loads(b.decode()))


# --- shared building blocks ----------------------------------------------------------------------------------

NASTY = ["", " ", "\n", "\r\n", "\r", "\t", "\x00", "\ufeff", "\u2028", "\u200b", "\\", '"', "'", ",", ";", "{",
         "}", "[", "]", "->", "<->", "--", "#", "//", "/*", "*/", "&", "&#0;", "null", "NaN", "inf", "-1", "1e309",
         "0x10", "true", "é", "变量", "🙂", "\udcff", "a" * 300, "%s", "{{x}}", "${x}"]
nasty_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=30),
                       st.text(st.characters(codec="utf-8"), max_size=12),
                       # every category, lone surrogates included (what undecodable bytes in argv become)
                       st.text(st.characters(blacklist_categories=()), min_size=1, max_size=6))


def assert_storable(value: Any, what: str) -> None:
    """What parsed can be stored and written: strict JSON (no NaN or infinity) that encodes as UTF-8."""
    try:
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:
        raise AssertionError(f"{what} parsed but cannot be stored: {exc}") from None


def mutate(text: str, ops: list[tuple[str, int, int, str]]) -> str:
    """Apply character- and token-level mutations: delete, insert, duplicate, swap."""
    tokens = re.findall(r"\s+|\w+|<->|->|--|\"|.", text, re.S)
    for kind, i, j, piece in ops:
        if kind.startswith("tok") and tokens:
            a, b = i % len(tokens), j % len(tokens)
            if kind == "tok-del":
                del tokens[a]
            elif kind == "tok-dup":
                tokens.insert(a, tokens[a])
            elif kind == "tok-swap":
                tokens[a], tokens[b] = tokens[b], tokens[a]
            elif kind == "tok-ins":
                tokens.insert(a, piece)
            elif kind == "tok-move":
                tokens.insert(b, tokens.pop(a))
            elif kind == "tok-rep":  # deep nesting from '{' or '[', huge numbers from digits, long names
                tokens[a:a + 1] = [tokens[a]] * REPEATS[j % len(REPEATS)]
        elif kind.startswith("chr"):
            flat = "".join(tokens)
            a = i % (len(flat) + 1)
            if kind == "chr-del":
                flat = flat[:a] + flat[a + 1 + j % 4:]
            elif kind == "chr-dup":
                flat = flat[:a] + flat[a:a + 1 + j % 8] + flat[a:]
            elif kind == "chr-ins":
                flat = flat[:a] + piece + flat[a:]
            elif kind == "chr-cut":  # truncate
                flat = flat[:a]
            elif kind == "chr-rep":
                flat = flat[:a] + (piece or "[") * REPEATS[j % len(REPEATS)] + flat[a:]
            tokens = re.findall(r"\s+|\w+|<->|->|--|\"|.", flat, re.S)
    return "".join(tokens)


REPEATS = [2, 30, 150, 1200, 5000]
MUTATIONS = ["tok-del", "tok-dup", "tok-swap", "tok-ins", "tok-move", "tok-rep", "chr-del", "chr-dup", "chr-ins",
             "chr-cut", "chr-rep"]
SYNTAX = [*'{}[]"\'\\;,=<>-@#/*+:\n \t&\r()', "->", "<->", "--", "dag", "digraph", "graph", "node", "edge",
          "&#", "@->", "[exposure]", "[latent]", "pos=", "id", "source", "target", "\x00", "\ufeff", "1e999",
          "NaN", "-0", "9" * 400, "\\n", '\\"', "true", "null"]
mutation_lists = st.lists(st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10**6), st.integers(0, 10**6),
                                    st.sampled_from(SYNTAX) | st.text(max_size=3)), min_size=1, max_size=6)


# --- CSV intake ------------------------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "shift_jis", "gb18030",
             "koi8-r", "mac-roman", "utf-7"]
_csv_field = st.one_of(
    st.integers(-10**6, 10**6).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "NA", "nan", "?", "null", "1", "0", "yes", "no", "2024-01-02", "1e400", "-", "'", '"',
                     '"quoted, comma"', '"unterminated', 'a"b', "x\ny", "\x00", "\t", "é", "9" * 40]),
    st.text(max_size=8),
)


@st.composite
def csv_documents(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["structured", "structured", "structured", "bytes", "huge", "mutated"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " ", ",;"]))
    ncols = draw(st.integers(1, 5))
    header = draw(st.lists(st.one_of(st.sampled_from(["a", "b", "age", "treated", "score", "a", " ", "", "x y",
                                                      "name\x01", '"q"', "\ufeffid", "v" * 300]),
                                     st.text(max_size=6)), min_size=ncols, max_size=ncols))
    rows = draw(st.lists(st.lists(_csv_field, min_size=max(0, ncols - 1), max_size=ncols + 1), max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    if kind == "huge":
        big = draw(st.sampled_from([140_000, 300_000]))
        lines.insert(draw(st.integers(1, len(lines))), delimiter.join(["x" * big] * ncols))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3, " "]))
    if kind == "mutated":
        text = mutate(text, draw(mutation_lists))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


def check_csv(content: bytes) -> None:
    from assistant.intake import profile_csv

    try:
        frame, profile = profile_csv(content, file_name="fuzz.csv")
    except Exception as err:  # noqa: BLE001 - the contract is about which exceptions
        _typed(err, file="fuzz.csv")
        return
    assert profile.n_rows == len(frame) > 0
    assert [c.name for c in profile.columns] == list(frame.columns)
    assert len(set(frame.columns)) == len(frame.columns)
    assert_storable(profile.model_dump(mode="json"), "the dataset profile")


# --- variables files (YAML / JSON) ----------------------------------------------------------------------------

_spec_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**70) | st.floats() | nasty_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text | st.integers(), inner, max_size=4),
    max_leaves=12,
)
_spec_fields = st.fixed_dictionaries({}, optional={
    "label": _spec_values, "description": _spec_values, "data_type": st.sampled_from(["binary", "integer", "x"]) |
    _spec_values, "role": st.sampled_from(["exposure", "outcome", "exogenous", "bogus"]) | _spec_values,
    "tier": st.integers(-3, 5) | _spec_values, "observed": st.booleans() | _spec_values, "extra": _spec_values,
})
_spec_names = st.sampled_from(["a", "b", "radio_play", " padded ", "", "x\ty", "é", "a" * 300]) | nasty_text


@st.composite
def spec_documents(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["shaped", "shaped", "random", "yaml-syntax", "mutated"]))
    if kind == "random":
        return draw(st.text(max_size=200))
    if kind == "yaml-syntax":
        pieces = ["variables:", "\n", "  ", "- ", "name: ", "a", ": ", "{", "}", "[", "]", "&x ", "*x", "!!python/object",
                  "!!binary", "? ", "|", ">", "---", "...", "%YAML 1.2", "'", '"', "#", ",", "\t", "<<: *x", "!!set",
                  "~", "0o17", ".inf", "2001-12-14", "!!timestamp x", "[" * 1500, "9" * 5000, "- " * 1500,
                  "{a: " * 1500]
        return "".join(draw(st.lists(st.sampled_from(pieces) | nasty_text, max_size=40)))
    variables = draw(st.one_of(
        st.dictionaries(_spec_names, st.none() | _spec_fields | _spec_values, max_size=4),
        st.lists(st.fixed_dictionaries({"name": _spec_names}).flatmap(
            lambda d: _spec_fields.map(lambda f: {**d, **f})) | _spec_values, max_size=4),
        _spec_values,
    ))
    doc: dict[Any, Any] = {"variables": variables}
    for key in ("required_edges", "forbidden_edges"):
        if draw(st.booleans()):
            doc[key] = draw(st.lists(st.lists(_spec_names, max_size=3), max_size=3) | _spec_values)
    if draw(st.integers(0, 4)) == 0:
        doc[draw(nasty_text)] = draw(_spec_values)
    import yaml

    as_json = draw(st.booleans())
    try:
        text = json.dumps(doc, ensure_ascii=draw(st.booleans())) if as_json else yaml.safe_dump(doc, allow_unicode=True)
    except (TypeError, ValueError, yaml.YAMLError):
        text = repr(doc)
    if kind == "mutated":
        text = mutate(text, draw(mutation_lists))
    return text


def check_spec(text: str) -> None:
    from assistant.draft.spec import SpecFile, parse_spec_text

    try:
        spec = parse_spec_text(text, source="vars.yaml")
    except Exception as err:  # noqa: BLE001
        _typed(err, file="vars.yaml")
        return
    assert isinstance(spec, SpecFile)
    SpecFile.model_validate(spec.model_dump())  # what parsed is valid by its own rules
    assert_storable(spec.model_dump(mode="json"), "the variables file")


# --- graph formats ----------------------------------------------------------------------------------------------

GRAPH_FORMATS = ["json", "dagitty", "dot", "gml", "csv"]
_EXT = {"json": ".json", "dagitty": ".dag", "dot": ".dot", "gml": ".gml", "csv": ".csv"}
_FORMAT_SYNTAX = {
    "dagitty": ["dag", "pdag", "{", "}", "[", "]", "->", "<-", "<->", "--", "@", "pos=", '"', "exposure", "latent"],
    "dot": ["digraph", "graph", "strict", "subgraph", "{", "}", "[", "]", "->", "--", "=", ";", ",", '"', "<", ">",
            "node", "edge", "label", "/*", "#"],
    "gml": ["graph", "[", "]", "node", "edge", "id", "source", "target", "label", '"', "&amp;", "&#", "directed",
            "1", "-1", "1.5e3", "Creator"],
    "json": ["{", "}", "[", "]", ":", ",", '"', "null", "true", "1e999", '"variables"', '"edges"', '"format"'],
    "csv": ["source", "target", ",", ";", "\t", '"', "\n", "kind", "bidirected", "confidence", "1.5", "nan"],
}


@st.composite
def graph_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A (format, text) pair: a valid document mutated, random text in the format's alphabet, or junk."""
    from assistant.formats import write_graph

    fmt = draw(st.sampled_from(GRAPH_FORMATS))
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "valid", "tokens", "random"]))
    if kind in ("mutated", "valid"):
        graph = draw(st.just(smoking_graph()) | causal_graphs(max_variables=5))
        text = write_graph(graph, fmt)
        if kind == "mutated":
            text = mutate(text, draw(mutation_lists))
    elif kind == "tokens":
        text = "".join(draw(st.lists(st.sampled_from(_FORMAT_SYNTAX[fmt]) | st.sampled_from([" ", "\n", "a", "b"])
                                     | nasty_text, max_size=40)))
    else:
        text = draw(st.text(max_size=120))
    return {"format": fmt, "text": text, "lenient": draw(st.integers(0, 3)) == 0}


def check_graph_document(case: dict[str, Any]) -> None:
    from assistant.formats import lenient_reading, read_graph
    from assistant.model import CausalGraph

    fmt, text = case["format"], case["text"]
    try:
        if case.get("lenient"):
            with lenient_reading():
                graph = read_graph(text, fmt, source="fuzz" + _EXT[fmt])
        else:
            graph = read_graph(text, fmt, source="fuzz" + _EXT[fmt])
    except Exception as err:  # noqa: BLE001
        _typed(err, file="fuzz" + _EXT[fmt], need_line=fmt in ("dagitty", "dot", "gml", "csv"))
        return
    assert isinstance(graph, CausalGraph)
    CausalGraph.model_validate(graph.model_dump())  # really valid, not just constructed
    assert_storable(graph.model_dump(mode="json"), "the graph")


@st.composite
def detect_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Bytes of a graph file under some file name: format detection, decoding and reading end to end."""
    doc = draw(graph_documents())
    name = draw(st.sampled_from(["model", "model.txt", "model.DOT", "m.gv", "m.dag", "m.gml", "m.json", "m.csv",
                                 "m.dagitty", ".hidden", "x.tar.gz"]) | st.text(min_size=1, max_size=8))
    raw = doc["text"].encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        raw = draw(st.binary(max_size=60)) + raw[: draw(st.integers(0, len(raw)))]
    if draw(st.integers(0, 6)) == 0:
        raw = doc["text"].encode(draw(st.sampled_from(["utf-16", "latin-1", "utf-32"])), "replace")
    return {"name": name, "hex": raw.hex(), "fmt": draw(st.none() | st.sampled_from(GRAPH_FORMATS))}


def check_detect(case: dict[str, Any]) -> None:
    from assistant.formats import FORMATS, detect_format, load_graph_file
    from assistant.model import CausalGraph

    raw = bytes.fromhex(case["hex"])
    text = raw.decode("utf-8", "replace")
    name = case["name"]
    try:
        fmt = detect_format(name, text)
        assert fmt in FORMATS, f"detect_format returned {fmt!r}"
    except Exception as err:  # noqa: BLE001
        _typed(err)
    work = Path(tempfile.mkdtemp(prefix="fuzz-detect-"))
    try:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "x"
        path = work / safe
        path.write_bytes(raw)
        try:
            graph = load_graph_file(path, case.get("fmt"))
        except Exception as err:  # noqa: BLE001
            _typed(err)
            return
        assert isinstance(graph, CausalGraph)
        CausalGraph.model_validate(graph.model_dump())
        assert_storable(graph.model_dump(mode="json"), "the graph")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- LLM output parsing and the structured-output / guard path ---------------------------------------------------

ALLOWED = ["label_marketing_spend", "tiktok_use", "radio_play", "record_sales_6m"]
LLM_NAMES = ALLOWED + ["Radio play", "RADIO_PLAY", " radio play ", "artist_popularity", "ghost", "", "x" * 250,
                       "a\nb", "\x00", "radio_play\u200b", "123", "null", "<data>", "{{question}}"]
_llm_name = st.sampled_from(LLM_NAMES) | nasty_text
_llm_anything = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
                             lambda inner: st.lists(inner, max_size=3) | st.dictionaries(nasty_text, inner, max_size=3),
                             max_leaves=8)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes anything at all (wrong types)."""
    return st.one_of(strategy, strategy, strategy, _llm_anything)


_confidence = st.floats(-1, 2) | st.sampled_from([0.0, 1.0, 0.5]) | st.none()
_edge = st.fixed_dictionaries({"source": _maybe(_llm_name), "target": _maybe(_llm_name)}, optional={
    "kind": _maybe(st.sampled_from(["directed", "bidirected", "undirected"])), "rationale": _maybe(nasty_text),
    "confidence": _maybe(_confidence), "extra": _llm_anything})


@st.composite
def _edges(draw: st.DrawFn) -> list[Any]:
    if draw(st.integers(0, 15)) == 0:  # a huge array: past MAX_EDGES, or just big
        n = draw(st.sampled_from([120, 501, 2000]))
        return [{"source": ALLOWED[i % 4], "target": ALLOWED[(i + 1 + i // 4) % 4]} for i in range(n)]
    edges = draw(st.lists(_maybe(_edge), max_size=8))
    if draw(st.booleans()):  # self-loops and cycles over real names
        a, b, c = draw(st.permutations(ALLOWED))[:3]
        edges += draw(st.sampled_from([[{"source": a, "target": a}], [{"source": a, "target": b},
                                                                        {"source": b, "target": a}],
                                       [{"source": a, "target": b}, {"source": b, "target": c},
                                        {"source": c, "target": a}]]))
    return edges


_candidate = st.fixed_dictionaries({"edges": _maybe(_edges())}, optional={
    "name": _maybe(nasty_text), "summary": _maybe(nasty_text)})
_missing = st.fixed_dictionaries({"name": _maybe(_llm_name)}, optional={
    "description": _maybe(nasty_text), "why": _maybe(nasty_text),
    "affects": _maybe(st.lists(_llm_name, max_size=4))})
_draft_doc = st.fixed_dictionaries({}, optional={
    "candidates": _maybe(st.lists(_maybe(_candidate), max_size=4)),
    "inferred_question": _maybe(st.none() | st.fixed_dictionaries({}, optional={
        "exposure": _maybe(_llm_name), "outcome": _maybe(_llm_name), "confidence": _confidence})),
    "confounders": _maybe(st.lists(st.fixed_dictionaries({"name": _maybe(_llm_name),
                                                          "observed": _maybe(st.booleans())}), max_size=4)),
    "missing_variables": _maybe(st.lists(_maybe(_missing), max_size=14)),
    "roles": _maybe(st.lists(st.fixed_dictionaries({
        "name": _maybe(_llm_name), "role": _maybe(st.sampled_from(["instrument", "mediator", "collider", "x"]))}),
        max_size=4)),
    "notes": _maybe(st.lists(nasty_text, max_size=3)),
})
_critique_doc = st.fixed_dictionaries({}, optional={
    "items": _maybe(st.lists(st.fixed_dictionaries({}, optional={
        "edge": _maybe(st.none() | st.fixed_dictionaries({"source": _llm_name, "target": _llm_name}, optional={
            "kind": _maybe(st.sampled_from(["directed", "bidirected"]))})),
        "edit": _maybe(st.none() | nasty_text), "plausible": _maybe(st.booleans() | st.none()),
        "rationale": _maybe(nasty_text), "confidence": _maybe(_confidence),
        "suggested_edit": _maybe(st.none() | st.fixed_dictionaries({
            "op": _maybe(st.sampled_from(["keep", "remove_edge", "reverse_edge", "set_edge_kind", "add_edge"]))},
            optional={"source": _llm_name, "target": _llm_name,
                      "kind": _maybe(st.sampled_from(["directed", "bidirected"]))}))}), max_size=5)),
    "summary": _maybe(nasty_text)})


@st.composite
def llm_answers(draw: st.DrawFn, doc: st.SearchStrategy[Any]) -> str:
    """A model's raw answer: the JSON document, damaged, wrapped in prose or fences, or not JSON at all."""
    kind = draw(st.sampled_from(["json", "json", "fenced", "prose", "truncated", "mutated", "random", "deep",
                                 "number"]))
    if kind == "random":
        return draw(st.text(max_size=80))
    if kind == "deep":
        depth = draw(st.sampled_from([50, 900, 5000]))
        return '{"candidates": ' + "[" * depth + "]" * draw(st.sampled_from([0, depth])) + "}"
    text = json.dumps(draw(doc), ensure_ascii=draw(st.booleans()))
    if kind == "number":  # an integer or float literal too long for Python's int()
        at = text.find(":") + 1 or len(text)
        text = text[:at] + draw(st.sampled_from(["9" * 5000, "-" + "1" * 4400, "1" * 400 + ".5", "1e999"])) + \
            ("," if text[at:at + 1] not in ("}", "") else "") + text[at:]
    if kind == "fenced":
        text = f"```{draw(st.sampled_from(['json', '', 'JSON']))}\n{text}\n```"
    elif kind == "prose":
        text = f"{draw(nasty_text)} {text} {draw(nasty_text)}"
    elif kind == "truncated":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "mutated":
        text = mutate(text, draw(mutation_lists))
    return text


def check_llm_parsing(case: dict[str, Any]) -> None:
    from assistant.llm.parsing import parse_answer
    from assistant.llm.schemas import SCHEMAS

    schema = SCHEMAS[case["schema"]]
    parsed = parse_answer(case["answer"], schema)  # never raises
    if parsed.ok:
        assert isinstance(parsed.value, schema) and not parsed.errors
        schema.model_validate(parsed.value.model_dump())
    else:
        assert parsed.errors and all(isinstance(e, str) and e for e in parsed.errors), parsed.errors


llm_parsing_cases = st.sampled_from(["draft_graph", "critique_graph", "infer_question", "check"]).flatmap(
    lambda schema: llm_answers({"draft_graph": _draft_doc, "critique_graph": _critique_doc,
                                "infer_question": _draft_doc.map(lambda d: d.get("inferred_question") or {}),
                                "check": st.fixed_dictionaries({"ok": _maybe(st.booleans())},
                                                               optional={"word": _maybe(nasty_text)})}[schema])
    .map(lambda answer: {"schema": schema, "answer": answer}))


def _request(with_question: bool, required: list[tuple[str, str]]):
    from assistant.draft.spec import DraftRequest, VariableSpec

    variables = [
        VariableSpec(name="label_marketing_spend", label="Label marketing spend", tier=0),
        VariableSpec(name="tiktok_use", label="TikTok use", tier=0),
        VariableSpec(name="radio_play", label="Radio play", tier=1),
        VariableSpec(name="record_sales_6m", label="6-month record sales", tier=2),
    ]
    return DraftRequest(question="Does radio airplay raise record sales?", variables=variables,
                        exposure="radio_play" if with_question else None,
                        outcome="record_sales_6m" if with_question else None, candidates=3,
                        required_edges=required, forbidden_edges=[("record_sales_6m", "tiktok_use")])


def _assert_valid_draft_graph(graph: Any, request: Any) -> None:
    from assistant.draft.guards import MAX_INVENTED
    from assistant.graph.dag import find_cycle
    from assistant.model import CausalGraph

    CausalGraph.model_validate(graph.model_dump())
    assert_storable(graph.model_dump(mode="json"), "the draft graph")
    names = set(graph.names)
    assert set(request.observed_names) <= names
    assert set(graph.observed) == set(request.observed_names), f"an invented name became observed: {graph.observed}"
    assert len(names - set(request.names)) <= MAX_INVENTED
    assert find_cycle(graph) is None, "a draft graph has a directed cycle"
    for e in graph.edges:
        assert e.source != e.target and e.source in names and e.target in names, f"bad edge {e}"
        if e.kind == "directed":
            assert (e.source, e.target) != ("record_sales_6m", "tiktok_use"), "a forbidden edge was kept"
    assert set(graph.exposures) <= names and set(graph.outcomes) <= names


@st.composite
def llm_draft_cases(draw: st.DrawFn) -> dict[str, Any]:
    answers = [draw(llm_answers(_draft_doc)) for _ in range(2)]
    return {"answers": answers, "with_question": draw(st.booleans()),
            "required": draw(st.sampled_from([[], [["tiktok_use", "radio_play"]]])),
            "critique": [draw(llm_answers(_critique_doc)) for _ in range(2)]}


def check_llm_draft(case: dict[str, Any]) -> None:
    from assistant import gallery
    from assistant.draft import BackendContext, draft
    from assistant.draft.backend import create_backend
    from assistant.llm import LLMSettings, MemorySink, install_fake
    from assistant.llm.client import forget_methods
    from assistant.llm.registry import unregister_chat_provider

    request = _request(case["with_question"], [tuple(e) for e in case["required"]])
    forget_methods()
    fake = install_fake(list(case["answers"]))
    sink = MemorySink()
    context = BackendContext(llm_settings=LLMSettings(provider="fake", model="fake-model"), sink=sink, cache=False)
    try:
        try:
            result = draft(request, None, backend="openai", context=context)
        except Exception as err:  # noqa: BLE001
            _typed(err)
            assert isinstance(err, LLMError), f"not an LLM error: {type(err).__name__}: {err}"
        else:
            assert result.candidates, "a draft without candidates"
            for cand in result.candidates:
                _assert_valid_draft_graph(cand.graph, request)
            assert result.exposure in request.names and result.outcome in request.names
        assert len(fake.calls) <= 2, f"{len(fake.calls)} calls for one draft"
        fake.answers[:] = list(case.get("critique", []))
        fake.calls.clear()
        backend = create_backend("openai", context)
        try:
            judgements = backend.critique(gallery.load("record_sales"), request)
        except Exception as err:  # noqa: BLE001
            _typed(err)
            assert isinstance(err, LLMError), f"not an LLM error: {type(err).__name__}: {err}"
        else:
            assert isinstance(judgements, list)
    finally:
        unregister_chat_provider("fake")


# --- edit operations ----------------------------------------------------------------------------------------------

OPS = ["add_variable", "remove_variable", "update_variable", "add_edge", "remove_edge", "reverse_edge",
       "set_edge_kind", "update_edge", "set_exposures", "set_outcomes", "set_adjusted"]
_EDIT_NAMES = ["smoking", "tar", "cancer", "genotype", "ghost", "", "Smoking"]
_edit_name = st.sampled_from(_EDIT_NAMES) | nasty_text
_edit_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3), max_leaves=6)
_kind = _maybe(st.sampled_from(["directed", "bidirected"]))
_fields = st.dictionaries(st.sampled_from(["label", "description", "data_type", "observed", "tier", "role",
                                           "position", "name", "provenance", "confidence", "rationale", "evidence",
                                           "bogus"]),
                          _edit_json | st.sampled_from(["binary", "llm", "exposure", 0.5, -1, 2, {"x": 1, "y": 2},
                                                        {"x": "inf"}, [{"source": "s", "summary": "t"}]]),
                          max_size=3)


@st.composite
def edit_ops(draw: st.DrawFn) -> Any:
    op = draw(st.sampled_from(OPS) | nasty_text)
    body: dict[str, Any] = {"op": op}
    if draw(st.integers(0, 5)) == 0:
        return draw(_edit_json)
    source, target = draw(_edit_name), draw(_edit_name)
    if op == "add_variable":
        body["variable"] = draw(_maybe(st.fixed_dictionaries({"name": _edit_name}, optional={
            "observed": st.booleans(), "tier": st.integers(-2, 3), "label": nasty_text})))
    elif op in ("remove_variable", "update_variable"):
        body["name"] = draw(_edit_name)
        if op == "update_variable":
            body["fields"] = draw(_maybe(_fields))
    elif op == "add_edge":
        body["edge"] = draw(_maybe(st.fixed_dictionaries({"source": st.just(source), "target": st.just(target)},
                                                         optional={"kind": _kind, "confidence": _confidence,
                                                                   "provenance": _edit_json})))
    elif op in ("remove_edge", "reverse_edge", "set_edge_kind", "update_edge"):
        body.update(source=source, target=target)
        if op != "reverse_edge" and draw(st.booleans()):
            body["kind"] = draw(_kind)
        if op == "set_edge_kind":
            body["new_kind"] = draw(_kind)
        if op == "update_edge":
            body["fields"] = draw(_maybe(_fields))
    elif op.startswith("set_"):
        body["names"] = draw(_maybe(st.lists(_edit_name, max_size=3)))
    if draw(st.integers(0, 6)) == 0:
        body[draw(st.text(max_size=4))] = draw(_edit_json)
    return body


edit_cases = st.fixed_dictionaries({"ops": st.lists(edit_ops(), min_size=1, max_size=5)})


def check_edit(case: dict[str, Any]) -> None:
    from assistant.edit import apply_edits, parse_edit
    from assistant.model import CausalGraph

    graph = smoking_graph()
    before = graph.model_dump(mode="json")
    ops = []
    for raw in case["ops"]:
        try:
            ops.append(parse_edit(raw))
        except Exception as err:  # noqa: BLE001
            _typed(err)
            return
    try:
        result = apply_edits(graph, ops)
    except Exception as err:  # noqa: BLE001
        _typed(err)
    else:
        CausalGraph.model_validate(result.model_dump())
        assert_storable(result.model_dump(mode="json"), "the edited graph")
    assert graph.model_dump(mode="json") == before, "apply_edits changed its input graph"


# --- the command line ------------------------------------------------------------------------------------------------

FILES = {
    "good.csv": b"a,b,c\n" + b"".join(f"{i % 7},{(i * 3) % 5},{i % 2}\n".encode() for i in range(40)),
    "bad.csv": b"a,b\n1,2,3\n",
    "empty.csv": b"",
    "model.dag": b"dag { a [exposure] c [outcome] a -> b -> c a <- z -> c }\n",
    "model.dot": b"digraph { a -> b; b -> c; }\n",
    "cyclic.dag": b"dag { a -> b -> a }\n",
    "broken.gml": b"graph [ node [ id 1 label \"a\" ] edge [ source 1 target 9 ] \n",
    "vars.yaml": b"variables:\n  a: {role: exposure, tier: 0}\n  c: {role: outcome}\n",
    "bad.yaml": b"variables: [\n",
    "binary.bin": bytes(range(256)),
    "utf16.dag": "dag { a -> b }".encode("utf-16"),
}
PLACEHOLDERS = [f"{{{n}}}" for n in FILES] + ["{missing.csv}", "{dir}", "{out.dot}", "{out.py}", "{fuzz}"]
_values = st.one_of(
    st.sampled_from(PLACEHOLDERS), st.sampled_from(PLACEHOLDERS),
    st.sampled_from(["p", "g", "d", "nope", "1", "2", "0", "-1", "99999999999999999999", "a", "b", "c", "z", "a,b",
                     "gallery:record_sales", "gallery:m_bias", "gallery:nope", "gallery:", "json", "text", "dot",
                     "dagitty", "gml", "csv", "warning", "error", "in_review", "validated", "a=1", "a=*0.5", "a=",
                     "=", "nan", "inf", "1e9", "0.5", "--", "-", "", " ", "-x", "--help", "sqlite:///:memory:",
                     "postgresql://nobody@127.0.0.1:1/x", "mysql://x", "sqlite:////nonexistent/dir/x.db",
                     "notaurl", "offline", "openai", "hybrid", "Does a cause c?"]),
    nasty_text,
)


@dataclass(frozen=True)
class Param:
    name: str
    opts: tuple[str, ...]  # empty for a positional argument
    kind: str  # "flag", "choice", "int", "float", "path", "text"
    choices: tuple[str, ...] = ()
    many: bool = False
    required: bool = False


_TREE: dict[tuple[str, ...], list[Param]] = {}


def command_tree() -> dict[tuple[str, ...], list[Param]]:
    """Every command path of the CLI with its parameters (read from click, so new commands are fuzzed too)."""
    if _TREE:
        return _TREE
    import click

    from assistant.cli.main import cli

    def param(p: click.Parameter) -> Param:
        t = p.type
        if isinstance(p, click.Option) and p.is_flag:
            kind = "flag"
        elif isinstance(t, click.Choice):
            kind = "choice"
        elif isinstance(t, (click.types.IntParamType, click.IntRange)):
            kind = "int"
        elif isinstance(t, (click.types.FloatParamType, click.FloatRange)):
            kind = "float"
        elif isinstance(t, (click.Path, click.File)):
            kind = "path"
        else:
            kind = "text"
        opts = tuple(p.opts) if isinstance(p, click.Option) else ()
        return Param(p.name or "", opts, kind, tuple(getattr(t, "choices", ()) or ()), p.nargs == -1, p.required)

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, path + (name,))
        else:
            _TREE[path] = [param(p) for p in cmd.params if p.name not in ("help",)]

    walk(cli, ())
    return _TREE


# `ui` replaces the process with streamlit, `demo` is a long scripted walk and `worker` serves a queue
# forever: only their --help is fuzzed.
HELP_ONLY = {("ui",), ("demo",), ("worker",)}
# Sensible values by parameter name (the store template has project p, graph g with versions 1-2, dataset d).
_BY_NAME: dict[str, list[str]] = {
    "project": ["p", "p", "nope"], "name": ["g", "p", "d", "new", "nope"], "graph_name": ["g", "draft"],
    "graph_ref": ["g", "gallery:record_sales", "gallery:m_bias", "{model.dag}", "{model.dot}", "{cyclic.dag}",
                  "{broken.gml}", "{utf16.dag}", "{binary.bin}", "{missing.csv}", "{dir}", "gallery:nope", "{fuzz}"],
    "file": ["{model.dag}", "{model.dot}", "{cyclic.dag}", "{broken.gml}", "{utf16.dag}", "{binary.bin}",
             "{good.csv}", "{missing.csv}", "{dir}", "{fuzz}"],
    "csv_file": ["{good.csv}", "{bad.csv}", "{empty.csv}", "{binary.bin}", "{missing.csv}", "{dir}", "{fuzz}"],
    "data_file": ["{good.csv}", "{bad.csv}", "{empty.csv}", "{binary.bin}", "{missing.csv}", "{fuzz}"],
    "data": ["{good.csv}", "{bad.csv}", "{empty.csv}", "{binary.bin}", "{missing.csv}", "d", "{fuzz}"],
    "variables_file": ["{vars.yaml}", "{bad.yaml}", "{binary.bin}", "{missing.csv}", "{fuzz}"],
    "output": ["{out.dot}", "{out.py}", "{dir}", "{missing.csv}/x/y"], "against": ["1", "{model.dot}", "g", "9"],
    "exposure": ["a", "b", "z", "nope", "radio_play"], "outcome": ["c", "b", "a", "nope", "record_sales_6m"],
    "adjust": ["b", "z", "a,b", "nope", ""], "question": ["Does a cause c?", "", "?"],
    "do": ["a=1", "a=*0.5", "a=", "=", "b=nan", "nope=1", "a=1,b=2"], "message": ["m", ""],
    "refuters": ["placebo", "random_common_cause", "bogus", ""], "benchmark": ["b", "nope"],
    "select": ["", "bogus", "CA101"], "ignore": ["", "bogus"], "keys": ["bogus", "CA101", ""],
    "database_url": ["postgresql://nobody@127.0.0.1:1/x", "mysql://x", "sqlite:////nonexistent/dir/x.db",
                     "notaurl", "sqlite:///:memory:"],
    "redis_url": ["redis://127.0.0.1:1/0", "notaurl"], "queue": ["q", ""], "address": ["127.0.0.1"],
}
# Numbers stay small where they size the work (simulations, samples, paths): a big budget is slow, not wrong.
_SMALL_INTS = {"simulations", "samples", "max_sets", "max_paths", "max_implications", "candidates", "limit"}


def _value(draw: st.DrawFn, p: Param) -> str:
    if draw(st.integers(0, 7)) == 0:
        return draw(_values)
    if p.kind == "choice":
        return draw(st.sampled_from(p.choices))
    if p.kind == "int":
        pool = [0, 1, 2, 3, -1] if p.name in _SMALL_INTS else [0, 1, 2, 3, -1, 7, 2**31, 10**30]
        return str(draw(st.sampled_from(pool)))
    if p.kind == "float":
        return draw(st.sampled_from(["0.05", "0.5", "0", "1", "-1", "nan", "inf", "1e-9", "0.95"]))
    pool = _BY_NAME.get(p.name)
    if pool:
        return draw(st.sampled_from(pool))
    return draw(st.sampled_from(PLACEHOLDERS) if p.kind == "path" else _values)


@st.composite
def cli_cases(draw: st.DrawFn) -> dict[str, Any]:
    """An argument list: mostly well-formed for a real command (so the command runs), with garbage spliced in."""
    if draw(st.integers(0, 15)) == 0:
        return {"argv": draw(st.lists(_values, max_size=5)), "fuzz": ""}
    tree = command_tree()
    path = draw(st.sampled_from(sorted(tree)))
    argv: list[str] = []
    if draw(st.integers(0, 6)) == 0:
        argv += draw(st.sampled_from([["--database-url", _value(draw, Param("database_url", (), "text"))],
                                      ["--user", draw(_values)], ["--version"], ["--bogus"]]))
    argv += list(path)
    if path in HELP_ONLY:
        return {"argv": argv + ["--help"], "fuzz": ""}
    params = tree[path]
    positional = [p for p in params if not p.opts]
    options = [p for p in params if p.opts]
    for p in positional:  # usually all of them, in order
        for _ in range(draw(st.integers(1, 2)) if p.many else (0 if draw(st.integers(0, 9)) == 0 else 1)):
            argv.append(_value(draw, p))
    chosen = [p for p in options if (p.required or p.name == "project") and draw(st.integers(0, 9))]
    chosen += draw(st.lists(st.sampled_from(options), max_size=3)) if options else []
    for p in chosen:
        argv.append(draw(st.sampled_from(p.opts)))
        if p.kind != "flag" and draw(st.integers(0, 12)):
            argv.append(_value(draw, p))
    for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):  # garbage spliced in
        argv.insert(draw(st.integers(len(path), len(argv))),
                    draw(_values | st.sampled_from(["--bogus", "-q", "--format", "--format=json", "--", "-h"])))
    fuzz = draw(st.one_of(st.sampled_from([v.decode("latin-1") for v in FILES.values()]), st.text(max_size=60)))
    return {"argv": argv, "fuzz": fuzz}


_TEMPLATE: dict[str, Any] = {}


def _template_store() -> tuple[Path, dict[str, int]]:
    """A store with project p, graph g (two versions) and dataset d, made once and copied per example."""
    if "path" not in _TEMPLATE:
        from assistant.formats import read_graph
        from assistant.intake import profile_csv
        from assistant.store import Store

        folder = Path(tempfile.mkdtemp(prefix="fuzz-cli-template-"))
        path = folder / "store.db"
        store = Store.open(f"sqlite:///{path}")
        try:
            store.create_project("p", author="fuzz")
            g1 = read_graph(FILES["model.dag"].decode(), "dagitty")
            store.create_graph("p", "g", g1, author="fuzz", message="first")
            g2 = read_graph("dag { a [exposure] c [outcome] a -> b -> c z -> c }", "dagitty")
            store.save_version("p", "g", g2, parent=1, author="fuzz", message="second")
            content = FILES["good.csv"]
            _frame, profile = profile_csv(content, file_name="good.csv")
            store.add_dataset("p", "d", content=content, profile=profile, author="fuzz", file_name="good.csv")
            counts = store.row_counts()
        finally:
            store.close()
        _TEMPLATE.update(path=path, counts=counts)
    return _TEMPLATE["path"], _TEMPLATE["counts"]


# Commands whose failure exit code still means "the command ran and recorded its result".
_RECORDING_EXITS = {5, 8}


def check_cli(case: dict[str, Any]) -> None:
    from click.testing import CliRunner

    from assistant.cli.main import cli
    from assistant.store import Store

    template, counts = _template_store()
    work = Path(tempfile.mkdtemp(prefix="fuzz-cli-"))
    try:
        db = work / "store.db"
        shutil.copyfile(template, db)
        files = work / "files"
        files.mkdir()
        for name, content in FILES.items():
            (files / name).write_bytes(content)
        (files / "fuzz").write_bytes(case.get("fuzz", "").encode("utf-8", "surrogatepass"))
        (files / "dir").mkdir()
        before = sorted(p.name for p in files.iterdir())
        home = work / "home"
        home.mkdir()

        def fill(arg: str) -> str:
            return re.sub(r"\{([^{}]+)\}", lambda m: str(files / m.group(1)) if m.group(0) in PLACEHOLDERS
                          else m.group(0), arg)

        argv = [fill(a) for a in case["argv"]]
        env = {"CAUSAL_ASSISTANT_HOME": str(home), "CAUSAL_ASSISTANT_CONFIG": str(home / "config.toml"),
               "DATABASE_URL": f"sqlite:///{db}", "CAUSAL_ASSISTANT_USER": "fuzz", "CAUSAL_ASSISTANT_DEMO": None,
               "CAUSAL_ASSISTANT_LLM_BASE_URL": None, "OPENAI_BASE_URL": None, "CAUSAL_ASSISTANT_LLM_API_KEY": None,
               "OPENAI_API_KEY": None, "CAUSAL_ASSISTANT_LLM_MODEL": None, "CAUSAL_ASSISTANT_ROLES": None,
               "CAUSAL_ASSISTANT_REDIS_URL": "redis://127.0.0.1:1/0"}
        result = CliRunner().invoke(cli, argv, env=env, catch_exceptions=True)
        output = result.output + (result.stderr if result.stderr_bytes is not None else "")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code in range(9), f"exit code {result.exit_code} for {argv}"
        assert "Traceback (most recent call last)" not in output, output[-2000:]
        if result.exit_code not in (0, *_RECORDING_EXITS):
            store = Store.open(f"sqlite:///{db}")
            try:
                after = store.row_counts()
            finally:
                store.close()
            assert after == counts, f"exit {result.exit_code} but the store changed: {counts} -> {after}"
            now = sorted(p.name for p in files.iterdir())
            assert now == before, f"exit {result.exit_code} but files were written: {set(now) - set(before)}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the registry -------------------------------------------------------------------------------------------------

_TEXT = _text_codec()
_JSON = _json_codec()

TARGETS: dict[str, Target] = {t.name: t for t in [
    Target("csv", "CSV intake (`profile_csv`): bytes of any kind, encodings, BOMs, NULs, ragged rows, huge fields",
           csv_documents(), check_csv, lambda b: b, lambda b: b, 300),
    Target("spec", "variables files, YAML/JSON (`parse_spec_text`)", spec_documents(), check_spec, *_TEXT, 400),
    Target("formats", "graph readers: json, dagitty, dot, gml, edge-list csv (`read_graph`), valid documents "
                      "mutated and random text", graph_documents(), check_graph_document, *_JSON, 800),
    Target("detect", "format detection and file loading (`detect_format`, `load_graph_file`) on raw bytes",
           detect_cases(), check_detect, *_JSON, 300),
    Target("llm_parsing", "LLM answer parsing (`parse_answer`) for every output schema", llm_parsing_cases,
           check_llm_parsing, *_JSON, 500),
    Target("llm_draft", "LLM drafting and critique through the fake chat model: structured-output validation, "
                        "repair, guards", llm_draft_cases(), check_llm_draft, *_JSON, 150),
    Target("edit", "edit operations (`parse_edit`, `apply_edits`)", edit_cases, check_edit, *_JSON, 500),
    Target("cli", "command-line arguments (`causal-assistant ...` via click's CliRunner)", cli_cases(), check_cli,
           *_JSON, 400),
]}


def fuzz_settings(target: Target) -> settings:
    """The test-suite budget: ``target.examples`` inputs, derandomized (CI sees the same inputs every run)."""
    return settings(max_examples=target.examples, derandomize=True, database=None, deadline=None,
                    print_blob=True, suppress_health_check=list(HealthCheck))


def corpus_files(target: str | None = None) -> list[Path]:
    names = [target] if target else sorted(TARGETS)
    return sorted(p for n in names if (CORPUS / n).is_dir() for p in (CORPUS / n).iterdir() if p.is_file())


def save_to_corpus(target: str, case: Any, name: str) -> Path:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(TARGETS[target].encode(case))
    return path


def replay(path: Path) -> None:
    target = TARGETS[path.parent.name]
    target.check(target.decode(path.read_bytes()))


__all__ = ["CORPUS", "TARGETS", "Target", "corpus_files", "fuzz_settings", "replay", "save_to_corpus"]
