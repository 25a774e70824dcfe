"""The store through the CLI: projects, data, import/export, log, diff, blame, revert, status — and bad input."""

from __future__ import annotations

import pytest
from cli_helpers import run
from sqlalchemy import create_engine, text

from assistant import gallery
from assistant.errors import EXIT_CONFLICT, EXIT_DATABASE, EXIT_INPUT, EXIT_NOT_FOUND, EXIT_OK
from assistant.edit.operations import AddEdge, apply_edit
from assistant.formats import read_graph, write_graph
from assistant.model import Edge
from assistant.store import Store


def _counts(url: str) -> dict[str, int]:
    with Store.open(url) as store:
        return store.row_counts()


def _write(tmp_path, name: str, graph, fmt: str) -> str:
    path = tmp_path / name
    path.write_text(write_graph(graph, fmt), encoding="utf-8")
    return str(path)


def test_a_graph_lives_through_import_edit_diff_blame_revert_and_review(tmp_path, database_url):
    db = database_url
    assert run("project", "create", "sales", "--description", "record sales", db=db).exit_code == EXIT_OK
    v1 = _write(tmp_path, "model.dag", gallery.load("record_sales"), "dagitty")
    res = run("graph", "import", v1, "--project", "sales", "--name", "model", "-m", "first draft", db=db)
    assert res.exit_code == EXIT_OK, res.stderr

    exported = run("graph", "export", "model", "--project", "sales", "--to", "dot", db=db)
    assert exported.exit_code == EXIT_OK and "digraph" in exported.stdout
    edited = apply_edit(read_graph(exported.stdout, "dot"),
                        AddEdge(edge=Edge(source="tiktok_use", target="label_marketing_spend")))
    dot = tmp_path / "edited.dot"
    dot.write_text(write_graph(edited, "dot"), encoding="utf-8")
    res = run("--user", "expert", "graph", "import", str(dot), "--project", "sales", "--name", "model",
              "-m", "TikTok buzz draws spend", db=db)
    assert res.exit_code == EXIT_OK, res.stderr

    log = run("graph", "log", "model", "--project", "sales", "--format", "json", db=db).json()
    assert [v["number"] for v in log] == [2, 1]
    assert log[0]["parent"] == 1 and log[0]["message"] == "TikTok buzz draws spend"
    assert log[0]["author"] == "expert" and log[1]["author"] == "tester"

    diff = run("graph", "diff", "model", "1", "2", "--project", "sales", "--format", "json", db=db).json()
    assert [(e["source"], e["target"]) for e in diff["edges_added"]] == [("tiktok_use", "label_marketing_spend")]
    text_diff = run("graph", "diff", "model", "1", "2", "--project", "sales", db=db).stdout
    assert "+ edge tiktok_use -> label_marketing_spend" in text_diff

    blame = run("graph", "blame", "model", "--project", "sales", "--format", "json", db=db).json()
    by_edge = {(b["source"], b["target"]): b for b in blame}
    assert by_edge[("tiktok_use", "label_marketing_spend")]["version"] == 2
    assert by_edge[("radio_play", "record_sales_6m")]["version"] == 1

    res = run("graph", "revert", "model", "1", "--project", "sales", "--format", "json", db=db)
    assert res.exit_code == EXIT_OK and res.json()["number"] == 3
    assert run("graph", "diff", "model", "1", "3", "--project", "sales", db=db).stdout.strip().endswith("no changes")

    st = run("graph", "status", "model", "--project", "sales", "--set", "in_review", "--format", "json", db=db)
    assert st.json()["status"] == "in_review"
    st = run("graph", "status", "model", "--project", "sales", "--set", "validated", "--comment", "looks right",
             "--format", "json", db=db)
    assert st.json()["status"] == "validated"
    bad = run("graph", "status", "model", "--project", "sales", "--set", "draft", db=db)
    assert bad.exit_code == EXIT_INPUT and "validated" in bad.stderr

    check = run("check", "model", "--project", "sales", "--format", "json", db=db)
    assert check.exit_code == EXIT_OK and check.json()["minimal_adjustment_sets"]


