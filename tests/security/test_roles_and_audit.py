"""Roles are enforced by the service layer (not only the page), every change is audited in its own
transaction, and deployed mode refuses to run without a login.

The service layer is called directly, as a crafted request that skips the page's buttons would.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from assistant.cli import ui_command
from assistant.cli.main import cli
from assistant.config import Settings
from assistant.demo import GRAPH, PROJECT, load_demo_project
from assistant.errors import ConfigError, ConflictError, PermissionDeniedError
from assistant.store import Store
from assistant.workspace import Identity, Workspace, actions, review
from assistant.workspace.drafting import add_uploaded_dataset
from assistant.workspace.roles import oidc_identity, require_login_if_deployed

ANA = Identity(name="ana", roles=frozenset({"editor"}), source="oidc")
RITA = Identity(name="rita", roles=frozenset({"reviewer"}), source="oidc")
READER = Identity(name="rex", roles=frozenset(), source="oidc")


@pytest.fixture
def store(database_url):
    with Store.open(database_url) as s:
        load_demo_project(s)
        yield s


def test_only_reviewers_validate_and_only_editors_change_graphs(store):
    review.request_review(store, ANA, PROJECT, GRAPH, 1)
    before = store.row_counts()
    with pytest.raises(PermissionDeniedError, match="ana may not validate a version: that needs the reviewer role"):
        review.approve(store, ANA, PROJECT, GRAPH, 1)
    with pytest.raises(PermissionDeniedError):
        review.reject(store, ANA, PROJECT, GRAPH, 1, "no")
    ws = Workspace.open(store, PROJECT, GRAPH, RITA)
    for denied in (lambda: ws.apply([{"op": "add_edge", "edge": {"source": "tour_dates", "target": "radio_play"}}]),
                   lambda: ws.save("sneaky"), lambda: ws.set_message("sneaky"), lambda: ws.save_as_branch("b"),
                   lambda: actions.revert(store, RITA, PROJECT, GRAPH, 1),
                   lambda: actions.create_project(store, RITA, "p2"),
                   lambda: add_uploaded_dataset(store, RITA, PROJECT, "d2", b"a,b\n1,2\n", "d.csv"),
                   lambda: review.comment(store, READER, PROJECT, GRAPH, 1, "hi")):
        with pytest.raises(PermissionDeniedError):
            denied()
    assert store.row_counts() == before, "a refused action wrote something"
    assert review.approve(store, RITA, PROJECT, GRAPH, 1).status == "validated"
    assert store.get_version(PROJECT, GRAPH, 1).status == "validated"


def test_a_logged_in_reviewer_may_not_validate_a_version_they_saved(store):
    both = Identity(name="bea", roles=frozenset({"editor", "reviewer"}), source="oidc")
    ws = Workspace.open(store, PROJECT, GRAPH, both)
    ws.apply([{"op": "add_edge", "edge": {"source": "tour_dates", "target": "radio_play"}}])
    mine = ws.save("tours get airplay").version.number
    review.request_review(store, both, PROJECT, GRAPH, mine)
    before = store.row_counts()
    with pytest.raises(PermissionDeniedError, match=f"bea saved version {mine}") as info:
        review.approve(store, both, PROJECT, GRAPH, mine)
    assert "another reviewer" in info.value.hint and store.row_counts() == before
    assert review.approve(store, RITA, PROJECT, GRAPH, mine).status == "validated"
    # a local install has one user, who may validate their own work
    local = Identity(name="bea", roles=frozenset({"editor", "reviewer"}), source="local")
    ws = Workspace.open(store, PROJECT, GRAPH, local)
    ws.apply([{"op": "add_edge", "edge": {"source": "tour_dates", "target": "tiktok_use"}}])
    again = ws.save("tours go viral").version.number
    review.request_review(store, local, PROJECT, GRAPH, again)
    assert review.approve(store, local, PROJECT, GRAPH, again).status == "validated"


def test_a_logged_in_user_gets_roles_only_from_the_config_file(monkeypatch):
    monkeypatch.setenv("CAUSAL_ASSISTANT_ROLES", "editor,reviewer")   # ignored for a login
    users = {"users": {"editors": ["ana@x.org"], "reviewers": ["rita@x.org"]}}
    assert oidc_identity({"name": "Ana", "email": "ana@x.org"}, file_values=users).roles == {"editor"}
    assert oidc_identity({"name": "Rita", "email": "rita@x.org"}, file_values=users).roles == {"reviewer"}
    assert oidc_identity({"name": "Eve", "email": "eve@x.org"}, file_values=users).roles == frozenset()


def test_a_display_name_or_an_unverified_email_never_earns_a_listed_role():
    users = {"users": {"editors": ["ana@x.org", "Rita"], "reviewers": ["rita@x.org", "Rita"]}}
    # Eve renames herself "Rita" at the provider: her own email is not listed, so she gets nothing.
    eve = oidc_identity({"name": "Rita", "email": "eve@x.org"}, file_values=users)
    assert eve.name == "Rita" and eve.roles == frozenset()
    # An address the provider says is not verified is not looked up at all.
    assert oidc_identity({"name": "R", "email": "rita@x.org", "email_verified": False},
                         file_values=users).roles == frozenset()
    assert oidc_identity({"name": "R", "email": "rita@x.org", "email_verified": True},
                         file_values=users).roles == {"reviewer"}
    # No email at all: only the default of a login without [users] entries applies.
    assert oidc_identity({"name": "Rita", "sub": "42"}, file_values=users).roles == frozenset()


def test_every_change_is_audited_with_who_when_and_what(store):
    ws = Workspace.open(store, PROJECT, GRAPH, ANA)
    ws.apply([{"op": "add_edge", "edge": {"source": "tour_dates", "target": "radio_play"}}])
    saved = ws.save("tours get airplay").version
    review.request_review(store, ANA, PROJECT, GRAPH, saved.number, "please")
    review.comment(store, RITA, PROJECT, GRAPH, saved.number, "why?", subject="tour_dates -> radio_play")
    review.approve(store, RITA, PROJECT, GRAPH, saved.number, "ok")
    actions.revert(store, ANA, PROJECT, GRAPH, 1)
    entries = store.audit_log(project=PROJECT)
    demo = [(e.actor, e.action) for e in entries[:4]]
    assert demo == [("demo", "project.create"), ("demo", "dataset.add"), ("demo", "dataset.add"),
                    ("demo", "graph.create")]
    tail = [(e.actor, e.action, e.version) for e in entries[4:]]
    assert tail == [("ana", "working_copy.put", 1), ("ana", "version.save", 2), ("ana", "working_copy.discard", None),
                    ("ana", "version.status", 2), ("rita", "review.comment", 2), ("rita", "version.status", 2),
                    ("ana", "version.revert", 3)]
    save, approve = entries[5], entries[9]
    assert save.details["message"] == "tours get airplay" and save.details["parent"] == 1
    assert save.details["content_hash"] == saved.content_hash
    assert approve.details == {"action": "approve", "from": "in_review", "to": "validated", "comment": "ok"}
    assert entries[8].subject == "tour_dates -> radio_play"
    times = [e.created_at for e in entries]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    assert [e.action for e in store.audit_log(project=PROJECT, actor="rita")] == ["review.comment", "version.status"]
    assert len(store.audit_log(limit=3)) == 3 and store.audit_log(limit=1)[0].action == "version.revert"


def test_the_audit_entry_is_in_the_same_transaction_as_the_change(store, database_url):
    head = store.save_version(PROJECT, GRAPH, store.get_version(PROJECT, GRAPH).graph, parent=1, author="ana",
                              message="re-checked")
    before = store.row_counts()
    with pytest.raises(ConflictError):   # a stale save: nothing written, so nothing audited
        store.save_version(PROJECT, GRAPH, head.graph, parent=1, author="ana", message="stale")
    assert store.row_counts() == before
    # and a change whose audit insert fails is rolled back with it
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE audit_log RENAME TO audit_log_away"))
    try:
        with pytest.raises(Exception):
            store.save_version(PROJECT, GRAPH, head.graph, parent=head.number, author="ana", message="unaudited")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE audit_log_away RENAME TO audit_log"))
        engine.dispose()
    assert [v.number for v in store.log(PROJECT, GRAPH)] == [2, 1], "a change was saved without its audit entry"


def test_the_audit_command_prints_json_and_text(store, database_url):
    store.set_status(PROJECT, GRAPH, 1, "in_review", actor="ana")
    runner = CliRunner()
    result = runner.invoke(cli, ["--database-url", database_url, "audit", "--project", PROJECT, "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert entries[-1]["actor"] == "ana" and entries[-1]["action"] == "version.status"
    assert entries[-1]["details"]["to"] == "in_review"
    text = runner.invoke(cli, ["--database-url", database_url, "audit", "--actor", "ana"]).output
    assert "ana version.status record-sales demo/record-sales v1" in text and 'to="in_review"' in text
    assert runner.invoke(cli, ["--database-url", database_url, "audit", "--project", "none"]).output.strip() == \
        "no audit entries"


# --- deployed mode -------------------------------------------------------------------------------


def test_deployed_mode_without_a_login_is_refused():
    with pytest.raises(ConfigError, match="deployed mode requires a login") as info:
        require_login_if_deployed(True, {})
    assert "[auth]" in info.value.hint
    require_login_if_deployed(True, {"auth": {"client_id": "x"}})   # configured: fine
    require_login_if_deployed(False, {})                              # local mode: fine


def test_mode_and_limits_come_from_the_environment_or_the_config_file(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[server]\nmode = "deployed"\n[limits]\nmax_upload_mb = 5\ninteractive_rows = 1000\n')
    from_file = Settings.load({"CAUSAL_ASSISTANT_CONFIG": str(config), "CAUSAL_ASSISTANT_HOME": str(tmp_path)})
    assert (from_file.deployed, from_file.max_upload_mb, from_file.interactive_rows) == (True, 5, 1000)
    env = {"CAUSAL_ASSISTANT_CONFIG": str(config), "CAUSAL_ASSISTANT_HOME": str(tmp_path),
           "CAUSAL_ASSISTANT_MODE": "local", "CAUSAL_ASSISTANT_MAX_UPLOAD_MB": "7"}
    assert (Settings.load(env).mode, Settings.load(env).max_upload_mb) == ("local", 7)
    for bad in ({"CAUSAL_ASSISTANT_MODE": "public"}, {"CAUSAL_ASSISTANT_MAX_UPLOAD_MB": "-1"},
                {"CAUSAL_ASSISTANT_INTERACTIVE_ROWS": "lots"}):
        with pytest.raises(ConfigError):
            Settings.load({**env, **bad})


def test_the_ui_command_refuses_deployed_mode_without_auth_and_passes_the_upload_limit(monkeypatch, tmp_path):
    calls = {}

    def fake_exec(path, cmd, env):
        calls.update(cmd=cmd)
        raise SystemExit(0)

    monkeypatch.setattr(ui_command.os, "execve", fake_exec)
    monkeypatch.setattr(ui_command.os, "chdir", lambda path: None)
    monkeypatch.setattr(ui_command, "UI_DIR", _fake_ui(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CAUSAL_ASSISTANT_MAX_UPLOAD_MB", "12")
    monkeypatch.setenv("CAUSAL_ASSISTANT_MODE", "deployed")
    refused = CliRunner().invoke(cli, ["ui", "--no-demo"])
    assert refused.exit_code == 1 and "deployed mode requires a login" in refused.output and not calls
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[auth]\nredirect_uri = "https://ca.example.org/oauth2callback"\ncookie_secret = "x"\n'
                       'client_id = "ca"\nclient_secret = "y"\n'
                       'server_metadata_url = "https://id.example.org/.well-known/openid-configuration"\n')
    started = CliRunner().invoke(cli, ["ui", "--no-demo"])
    assert started.exit_code == 0, started.output
    cmd = calls["cmd"]
    assert cmd[cmd.index("--server.maxUploadSize") + 1] == "12"
    # Secrets kept elsewhere, where Streamlit is told to look (a file, or a Kubernetes-style directory).
    elsewhere = tmp_path / "etc" / "secrets.toml"
    elsewhere.parent.mkdir()
    secrets.rename(elsewhere)
    calls.clear()
    assert CliRunner().invoke(cli, ["ui", "--no-demo"]).exit_code == 1 and not calls
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(elsewhere))
    assert CliRunner().invoke(cli, ["ui", "--no-demo"]).exit_code == 0 and calls
    mounted = tmp_path / "mounted"
    (mounted / "auth").mkdir(parents=True)
    (mounted / "auth" / "client_id").write_text("ca\n")
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", f"{tmp_path / 'missing.toml'} {mounted}")
    calls.clear()
    assert CliRunner().invoke(cli, ["ui", "--no-demo"]).exit_code == 0 and calls


def _fake_ui(root):
    ui = root / "ui"
    ui.mkdir()
    (ui / "app.py").write_text("")
    return ui


def test_the_app_stops_in_deployed_mode_without_auth(sqlite_url, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CAUSAL_ASSISTANT_MODE", "deployed")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "ui" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("deployed mode requires a login" in e.value for e in at.error)
    assert not at.selectbox, "the app went on without a login"
    with Store.open(sqlite_url) as s:
        assert s.list_projects() == [], "the store was touched before the login"

