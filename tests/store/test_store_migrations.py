"""Migrations: upgrade an empty database to the expected schema, no drift, downgrade, and the alembic CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.errors import DatabaseUnavailableError, SchemaVersionError
from assistant.store import Store
from assistant.store.db import make_engine
from assistant.store.migrate import (
    MIGRATIONS_DIR, check, check_url, downgrade_database, head_revision, schema_drift, schema_status, status, upgrade,
    upgrade_database,
)

REPO = Path(__file__).resolve().parents[2]

EXPECTED_COLUMNS = {
    "projects": {"id", "name", "description", "created_at", "created_by"},
    "datasets": {"id", "project_id", "name", "file_name", "content_hash", "size_bytes", "profile", "content",
                 "created_at", "created_by"},
    "graphs": {"id", "project_id", "name", "head_version_id", "created_at", "created_by"},
    "graph_versions": {"id", "graph_id", "number", "parent_id", "author", "message", "created_at", "content_hash",
                       "content", "status"},
    "review_events": {"id", "version_id", "actor", "action", "comment", "subject", "created_at"},
    "llm_exchanges": {"id", "created_at", "provider", "base_url", "model", "template_name", "template_version",
                      "method", "request_hash", "messages", "raw_response", "parsed", "error", "prompt_tokens",
                      "completion_tokens", "total_tokens", "latency_ms", "cached", "project", "graph_name",
                      "version_id", "purpose"},
    "critiques": {"id", "graph_version_id", "created_at", "created_by", "data_sha256", "errors", "warnings", "infos",
                  "rules", "report"},
    "analysis_runs": {"id", "graph_version_id", "created_at", "created_by", "status", "spec", "result", "error",
                      "data_sha256", "duration_seconds"},
    "working_copies": {"id", "graph_id", "user_name", "base_version_id", "content", "message", "updated_at"},
    "audit_log": {"id", "created_at", "actor", "action", "project", "graph_name", "version", "subject", "details"},
    "draft_jobs": {"id", "project_id", "dataset_id", "created_at", "created_by", "status", "backend", "graph_name",
                   "request", "options", "job_id", "queue", "n_rows", "data_sha256", "result", "error", "duration_seconds"},
}
EXPECTED_UNIQUE = {
    "projects": {("uq_projects_name", ("name",))},
    "datasets": {("uq_datasets_project_id_name", ("project_id", "name"))},
    "graphs": {("uq_graphs_project_id_name", ("project_id", "name"))},
    "graph_versions": {("uq_graph_versions_graph_id_number", ("graph_id", "number"))},
    "review_events": set(),
    "llm_exchanges": set(),
    "critiques": set(),
    "analysis_runs": set(),
    "working_copies": {("uq_working_copies_graph_id_user_name", ("graph_id", "user_name"))},
    "audit_log": set(),
    "draft_jobs": {("uq_draft_jobs_job_id", ("job_id",))},
}
EXPECTED_FOREIGN_KEYS = {
    "projects": set(),
    "datasets": {(("project_id",), "projects")},
    "graphs": {(("project_id",), "projects"), (("head_version_id",), "graph_versions")},
    "graph_versions": {(("graph_id",), "graphs"), (("parent_id",), "graph_versions")},
    "review_events": {(("version_id",), "graph_versions")},
    "llm_exchanges": {(("version_id",), "graph_versions")},
    "critiques": {(("graph_version_id",), "graph_versions")},
    "analysis_runs": {(("graph_version_id",), "graph_versions")},
    "working_copies": {(("graph_id",), "graphs"), (("base_version_id",), "graph_versions")},
    "audit_log": set(),  # names, not foreign keys: an entry reads on its own
    "draft_jobs": {(("project_id",), "projects"), (("dataset_id",), "datasets")},
}
NULLABLE = {("graphs", "head_version_id"), ("graph_versions", "parent_id"), ("review_events", "subject")} | {
    ("llm_exchanges", c) for c in ("parsed", "error", "prompt_tokens", "completion_tokens", "total_tokens",
                                   "project", "graph_name", "version_id")} | {("critiques", "data_sha256")} | {
    ("analysis_runs", c) for c in ("result", "error", "data_sha256", "duration_seconds")} | {
    ("audit_log", c) for c in ("project", "graph_name", "version", "subject", "details")} | {
    ("draft_jobs", c) for c in ("graph_name", "result", "error", "duration_seconds")}


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_migrations_are_found_next_to_the_package():
    assert (MIGRATIONS_DIR / "env.py").is_file()
    assert MIGRATIONS_DIR == REPO / "migrations"
    assert head_revision() == "0007"


def test_upgrading_an_empty_database_creates_the_expected_schema(engine):
    assert schema_status(engine).current is None
    status = upgrade_database(engine)
    assert status.up_to_date and status.current == head_revision()

    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) == set(EXPECTED_COLUMNS) | {"alembic_version"}
    for table, columns in EXPECTED_COLUMNS.items():
        reflected = {c["name"]: c for c in inspector.get_columns(table)}
        assert set(reflected) == columns, table
        for name, column in reflected.items():
            assert column["nullable"] == ((table, name) in NULLABLE), f"{table}.{name}"
        uniques = {(u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)}
        assert uniques == EXPECTED_UNIQUE[table], table
        fks = {(tuple(f["constrained_columns"]), f["referred_table"]) for f in inspector.get_foreign_keys(table)}
        assert fks == EXPECTED_FOREIGN_KEYS[table], table
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["id"]
    checks = {c["name"] for c in inspector.get_check_constraints("graph_versions")}
    assert {"ck_graph_versions_status", "ck_graph_versions_number_positive"} <= checks
    assert [i["name"] for i in inspector.get_indexes("review_events")] == ["ix_review_events_version_id"]
    assert sorted(i["name"] for i in inspector.get_indexes("llm_exchanges")) == [
        "ix_llm_exchanges_project", "ix_llm_exchanges_request_hash"]
    assert [i["name"] for i in inspector.get_indexes("critiques")] == ["ix_critiques_graph_version_id"]
    assert [i["name"] for i in inspector.get_indexes("analysis_runs")] == ["ix_analysis_runs_graph_version_id"]
    assert {"ck_analysis_runs_status"} <= {c["name"] for c in inspector.get_check_constraints("analysis_runs")}
    assert [i["name"] for i in inspector.get_indexes("audit_log")] == ["ix_audit_log_project"]
    assert [i["name"] for i in inspector.get_indexes("draft_jobs") if not i.get("unique")] == [
        "ix_draft_jobs_project_id"]
    assert {"ck_draft_jobs_status"} <= {c["name"] for c in inspector.get_check_constraints("draft_jobs")}


def test_tables_and_migrations_do_not_drift(engine):
    upgrade_database(engine)
    assert schema_drift(engine) == []
    check(engine)  # alembic's own `check` command


def test_status_check_constraint_is_enforced(database_url, engine):
    with Store.open(database_url) as store:
        store.create_project("p", author="a")
        store.create_graph("p", "g", _tiny_graph(), author="a", message="")
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE graph_versions SET status = 'approved'"))


def _tiny_graph():
    from assistant.model import CausalGraph, Variable

    return CausalGraph(variables=[Variable(name="x")])


def test_downgrade_to_base_removes_everything_even_with_data(database_url, engine):
    with Store.open(database_url) as store:
        store.create_project("p", author="a")
        store.create_graph("p", "g", _tiny_graph(), author="a", message="")
        store.save_version("p", "g", _tiny_graph(), parent=1, author="a", message="")
        store.add_review_event("p", "g", 2, "comment", actor="a", comment="hm")
    status = downgrade_database(engine, "base")
    assert status.current is None
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_database(engine)
    assert schema_drift(engine) == []


def test_upgrade_twice_is_a_no_op(engine):
    upgrade_database(engine)
    assert upgrade_database(engine).up_to_date


def test_alembic_command_line_uses_database_url(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "CAUSAL_ASSISTANT_HOME": str(tmp_path)}
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini")]
    for args in (["upgrade", "head"], ["check"], ["current"]):
        done = subprocess.run(alembic + args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    assert f"{head_revision()} (head)" in done.stdout
    engine = make_engine(database_url)
    try:
        assert schema_status(engine).up_to_date
    finally:
        engine.dispose()


def test_url_helpers_for_the_command_line(database_url):
    before = status(database_url)
    assert (before.current, before.known, before.up_to_date) == (None, True, False)
    assert upgrade(database_url).up_to_date
    check_url(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    after = status(database_url)
    assert (after.current, after.known) == ("ffff", False)
    with pytest.raises(SchemaVersionError, match="'ffff'"):
        upgrade(database_url)


def test_url_helpers_report_an_unreachable_database():
    with pytest.raises(DatabaseUnavailableError, match="refused"):
        status("postgresql://u:pw@127.0.0.1:1/x")