def test_saving_on_a_stale_version_is_a_conflict_that_shows_the_diff_and_writes_nothing(tmp_path, sqlite_url):
    db = sqlite_url
    run("project", "create", "p", db=db)
    base = _write(tmp_path, "g.json", gallery.load("confounding"), "json")
    run("graph", "import", base, "--project", "p", "--name", "g", db=db)
    mine = gallery.load("confounding").model_copy(update={"adjusted": ["Z"]})
    theirs = gallery.load("mediation")
    run("graph", "import", _write(tmp_path, "theirs.json", theirs, "json"), "--project", "p", "--name", "g", db=db)
    before = _counts(db)
    res = run("graph", "import", _write(tmp_path, "mine.json", mine, "json"), "--project", "p", "--name", "g",
              "--parent", "1", db=db)
    assert res.exit_code == EXIT_CONFLICT
    assert "error[conflict]" in res.stderr and "saved meanwhile by others" in res.stderr
    assert _counts(db) == before


@pytest.mark.parametrize("content, message", [
    ("dag { X -> }", "malformed dagitty"),
    ("dag { X -> Y Y -> X }", None),  # a stored graph may be cyclic while being edited: accepted
])
def test_importing_a_malformed_graph_writes_nothing(tmp_path, sqlite_url, content, message):
    run("project", "create", "p", db=sqlite_url)
    f = tmp_path / "g.dag"
    f.write_text(content)
    before = _counts(sqlite_url)
    res = run("graph", "import", str(f), "--project", "p", db=sqlite_url)
    if message is None:
        assert res.exit_code == EXIT_OK
        return
    assert res.exit_code == EXIT_INPUT and message in res.stderr and "line 1" in res.stderr
    assert _counts(sqlite_url) == before


def test_adding_a_malformed_csv_writes_nothing(tmp_path, sqlite_url):
    run("project", "create", "p", db=sqlite_url)
    f = tmp_path / "bad.csv"
    f.write_text("a,b\n1,2\n3,4,5\n")
    before = _counts(sqlite_url)
    res = run("data", "add", str(f), "--project", "p", db=sqlite_url)
    assert res.exit_code == EXIT_INPUT and "bad.csv: line 3" in res.stderr
    assert _counts(sqlite_url) == before


def test_data_add_profiles_and_stores_the_file(tmp_path, sqlite_url):
    run("project", "create", "p", db=sqlite_url)
    f = tmp_path / "sales.csv"
    f.write_text("radio_play,record_sales_6m\n1.5,100\n2.0,130\n0.5,80\n")
    res = run("data", "add", str(f), "--project", "p", "--format", "json", db=sqlite_url)
    assert res.exit_code == EXIT_OK
    assert res.json()["profile"]["n_rows"] == 3
    listing = run("data", "list", "--project", "p", db=sqlite_url).stdout
    assert "sales" in listing and "3" in listing


def test_duplicate_project_and_unknown_names_are_clear_errors(sqlite_url):
    assert run("project", "create", "p", db=sqlite_url).exit_code == EXIT_OK
    dup = run("project", "create", "p", db=sqlite_url)
    assert dup.exit_code == EXIT_INPUT and "already exists" in dup.stderr
    missing = run("graph", "log", "nope", "--project", "p", db=sqlite_url)
    assert missing.exit_code == EXIT_NOT_FOUND and "nope" in missing.stderr


def test_an_unreachable_database_is_reported_with_the_password_masked():
    res = run("project", "list", db="postgresql://me:s3cret@127.0.0.1:1/nowhere")
    assert res.exit_code == EXIT_DATABASE
    assert "cannot use database" in res.stderr and "s3cret" not in res.stderr


def test_a_database_from_a_newer_version_is_refused(sqlite_url):
    run("project", "create", "p", db=sqlite_url)
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    res = run("project", "list", db=sqlite_url)
    assert res.exit_code == EXIT_DATABASE and "ffffffffffff" in res.stderr
    res = run("db", "current", "--format", "json", db=sqlite_url)
    assert res.exit_code == EXIT_OK and res.json()["current"] == "ffffffffffff"


