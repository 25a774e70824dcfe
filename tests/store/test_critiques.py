"""Stored critiques (migration 0003): record, list and get on SQLite and PostgreSQL; immutable; bad input."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from store_helpers import make_graph

from assistant.critique import CritiqueReport, Finding, critique
from assistant.errors import InputError, NotFoundError
from assistant.formats import Repair
from assistant.store import CritiqueInfo, Store
from assistant.store.db import make_engine
from assistant.store.migrate import downgrade_database, schema_drift, upgrade_database

SHA = hashlib.sha256(b"x,y\n1,2\n").hexdigest()


def _report_with_findings() -> CritiqueReport:
    """A real report: a self-loop (S002, error) dropped on reading and a floating pair (S006, info)."""
    graph = make_graph(["X", "Y", "A", "B"], [("X", "Y"), ("A", "B")], exposures=["X"], outcomes=["Y"])
    return critique(graph, repairs=[Repair(kind="self-loop", edge="X -> X")], select=["S"])


def test_a_critique_round_trips_with_its_counts_and_report(database_url):
    report = _report_with_findings()
    assert report.counts == {"error": 1, "warning": 0, "info": 1}
    with Store.open(database_url) as store:
        store.create_project("sales", author="ana")
        store.create_graph("sales", "main", make_graph(["X", "Y"], [("X", "Y")]), author="ana", message="v1")
        info = store.record_critique("sales", "main", 1, report, author="bob", data_sha256=SHA)
        assert isinstance(info, CritiqueInfo)
        assert (info.project, info.graph_name, info.version, info.created_by) == ("sales", "main", 1, "bob")
        assert (info.errors, info.warnings, info.infos) == (1, 0, 1) and info.counts == report.counts
        assert info.data_sha256 == SHA
        assert info.rules == ",".join(r.rule for r in report.rules) and info.rules.startswith("S001,S002,")
        assert info.to_report() == report
        assert info.created_at.tzinfo is not None
        assert store.get_critique(info.id) == info
        assert store.list_critiques("sales", "main") == [info]
        assert store.list_critiques("sales", "main", 1) == [info]
        assert store.row_counts()["critiques"] == 1


def test_listing_is_per_version_and_newest_first(store, project, graph_name, confounding_graph):
    store.save_version(project, graph_name, confounding_graph, parent=1, author="ana", message="v2")
    first = store.record_critique(project, graph_name, 1, critique(confounding_graph), author="ana")
    second = store.record_critique(project, graph_name, 2, _report_with_findings(), author="bob",
                                   rules="S,T")
    third = store.record_critique(project, graph_name, 1, critique(confounding_graph), author="cy")
    assert [c.id for c in store.list_critiques(project, graph_name)] == [third.id, second.id, first.id]
    assert [c.id for c in store.list_critiques(project, graph_name, 1)] == [third.id, first.id]
    assert [(c.version, c.rules) for c in store.list_critiques(project, graph_name, 2)] == [(2, "S,T")]
    store.create_graph(project, "other", confounding_graph, author="ana", message="")
    assert store.list_critiques(project, "other") == []
    assert first.data_sha256 is None


def test_stored_critiques_are_immutable(store, project, graph_name, confounding_graph):
    report = _report_with_findings()
    info = store.record_critique(project, graph_name, 1, report, author="ana")
    with pytest.raises(ValidationError):
        info.errors = 0  # type: ignore[misc]
    # changing the report object afterwards does not change what was stored
    report.findings.append(Finding(rule="S001", name="cycle", severity="error", family="structure", message="late"))
    stored = store.get_critique(info.id)
    assert stored == info and stored.errors == 1 and len(stored.to_report().findings) == 2
    # later work on the graph leaves the critique of version 1 as it was
    store.save_version(project, graph_name, confounding_graph, parent=1, author="ana", message="v2")
    store.set_status(project, graph_name, 1, "in_review", actor="ana")
    store.record_critique(project, graph_name, 2, critique(confounding_graph), author="ana")
    assert store.get_critique(info.id) == info
    assert not [m for m in dir(store) if "critique" in m and m.split("_")[0] in ("update", "delete", "set", "remove")]


def test_unicode_and_nul_characters_in_a_report_survive(store, project, graph_name):
    message = "snowman ☃, ümlaut and a NUL \x00 in one message"
    report = CritiqueReport(graph_name="main", findings=[
        Finding(rule="L001", name="llm-implausible-edge", severity="warning", family="semantic", message=message,
                source="llm", rationale="the model said \x00")])
    info = store.record_critique(project, graph_name, 1, report, author="ana")
    assert store.get_critique(info.id).to_report().findings[0].message == message


@pytest.mark.parametrize("call, error, fragment", [
    (lambda s, r: s.record_critique("sales", "main", 7, r, author="ana"), NotFoundError, "has no version 7"),
    (lambda s, r: s.record_critique("sales", "nope", 1, r, author="ana"), NotFoundError, "no graph named 'nope'"),
    (lambda s, r: s.record_critique("nope", "main", 1, r, author="ana"), NotFoundError, "no project named"),
    (lambda s, r: s.record_critique("sales", "main", "1", r, author="ana"), InputError, "version number"),
    (lambda s, r: s.record_critique("sales", "main", 1, r.model_dump(), author="ana"), InputError,
     "expected a CritiqueReport"),
    (lambda s, r: s.record_critique("sales", "main", 1, r, author=""), InputError, "author"),
    (lambda s, r: s.record_critique("sales", "main", 1, r, author="ana", data_sha256="abc"), InputError,
     "64 lowercase hex"),
    (lambda s, r: s.record_critique("sales", "main", 1, r, author="ana", data_sha256=SHA.upper()), InputError,
     "64 lowercase hex"),
    (lambda s, r: s.get_critique(999), NotFoundError, "no stored critique with id 999"),
    (lambda s, r: s.get_critique("1"), InputError, "whole number"),
    (lambda s, r: s.list_critiques("sales", "main", 9), NotFoundError, "has no version 9"),
])
def test_bad_input_is_refused_and_writes_nothing(store, project, graph_name, call, error, fragment):
    report = _report_with_findings()
    before = store.row_counts()
    with pytest.raises(error) as info:
        call(store, report)
    assert fragment in str(info.value)
    assert store.row_counts() == before


def test_the_database_refuses_negative_counts(store, project, graph_name):
    store.record_critique(project, graph_name, 1, _report_with_findings(), author="ana")
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE critiques SET errors = -1"))


def test_migration_0003_upgrades_a_0002_database_with_data_and_downgrades_cleanly(database_url):
    engine = make_engine(database_url)
    try:
        graph = make_graph(["X", "Y"], [("X", "Y")], exposures=["X"], outcomes=["Y"])
        # write data, take the database back to the 0002 schema (the data in its tables stay),
        # then let opening the store upgrade it to the head
        with Store.open(database_url) as old:
            old.create_project("kept", author="ana")
            old.create_graph("kept", "main", graph, author="ana", message="before 0003")
        downgrade_database(engine, "0002")
        assert "critiques" not in sa.inspect(engine).get_table_names()
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
        with Store.open(database_url) as store:
            assert [v.message for v in store.log("kept", "main")] == ["before 0003"]
            info = store.record_critique("kept", "main", 1, critique(graph), author="ana")
            assert store.list_critiques("kept", "main") == [info]
        assert "critiques" in sa.inspect(engine).get_table_names()
        assert schema_drift(engine) == []
        downgrade_database(engine, "0002")
        tables = set(sa.inspect(engine).get_table_names())
        assert "critiques" not in tables and {"projects", "graph_versions", "llm_exchanges"} <= tables
        upgrade_database(engine)
        with Store.open(database_url) as store:
            assert store.get_version("kept", "main").message == "before 0003"
            assert store.list_critiques("kept", "main") == []
    finally:
        engine.dispose()
