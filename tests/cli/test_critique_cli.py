"""`causal-assistant critique` and `rules`: text and JSON, CI exit codes, data, --against, the store, bad input."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from cli_helpers import run

from assistant.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_LLM, EXIT_NOT_FOUND, EXIT_OK
from assistant.formats import read_graph
from assistant.llm import install_fake
from assistant.llm.registry import unregister_chat_provider
from assistant.stats.simulate import simulate_linear
from assistant.store import Store

TRUE = "dag { Z -> X -> Y Z -> Y W -> Y }"
RIGHT = "dag { X [exposure] Y [outcome] Z -> X -> Y Z -> Y W -> Y }"
#: Q is not a column of the data (S004, an error)
WRONG = "dag { X [exposure] Y [outcome] Z -> X -> Y Z -> Y W -> Y Q -> Y }"
#: only a warning: no exposure and no outcome (S005)
WARNING_ONLY = "dag { A -> B }"


def _file(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _csv(tmp_path, rows: int = 500, name: str = "data.csv") -> str:
    path = tmp_path / name
    simulate_linear(read_graph(TRUE, "dagitty"), rows, seed=1).to_csv(path, index=False)
    return str(path)


def _sha(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# --- output and exit codes ---------------------------------------------------


def test_a_clean_graph_exits_0_with_a_count_line():
    res = run("critique", "gallery:m_bias")
    assert res.exit_code == EXIT_OK, res.stderr
    assert "Critique of m_bias (exposure X; outcome Y)" in res.stdout
    assert re.fullmatch(r"0 errors, \d+ warnings?, \d+ info", res.stdout.rstrip().splitlines()[-1])
    structural = run("critique", "gallery:m_bias", "--select", "S,T")
    assert structural.stdout.rstrip().endswith("No findings.\n\nSkipped rules (1):\n"
                                               "  S004 variable-not-in-data: no data were given\n\n"
                                               "0 errors, 0 warnings, 0 info")
    assert "Skipped rules" in res.stdout and "no data were given" in res.stdout


def test_a_self_loop_is_read_leniently_reported_and_fails_the_gate(tmp_path):
    path = _file(tmp_path, "loop.dag", "dag { X [exposure] Y [outcome] X -> Y X -> X A -> B }")
    assert run("critique", path).exit_code == EXIT_FINDINGS
    res = run("critique", path, "--select", "S,T")
    assert res.exit_code == EXIT_FINDINGS
    lines = res.stdout.splitlines()
    s002 = next(line for line in lines if line.strip().startswith("S002"))
    assert s002.split()[:2] == ["S002", "error"] and "X -> X" in s002
    assert "Errors (1)" in res.stdout and "Info (1)" in res.stdout
    assert lines.index("Errors (1)") < lines.index("Info (1)")
    assert "fix: remove A, B" in res.stdout
    assert res.stdout.rstrip().endswith("1 error, 0 warnings, 1 info")


def test_json_is_the_report_plus_counts(tmp_path):
    path = _file(tmp_path, "loop.dag", "dag { X [exposure] Y [outcome] X -> Y X -> X }")
    res = run("critique", path, "--format", "json", "--select", "S,T")
    assert res.exit_code == EXIT_FINDINGS
    out = res.json()
    assert out["counts"] == {"error": 1, "warning": 0, "info": 0}
    assert [(f["rule"], f["severity"], f["edges"]) for f in out["findings"]] == [("S002", "error", ["X -> X"])]
    assert {"graph_name", "exposures", "outcomes", "findings", "rules", "data", "impact", "notes"} <= set(out)
    assert out["input"]["graph"] == path and out["input"]["data"] is None
    assert "stored" not in out


@pytest.mark.parametrize("graph, fail_on, code", [
    (WARNING_ONLY, "error", EXIT_OK),
    (WARNING_ONLY, "warning", EXIT_FINDINGS),
    (WARNING_ONLY, "never", EXIT_OK),
    ("dag { X -> X X -> Y }", "never", EXIT_OK),
    ("dag { X -> X X -> Y }", "error", EXIT_FINDINGS),
    (RIGHT, "warning", EXIT_OK),
])
def test_fail_on_decides_the_exit_code(tmp_path, graph, fail_on, code):
    res = run("critique", _file(tmp_path, "g.dag", graph), "--fail-on", fail_on, "--select", "S,T")
    assert res.exit_code == code, res.stdout + res.stderr


def test_select_and_ignore_choose_rules_by_id_prefix_and_name(tmp_path):
    path = _file(tmp_path, "loop.dag", "dag { X [exposure] Y [outcome] X -> Y X -> X A -> B }")
    assert run("critique", path, "--ignore", "S002").exit_code == EXIT_OK
    assert run("critique", path, "--select", "S,T", "--ignore", "S002").exit_code == EXIT_OK
    out = run("critique", path, "--select", "self-loop,T001", "--format", "json").json()
    assert sorted(r["rule"] for r in out["rules"]) == ["S002", "T001"]
    out = run("critique", path, "--select", "S", "--ignore", "S002", "--ignore", "disconnected-component",
              "--format", "json").json()
    assert out["findings"] == [] and "S002" not in {r["rule"] for r in out["rules"]}


# --- data -------------------------------------------------------------------


def test_data_are_read_and_summarised_and_a_missing_column_is_an_error(tmp_path):
    data = _csv(tmp_path)
    res = run("critique", _file(tmp_path, "wrong.dag", WRONG), "--data", data, "--format", "json")
    assert res.exit_code == EXIT_FINDINGS
    out = res.json()
    assert out["data"]["rows"] == 500 and set(out["data"]["columns_used"]) == {"X", "Y", "Z", "W"}
    assert out["input"]["data_sha256"] == _sha(data)
    (s004,) = [f for f in out["findings"] if f["rule"] == "S004"]
    assert s004["nodes"] == ["Q"] and s004["fix_label"] == "mark Q latent"
    text = run("critique", _file(tmp_path, "wrong.dag", WRONG), "--data", data).stdout
    assert "Data: 500 complete rows" in text and "S004 error" in text


def test_few_rows_are_flagged_as_low_power(tmp_path):
    res = run("critique", _file(tmp_path, "right.dag", RIGHT), "--data", _csv(tmp_path, rows=60),
              "--alpha", "0.01", "--correction", "bh", "--fail-on", "never")
    assert res.exit_code == EXIT_OK, res.stdout + res.stderr
    assert "LOW POWER" in res.stdout and "60" in res.stdout
    assert "bh correction" in res.stdout and "alpha 0.01" in res.stdout


@pytest.mark.parametrize("content, fragment", [
    (b"", "empty"),
    (b"\x00\x01\x02\xff\xfe garbage", "not UTF-8"),
    (b'a,b\n1,2,3,4\n"unterminated\n', "row has 4 fields but the header has 2"),
])
def test_a_malformed_csv_is_bad_input(tmp_path, content, fragment):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    res = run("critique", _file(tmp_path, "right.dag", RIGHT), "--data", str(bad))
    assert res.exit_code == EXIT_INPUT, res.stdout
    assert "error[" in res.stderr and fragment in res.stderr and res.stdout == ""


def test_a_missing_data_file_is_bad_input_naming_it(tmp_path):
    res = run("critique", _file(tmp_path, "right.dag", RIGHT), "--data", str(tmp_path / "nope.csv"))
    assert res.exit_code == EXIT_INPUT
    assert "nope.csv" in res.stderr and "cannot read the data file" in res.stderr


# --- against, and bad input --------------------------------------------------


def test_against_compares_with_the_old_graph(tmp_path):
    old = _file(tmp_path, "old.dag", RIGHT)
    res = run("critique", _file(tmp_path, "new.dag", WRONG), "--against", old, "--format", "json",
              "--fail-on", "never")
    assert res.exit_code == EXIT_OK, res.stderr
    out = res.json()
    assert out["input"]["against"] == old
    assert out["impact"] is not None or any("impact" in n for n in out["notes"])
    text = run("critique", _file(tmp_path, "new.dag", WRONG), "--against", old).stdout
    assert f"compared with: {old}" in text


def test_against_a_missing_file_is_bad_input(tmp_path):
    res = run("critique", _file(tmp_path, "new.dag", RIGHT), "--against", str(tmp_path / "old.dag"))
    assert res.exit_code == EXIT_INPUT and "no such file" in res.stderr


def test_an_unknown_exposure_is_bad_input_naming_it():
    res = run("critique", "gallery:confounding", "--exposure", "radio", "--format", "json")
    assert res.exit_code == EXIT_INPUT
    assert "unknown variable 'radio'" in json.loads(res.stderr)["error"]["message"]


def test_a_missing_graph_file_is_bad_input_with_advice():
    res = run("critique", "no-such-file.dag")
    assert res.exit_code == EXIT_INPUT
    assert "no such file" in res.stderr and "gallery:" in res.stderr


def test_an_unknown_rule_in_select_is_bad_input():
    res = run("critique", "gallery:m_bias", "--select", "S001,Z9")
    assert res.exit_code == EXIT_INPUT
    assert "'Z9'" in res.stderr and "causal-assistant rules" in res.stderr


def test_version_without_project_is_bad_input():
    res = run("critique", "gallery:m_bias", "--version", "2")
    assert res.exit_code == EXIT_INPUT and "--version needs --project" in res.stderr


# --- with a project: defaults, recording ---------------------------------------


@pytest.fixture
def project_db(tmp_path, sqlite_url):
    """Project p: graph m v1 (right) and v2 (adds Q, not in the data), and dataset 'sim' (500 rows)."""
    db = sqlite_url
    assert run("project", "create", "p", db=db).exit_code == EXIT_OK
    for text, msg in ((RIGHT, "v1"), (WRONG, "v2")):
        res = run("graph", "import", _file(tmp_path, f"{msg}.dag", text), "--project", "p", "--name", "m",
                  "-m", msg, db=db)
        assert res.exit_code == EXIT_OK, res.stderr
    res = run("data", "add", _csv(tmp_path), "--project", "p", "--name", "sim", db=db)
    assert res.exit_code == EXIT_OK, res.stderr
    return db


def test_a_stored_graph_is_judged_against_its_parent_and_the_dataset_and_recorded(project_db, tmp_path):
    res = run("critique", "m", "--project", "p", "--format", "json", db=project_db)
    assert res.exit_code == EXIT_FINDINGS, res.stderr
    out = res.json()
    assert out["input"] == {"graph": "m", "project": "p", "version": 2, "against": "v1", "data": "dataset 'sim'",
                            "data_sha256": _sha(str(tmp_path / "data.csv"))}
    assert out["stored"]["version"] == 2 and out["counts"]["error"] >= 1
    with Store.open(project_db) as store:
        (stored,) = store.list_critiques("p", "m")
        assert stored.id == out["stored"]["id"] and stored.version == 2 and stored.created_by == "tester"
        assert stored.data_sha256 == out["input"]["data_sha256"]
        assert stored.errors == out["counts"]["error"]
        assert "S004" in {f.rule for f in stored.to_report().findings}


def test_text_output_names_the_stored_critique(project_db):
    res = run("--user", "expert", "critique", "m", "--project", "p", "--version", "1", "--fail-on", "never",
              db=project_db)
    assert res.exit_code == EXIT_OK, res.stderr
    assert "graph: m v1 (project p)" in res.stdout and "compared with" not in res.stdout
    assert "data: dataset 'sim', 500 rows" in res.stdout
    assert "recorded as critique 1 of p/m v1" in res.stdout
    with Store.open(project_db) as store:
        assert [(c.version, c.created_by) for c in store.list_critiques("p", "m", 1)] == [(1, "expert")]


def test_project_options_no_data_a_dataset_name_and_a_version_to_compare(project_db, tmp_path):
    out = run("critique", "m", "--project", "p", "--no-data", "--against", "1", "--format", "json",
              db=project_db).json()
    assert out["data"] is None and out["input"]["against"] == "v1" and out["input"]["data_sha256"] is None
    out = run("critique", "m", "--project", "p", "--version", "1", "--data", "sim", "--select", "S,T",
              "--format", "json", db=project_db).json()
    assert out["input"]["data"] == "dataset 'sim'" and out["counts"]["error"] == 0
    res = run("critique", "m", "--project", "p", "--data", "nope", db=project_db)
    assert res.exit_code == EXIT_NOT_FOUND and "no dataset named 'nope'" in res.stderr
    with Store.open(project_db) as store:
        assert len(store.list_critiques("p", "m")) == 2


@pytest.mark.parametrize("args, fragment", [
    (["critique", "m", "--project", "nope"], "no project named 'nope'"),
    (["critique", "zz", "--project", "p"], "no graph named 'zz'"),
    (["critique", "m", "--project", "p", "--version", "9"], "has no version 9"),
])
def test_unknown_stored_things_are_not_found_and_nothing_is_recorded(project_db, args, fragment):
    res = run(*args, db=project_db)
    assert res.exit_code == EXIT_NOT_FOUND and fragment in res.stderr
    with Store.open(project_db) as store:
        assert store.row_counts()["critiques"] == 0


# --- the LLM ---------------------------------------------------------------


@pytest.fixture
def fake(monkeypatch):
    model = install_fake([])
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_PROVIDER", "fake")
    monkeypatch.setenv("CAUSAL_ASSISTANT_LLM_MODEL", "fake-model")
    yield model
    unregister_chat_provider("fake")


def test_llm_judgements_are_findings_and_the_exchange_is_logged(project_db, fake):
    fake.answers.append(json.dumps({"items": [
        {"edge": {"source": "W", "target": "Y"}, "plausible": False, "rationale": "W is noise", "confidence": 0.7,
         "suggested_edit": {"op": "remove_edge", "source": "W", "target": "Y"}}], "summary": ""}))
    res = run("critique", "m", "--project", "p", "--version", "1", "--llm", "--select", "L", "--format", "json",
              db=project_db)
    assert res.exit_code == EXIT_OK, res.stderr
    out = res.json()
    llm = [f for f in out["findings"] if f["rule"] == "L001"]
    assert llm and llm[0]["edges"] == ["W -> Y"] and llm[0]["source"] == "llm"
    assert {r["rule"]: r["status"] for r in out["rules"]}["L001"] == "ran"
    with Store.open(project_db) as store:
        (exchange,) = store.list_exchanges()
        assert exchange.project == "p" and exchange.template_name == "critique_graph"


def test_llm_without_an_endpoint_is_an_llm_error(tmp_path):
    res = run("critique", _file(tmp_path, "right.dag", RIGHT), "--llm")
    assert res.exit_code == EXIT_LLM
    assert "no LLM endpoint is configured" in res.stderr and "without --llm" in res.stderr


# --- rules -----------------------------------------------------------------


def test_rules_are_listed_and_explained():
    res = run("rules")
    assert res.exit_code == EXIT_OK
    assert res.stdout.splitlines()[0].split() == ["id", "name", "severity", "needs", "summary"]
    assert any(line.startswith("S001  cycle") for line in res.stdout.splitlines())
    rules = run("rules", "--format", "json").json()
    assert {"S001", "S002", "T001"} <= {r["id"] for r in rules}
    assert all({"id", "name", "severity", "family", "summary"} <= set(r) for r in rules)
    shown = run("rules", "S001")
    assert shown.exit_code == EXIT_OK and "S001 cycle (error, structure)" in shown.stdout
    assert "triggers" in shown.stdout and "dag { A -> B -> C -> A }" in shown.stdout
    bad = run("rules", "Z9")
    assert bad.exit_code == EXIT_INPUT and "'Z9'" in bad.stderr


# --- the text renderer, on findings no rule may raise yet --------------------


def test_the_text_renderer_shows_evidence_data_caveats_impact_and_failures():
    from assistant.critique import CritiqueReport, DataSummary, Finding, RuleRun, TestEvidence
    from assistant.critique.text import report_text

    ev = TestEvidence(test="X _||_ W | Z", method="fisherz", statistic=3.21, p_value=0.00132, p_adjusted=0.0106,
                      n=480, reliable=False, note="few rows per stratum")
    report = CritiqueReport(
        graph_name="g", exposures=["X"], outcomes=["Y"],
        findings=[
            Finding(rule="T002", name="exogenous-has-parent", severity="warning", family="temporal", message="w"),
            Finding(rule="D001", name="implied-independence-violated", severity="error", family="data",
                    message="X and W are dependent given Z", nodes=["X", "W"], evidence=[ev], source="data",
                    fix=[{"op": "add_edge"}]),
            Finding(rule="L001", name="llm-implausible-edge", severity="info", family="semantic", message="m",
                    source="llm", rationale="because\nreasons", fix_label="remove edge")],
        rules=[RuleRun(rule="D002", name="x", status="failed", reason="ZeroDivisionError: boom")],
        data=DataSummary(rows=480, columns_used=["X", "W", "Z"], tests_run=12, tests_computed=5, correction="holm",
                         low_power=False, caveats=["W has 10% missing values"]),
        impact={"summary": ["+1 edge", "adjustment set {Z} -> {Z, W}"]})
    text = report_text(report)
    lines = text.splitlines()
    finding_lines = [line.split()[:2] for line in lines if line.split()[1:2] in (["error"], ["warning"], ["info"])]
    assert finding_lines == [["D001", "error"], ["T002", "warning"], ["L001", "info"]]
    assert lines.index("Errors (1)") < lines.index("Warnings (1)") < lines.index("Info (1)")
    assert ("evidence: X _||_ W | Z  fisherz  stat=3.21 p=0.00132 p_adj=0.0106 n=480  (unreliable)  "
            "— few rows per stratum") in text
    assert "fix: 1 edit" in text and "the model's rationale (a claim, not a fact): because reasons" in text
    assert "12 independence tests (5 computed, 7 from the cache); holm correction" in text
    assert "caveat: W has 10% missing values" in text and "LOW POWER" not in text
    assert "Edit impact:\n  +1 edge\n  adjustment set {Z} -> {Z, W}" in text
    assert "Failed rules (1; their checks are missing from this report):\n  D002 x: ZeroDivisionError: boom" in text
    assert lines[-1] == "1 error, 1 warning, 1 info"
    # an impact of unknown shape is dumped compactly, never dropped
    dumped = report_text(report.model_copy(update={"impact": {"edges_added": ["A -> B"], "notes": []}}))
    assert 'Edit impact:\n  edges_added: ["A -> B"]' in dumped
    low = report_text(report.model_copy(update={"data": DataSummary(rows=40, low_power=True)}))
    assert "LOW POWER: only 40 rows" in low
