"""The graph exports round-trip, with hostile names; the CLI's ``export`` command writes every format."""

from __future__ import annotations

import ast
import json

import pytest
from click.testing import CliRunner

from assistant.cli.main import cli
from assistant.demo import record_sales as rs
from assistant.export import EXPORT_FORMATS, REGISTRY, export, read_node_link_json
from assistant.formats import read_graph

from export_hostile import hostile_graph

LOSSLESS = ["json", "dot", "gml"]


@pytest.mark.parametrize("make", [rs.graph, rs.confounded_graph, hostile_graph], ids=["demo", "confounded", "hostile"])
def test_graph_formats_round_trip(make):
    g = make()
    for fmt in LOSSLESS:
        assert read_graph(export(g, fmt), fmt) == g, fmt
    assert read_node_link_json(export(g, "networkx")) == g
    back = read_graph(export(g, "dagitty"), "dagitty")  # dagitty keeps what it can express
    assert back.names == g.names and [str(e) for e in back.edges] == [str(e) for e in g.edges]
    assert back.exposures == g.exposures and back.outcomes == g.outcomes and back.latent == g.latent


def test_networkx_export_is_node_link_json_not_pickle():
    text = export(rs.graph(), "networkx")
    doc = json.loads(text)
    assert doc["directed"] is True and doc["multigraph"] is True
    assert {n["id"] for n in doc["nodes"]} == set(rs.graph().names)
    assert "links" in doc


def test_registry_lists_every_format():
    assert set(EXPORT_FORMATS) == {"dowhy", "notebook", "dagitty", "dot", "gml", "json", "networkx"}
    assert {f for f, spec in REGISTRY.items() if spec.needs_analysis} == {"dowhy", "notebook"}


def test_cli_export_graph_formats_and_code(tmp_path):
    runner = CliRunner()
    for fmt in ("dagitty", "dot", "gml", "json", "networkx"):
        res = runner.invoke(cli, ["export", "gallery:record_sales", "--to", fmt], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert "radio_play" in res.stdout
    csv = tmp_path / "sales.csv"
    csv.write_bytes(rs.data_bytes())
    out = tmp_path / "analysis.py"
    res = runner.invoke(cli, ["export", "gallery:record_sales", "--to", "dowhy", "--data", str(csv), "-o", str(out),
                              "--method", "linear_regression", "--seed", "3"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    consts = {n.value for n in ast.walk(ast.parse(out.read_text())) if isinstance(n, ast.Constant)}
    assert str(csv.resolve()) in consts and "backdoor.linear_regression" in consts and 3 in consts
    res = runner.invoke(cli, ["export", "gallery:m_bias", "--to", "notebook"], catch_exceptions=False)
    assert res.exit_code == 0 and json.loads(res.stdout)["nbformat"] == 4


def test_cli_export_from_the_store(sqlite_url, tmp_path):
    from assistant.demo import load_demo_project
    from assistant.store import Store

    store = Store.open(sqlite_url)
    try:
        load_demo_project(store, confounded_dataset=False)
    finally:
        store.close()
    runner = CliRunner()
    res = runner.invoke(cli, ["--database-url", sqlite_url, "export", "record-sales", "--project", "record-sales demo",
                              "--version", "1", "--to", "dagitty"], catch_exceptions=False)
    assert res.exit_code == 0 and "tour_dates -> record_sales_6m" in res.stdout
    res = runner.invoke(cli, ["export", "gallery:record_sales", "--to", "pickle"])
    assert res.exit_code == 2  # usage: not a choice
