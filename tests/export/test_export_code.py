"""The DoWhy script and notebook exports run on the data and reproduce the stored estimate — with hostile names.

The script and the notebook's code cells run in subprocesses whose working
directory is a fresh temporary folder; a column named like a code injection
must create nothing there (or anywhere else under tmp_path).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from assistant.analysis.runner import run_analysis
from assistant.analysis.spec import ALL_REFUTERS, AnalysisSpec, RefuterSpec
from assistant.demo import record_sales as rs
from assistant.export import export
from assistant.export.code import check_code, skeleton
from assistant.export.dowhy_script import render as render_script
from assistant.export.plan import build_plan
from assistant.model import GraphMetadata, Question

from export_hostile import HOSTILE, QUESTION, RENAME, hostile_graph

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A CSV with hostile column names in a folder whose name has quotes and spaces, and a stored run on it."""
    base = tmp_path_factory.mktemp("export")
    folder = base / "da'ta \"dir\" ü"
    folder.mkdir()
    csv = folder / "sales data.csv"
    frame = rs.generate(600, seed=7).rename(columns=RENAME)
    csv.write_bytes(rs.to_csv_bytes(frame))
    from assistant.export.plan import read_data_file

    data = read_data_file(csv)
    assert list(data.columns) == list(RENAME.values())
    spec = AnalysisSpec(exposure=RENAME[rs.EXPOSURE], outcome=RENAME[rs.OUTCOME], sensitivity=False,
                        refuters=[RefuterSpec(name=n, num_simulations=2) for n in ALL_REFUTERS])
    result = run_analysis(hostile_graph(), data, spec)
    return base, csv, result


def _notebook_program(text: str) -> str:
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "code")


