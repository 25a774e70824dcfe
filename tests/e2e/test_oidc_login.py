"""Deployed mode with a real OpenID Connect login, in a real browser.

A real OpenID Provider (``oidc-provider-mock``, see ``oidc_provider.py``) runs on 127.0.0.1 for the test;
``streamlit run ui/app.py`` runs with ``CAUSAL_ASSISTANT_MODE=deployed``, a throwaway ``secrets.toml`` whose
``[auth]`` table points at the provider (given to Streamlit with ``STREAMLIT_SECRETS_FILES``, and the server's
``HOME`` is a throwaway directory: no secrets file goes into the checkout or the home directory, and none
there is read) and a config file whose ``[users]`` table makes ana an editor and rita a
reviewer, by email.  The server's environment also says ``CAUSAL_ASSISTANT_ROLES=editor,reviewer``: a
logged-in user must never get roles from it.

In chromium: the app shows only the login button; ana logs in on the provider's form (Streamlit's
authorization-code flow: redirect, form, callback, signed cookie), is shown with her name and the editor role
only, saves an edit and asks for a review (stored under her OIDC name; she is told she cannot approve), and
logs out through the provider's end-session page, back to the login screen.  In the same browser rita logs
in, is a reviewer only, approves the version (stored under her name), and logs out.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assistant.demo import GRAPH, PROJECT
from assistant.store import Store
from oidc_provider import OIDCProvider, OIDCUser, run_provider
from streamlit_e2e import StreamlitPage, free_port

pytestmark = [
    pytest.mark.slow,
    # oidc-provider-mock 0.3 signs ID tokens through Authlib's older OpenIDCode hook (still there in Authlib 1.9)
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]

ANA = OIDCUser(sub="ana-4711", name="Ana Lima", email="ana@example.org")
RITA = OIDCUser(sub="rita-0815", name="Rita Reyes", email="rita@example.org")
NEW_EDGE = ("tour_dates", "radio_play")
# Not 127.0.0.1: the provider's pages link a stylesheet on a CDN; the browser is kept off the network.
OFF_HOST = re.compile(r"^(?!https?://127\.0\.0\.1[:/])[a-z]+://")


@pytest.fixture
def oidc_provider(artifacts) -> OIDCProvider:
    with run_provider(artifacts / "oidc-provider.log") as provider:
        assert provider.metadata()["issuer"] == provider.url
        provider.add_user(ANA)
        provider.add_user(RITA)
        yield provider


@pytest.fixture
def ui_server(start_ui, oidc_provider: OIDCProvider, tmp_path):
    """The UI in deployed mode, logging in through the provider (``new_page()`` opens it)."""
    port = free_port()  # named in the redirect URI before the server starts
    secrets = tmp_path / "streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-0123456789abcdef"\n'
        'client_id = "causal-assistant-e2e"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{oidc_provider.metadata_url}"\n'
    )
    secrets.chmod(0o600)
    config = tmp_path / "deployed-config.toml"
    config.write_text(f'[users]\neditors = ["{ANA.email}"]\nreviewers = ["{RITA.email}"]\n')
    home = tmp_path / "home"  # Streamlit keeps files in ~/.streamlit (and would read a secrets.toml there)
    home.mkdir()
    return start_ui(
        "local-user", port=port,
        HOME=str(home),
        CAUSAL_ASSISTANT_MODE="deployed",
        CAUSAL_ASSISTANT_CONFIG=str(config),
        CAUSAL_ASSISTANT_ROLES="editor,reviewer",  # the local user's roles: must not reach a logged-in user
        STREAMLIT_SECRETS_FILES=str(secrets),
    )  # fmt: skip


def _expect_login_screen(app: StreamlitPage) -> None:
    expect(app.key("login")).to_be_visible()
    expect(app.page.get_by_text("Log in to continue.")).to_be_visible()
    expect(app.key("whoami")).to_have_count(0)
    expect(app.page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)


def _log_in(app: StreamlitPage, server_url: str, provider: OIDCProvider, user: OIDCUser) -> None:
    _expect_login_screen(app)
    app.key("login").locator("button").click()
    app.page.wait_for_url(lambda url: url.startswith(provider.authorize_url + "?"))
    app.page.get_by_placeholder("sub").fill(user.sub)
    app.shot(f"provider form for {user.sub}")
    app.page.get_by_role("button", name="Authorize").click()
    # The provider redirects to /oauth2callback, which sets the login cookie and redirects to the app.
    app.page.wait_for_url(lambda url: url.startswith(server_url + "/") and "oauth2callback" not in url)
    app.wait_idle()
    app.shot(f"logged in as {user.sub}")


def _log_out(app: StreamlitPage, server_url: str, provider: OIDCProvider) -> None:
    app.key("logout").locator("button").click()
    # Streamlit clears its cookie and sends the browser to the provider's end-session endpoint.
    app.page.wait_for_url(lambda url: url.startswith(provider.end_session_url))
    app.shot("provider end-session page")
    app.page.get_by_role("button", name="End session").click()
    app.page.wait_for_url(lambda url: url.startswith(server_url + "/") and "oauth2callback" not in url)
    app.wait_idle()
    app.shot("logged out")
    _expect_login_screen(app)


def test_oidc_login_gives_the_users_identity_and_roles(new_page, ui_server, oidc_provider: OIDCProvider):
    url = ui_server.url
    app = new_page(label="browser")
    app.page.context.route(OFF_HOST, lambda route: route.abort())
    app.shot("login screen")
    _expect_login_screen(app)

    # -- ana: an editor (by email in [users]), not a reviewer, whatever CAUSAL_ASSISTANT_ROLES says
    _log_in(app, url, oidc_provider, ANA)
    expect(app.key("whoami")).to_contain_text(f"user: {ANA.name} · roles: editor")
    expect(app.key("whoami")).not_to_contain_text("reviewer")
    expect(app.key("logout")).to_be_visible()

    app.nav("edit")
    expect(app.key("working_state")).to_contain_text("base v1")
    app.select("add_edge_source", NEW_EDGE[0])
    app.select("add_edge_target", NEW_EDGE[1])
    app.click("add_edge", step="edge added")
    expect(app.key("working_state")).to_contain_text("unsaved changes: +1 edge")
    app.fill("save_message", "saved after an OIDC login")
    app.click("save_version", step="saved as ana")
    expect(app.key("save_result")).to_contain_text("saved as version 2")

    app.nav("review")
    expect(app.key("review_status")).to_contain_text(f"v2 is draft · by {ANA.name}")
    app.click("request_review", step="review requested")
    expect(app.key("review_status")).to_contain_text("v2 is in review")
    expect(app.key("review_not_reviewer")).to_contain_text(f"you are user: {ANA.name} · roles: editor")
    expect(app.key("approve_version")).to_have_count(0)

    with Store.open(ui_server.database_url) as store:
        v2 = store.get_version(PROJECT, GRAPH, 2)
        assert (v2.author, v2.message, v2.status) == (ANA.name, "saved after an OIDC login", "in_review")
        assert f"{NEW_EDGE[0]} -> {NEW_EDGE[1]}" in {str(e) for e in v2.graph.edges}
        saves = [(e.actor, e.version) for e in store.audit_log(project=PROJECT) if e.action == "version.save"]
        assert saves == [(ANA.name, 2)]
        assert [(e.actor, e.action) for e in store.review_events(PROJECT, GRAPH, 2)] == [(ANA.name, "request_review")]

    _log_out(app, url, oidc_provider)

    # -- rita, in the same browser: a reviewer only
    _log_in(app, url, oidc_provider, RITA)
    expect(app.key("whoami")).to_contain_text(f"user: {RITA.name} · roles: reviewer")
    expect(app.key("whoami")).not_to_contain_text("editor")
    app.nav("review")
    expect(app.key("review_status")).to_contain_text("v2 is in review")
    expect(app.key("review_not_reviewer")).to_have_count(0)
    app.fill("review_comment", "checked after an OIDC login")
    app.click("approve_version", step="approved as rita")
    expect(app.key("review_status")).to_contain_text("v2 is validated")

    with Store.open(ui_server.database_url) as store:
        assert store.get_version(PROJECT, GRAPH, 2).status == "validated"
        events = [(e.actor, e.action, e.comment) for e in store.review_events(PROJECT, GRAPH, 2)]
        assert events == [(ANA.name, "request_review", ""), (RITA.name, "approve", "checked after an OIDC login")]
        actors = {e.actor for e in store.audit_log(project=PROJECT)}
        assert "local-user" not in actors and {ANA.name, RITA.name} <= actors

    _log_out(app, url, oidc_provider)