def test_db_upgrade_current_and_check(sqlite_url):
    up = run("db", "upgrade", "--format", "json", db=sqlite_url).json()
    assert up["from"] is None and up["to"]
    cur = run("db", "current", "--format", "json", db=sqlite_url).json()
    assert cur["up_to_date"] is True
    assert run("db", "check", db=sqlite_url).exit_code == EXIT_OK


def test_demo_runs_twice_without_duplicating_anything(sqlite_url):
    first = run("demo", db=sqlite_url)
    assert first.exit_code == EXIT_OK, first.stderr
    assert "Minimal adjustment sets: none" in first.stdout  # after the expert adds latent popularity
    assert "{label_marketing_spend, tiktok_use}" in first.stdout
    counts = _counts(sqlite_url)
    second = run("demo", db=sqlite_url)
    assert second.exit_code == EXIT_OK and _counts(sqlite_url) == counts


@pytest.mark.parametrize("fmt", ["json", "dot", "gml"])
def test_an_exported_file_edited_after_someone_else_saved_is_a_conflict_not_an_undo(tmp_path, sqlite_url, fmt):
    db = sqlite_url
    run("project", "create", "s", db=db)
    run("graph", "import", _write(tmp_path, "m.dag", gallery.load("record_sales"), "dagitty"), "--project", "s",
        "--name", "model", db=db)
    alice_file = tmp_path / f"alice.{fmt}"
    assert run("graph", "export", "model", "--project", "s", "--to", fmt, "-o", str(alice_file), db=db).exit_code == 0
    # bob saves v2 meanwhile
    bob = apply_edit(gallery.load("record_sales"), AddEdge(edge=Edge(source="tiktok_use", target="label_marketing_spend")))
    assert run("--user", "bob", "graph", "import", _write(tmp_path, "bob.json", bob, "json"), "--project", "s",
               "--name", "model", db=db).exit_code == EXIT_OK
    # alice edits her export of v1 and imports it without --parent: the file says it came from v1
    alice = apply_edit(read_graph(alice_file.read_text(), fmt),
                       AddEdge(edge=Edge(source="radio_play", target="label_marketing_spend")))
    alice_file.write_text(write_graph(alice, fmt), encoding="utf-8")
    before = _counts(db)
    res = run("--user", "alice", "graph", "import", str(alice_file), "--project", "s", "--name", "model", db=db)
    assert res.exit_code == EXIT_CONFLICT, res.stderr
    assert "version 1" in res.stderr and "bob" in res.stderr
    assert _counts(db) == before
    # after re-exporting the head, her import is a new version on top of bob's, and the stamp is not stored
    head_file = tmp_path / f"head.{fmt}"
    run("graph", "export", "model", "--project", "s", "--to", fmt, "-o", str(head_file), db=db)
    redo = apply_edit(read_graph(head_file.read_text(), fmt),
                      AddEdge(edge=Edge(source="radio_play", target="label_marketing_spend")))
    head_file.write_text(write_graph(redo, fmt), encoding="utf-8")
    res = run("--user", "alice", "graph", "import", str(head_file), "--project", "s", "--name", "model", db=db)
    assert res.exit_code == EXIT_OK and "v3 (from v2)" in res.stdout, res.stderr
    with Store.open(db) as store:
        v3 = store.get_version("s", "model", 3).graph
    assert "exported_from" not in v3.metadata.extra
    assert {(e.source, e.target) for e in v3.edges} >= {("tiktok_use", "label_marketing_spend"),
                                                        ("radio_play", "label_marketing_spend")}


def test_importing_a_file_that_does_not_say_where_it_came_from_notes_the_head_it_lands_on(tmp_path, sqlite_url):
    db = sqlite_url
    run("project", "create", "s", db=db)
    path = _write(tmp_path, "m.dag", gallery.load("record_sales"), "dagitty")
    run("graph", "import", path, "--project", "s", "--name", "model", db=db)
    res = run("graph", "import", path, "--project", "s", "--name", "model", db=db)
    assert res.exit_code == EXIT_OK and "saved on top of the head (v1)" in res.stderr and "--parent" in res.stderr