def _string_constants(code: str) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_script_and_notebook_run_and_reproduce_the_stored_estimate(hostile):
    base, csv, result = hostile
    graph = hostile_graph()
    script = export(graph, "dowhy", analysis_spec=result, data_path=csv)
    notebook = export(graph, "notebook", analysis_spec=result, data_path=csv)
    run_dir = base / "run"
    run_dir.mkdir()
    (run_dir / "analysis.py").write_text(script, encoding="utf-8")
    (run_dir / "analysis.ipynb").write_text(notebook, encoding="utf-8")
    (run_dir / "notebook_cells.py").write_text(_notebook_program(notebook), encoding="utf-8")

    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CAUSAL_ASSISTANT_DATA", None)
    # Both at once (they are mostly DoWhy's import time): the script with its default data path, and with the
    # path on the command line; the notebook with the path from the environment.
    procs = [
        subprocess.Popen([sys.executable, "analysis.py", "--json"], cwd=run_dir, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        subprocess.Popen([sys.executable, "notebook_cells.py"], cwd=run_dir,
                         env={**env, "CAUSAL_ASSISTANT_DATA": str(csv)},
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-3000:]

    stored = result.estimate.value
    script_out = json.loads(outs[0][0].strip().splitlines()[-1])
    assert script_out["estimate"] == pytest.approx(stored, rel=1e-6, abs=1e-9)
    assert script_out["ci_low"] == pytest.approx(result.estimate.ci_low, rel=1e-6)
    assert script_out["ci_high"] == pytest.approx(result.estimate.ci_high, rel=1e-6)
    assert script_out["n_used"] == result.data.n_used

    nb_lines = outs[1][0].strip().splitlines()
    nb_out = json.loads(nb_lines[-1])
    assert nb_out["estimate"] == pytest.approx(stored, rel=1e-6, abs=1e-9)
    assert "Stored estimate:" in outs[1][0] and "(reproduced)" in outs[1][0]
    assert [r["name"] for r in nb_out["refutations"]] == list(ALL_REFUTERS)
    assert all(r["passed"] for r in nb_out["refutations"]), nb_out["refutations"]
    # the hostile names are printed as data
    assert HOSTILE in outs[1][0] and RENAME[rs.OUTCOME] in outs[1][0]

    assert not list(base.rglob("pwned")), "a column name ran as code"
    assert not (Path.cwd() / "pwned").exists()


def test_the_estimate_matches_the_true_effect_and_plain_ols(hostile):
    _base, csv, result = hostile
    frame = rs.generate(600, seed=7)
    fit = rs.ols_effect(frame)
    assert result.estimate.value == pytest.approx(fit.estimate, rel=1e-9)
    assert result.estimate.ci_low <= rs.TRUE_EFFECT <= result.estimate.ci_high


def test_names_are_only_string_constants(hostile):
    _base, csv, result = hostile
    graph = hostile_graph()
    plan = build_plan(graph, result, data_path=csv)
    script = render_script(plan)
    check_code(render_script, plan, script)  # raises if the structure depends on the names
    constants = _string_constants(script)
    for name in [*RENAME.values(), QUESTION, str(csv)]:
        assert name in constants
    assert skeleton(script) == skeleton(render_script(plan.anonymized()))
    # no name leaks into comments either: the source with string literals removed holds no trace of them
    import io
    import tokenize

    code_only = "".join(tok.string + " " for tok in tokenize.generate_tokens(io.StringIO(script).readline)
                        if tok.type != tokenize.STRING)
    for fragment in ("os.system", "pwned", "売上", "tik tok", "__import__"):
        assert fragment not in code_only
    program = _notebook_program(export(graph, "notebook", analysis_spec=result, data_path=csv))
    assert {*RENAME.values(), QUESTION} <= _string_constants(program)


def test_notebook_markdown_escapes_names(hostile):
    _base, csv, result = hostile
    g = hostile_graph().model_copy(update={"metadata": GraphMetadata(
        question=Question(text="<script>alert(1)</script> **bold** [link](javascript:x)"))})
    nb = nbformat.reads(export(g, "notebook", analysis_spec=result, data_path=csv), as_version=4)
    first = nb.cells[0].source
    assert "<script>" not in first and "&lt;script&gt;" in first
    assert "](javascript" not in first
    assert [c.cell_type for c in nb.cells].count("code") == 8


MARKDOWN_NAMES = ["artist's sales", 'say "hi"', "a & b", "&#x27; &amp;", "<b>x</b>", "# heading", "**bold**",
                  "[l](javascript:x)", "![i](x)", "`code`", "$x^2$", "x_y_z", "1. item", "- item", "> quote",
                  "a | b", "~~s~~", "back\\slash", "<http://e.com>", "売上 é"]


@pytest.mark.parametrize("name", MARKDOWN_NAMES)
def test_notebook_markdown_shows_names_literally(name):
    """Escaped once: no entity is escaped again (``artist&#x27;s``), no markup or HTML gets through."""
    from assistant.export.notebook import md

    import html
    import re

    escaped = md(name)
    assert "&\\#" not in escaped and "<" not in escaped
    # CommonMark reads a backslash before ASCII punctuation as the character, and entities as theirs
    unescaped = html.unescape(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped))
    assert unescaped == name
    try:
        import markdown_it
    except ImportError:  # not a dependency; the check above is what it would find
        return
    rendered = markdown_it.MarkdownIt("commonmark").render(escaped).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<") == 2  # no markup
    assert html.unescape(rendered[3:-4]) == name


def test_exported_read_table_uses_the_same_quote_aware_delimiter_sniffer(tmp_path):
    """The scripts embed the intake's sniffer: both read a header with a quoted ';' as five columns."""
    import io
    import logging
    import warnings

    import pandas as pd

    from assistant.export.code import HELPERS
    from assistant.intake.profile import _sniff_delimiter, read_csv

    namespace = {"io": io, "logging": logging, "warnings": warnings, "pd": pd}
    exec(compile(HELPERS, "<helpers>", "exec"), namespace)  # noqa: S102 - our own template
    samples = ['"spend;usd;k",tiktok,radio\n1,2,3\n', "a;b\n1,5;2\n", "a\tb\n1\t2\n", "x\n1\n",
               '"a,b";c\n1;2\n', "a,b;c\n1,2;3\n"]
    for text in samples:
        assert namespace["_sniff_delimiter"](text) == _sniff_delimiter(text), text
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'"spend;usd;k;2024;q4;eu",tiktok_use,tour_dates,radio_play,record_sales_6m\n'
                     b"1,2,3,4,5\n2,3,4,5,6\n")
    exported = namespace["read_table"](str(path))
    ours, _delimiter = read_csv(path.read_bytes())
    assert list(exported.columns) == list(ours.columns) and exported.shape == ours.shape == (2, 5)


def test_export_from_a_spec_resolves_like_the_runner(tmp_path):
    """Without a stored run, the export resolves method and identification itself (no estimate to compare)."""
    csv = tmp_path / "d.csv"
    csv.write_bytes(rs.data_bytes())
    plan = build_plan(rs.graph(), AnalysisSpec(exposure=rs.EXPOSURE, outcome=rs.OUTCOME), data_path=csv)
    assert plan.method == "linear_regression" and plan.strategy == "backdoor"
    assert sorted(plan.adjustment_set) == sorted(rs.ADJUSTMENT_SET)
    assert plan.stored_estimate is None and plan.data_path == str(csv)
    ast.parse(export(rs.graph(), "dowhy"))  # the graph's own exposure/outcome, no data path


def test_unknown_format_is_an_input_error():
    from assistant.errors import InputError

    with pytest.raises(InputError):
        export(rs.graph(), "pickle")
