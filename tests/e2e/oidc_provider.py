"""A real OpenID Connect provider for the login tests: ``oidc-provider-mock`` on 127.0.0.1, served from a thread.

`oidc-provider-mock <https://pypi.org/project/oidc-provider-mock/>`_ (Flask and Authlib; the test extra pins
0.3.4, the last release for Python 3.11) is a complete OpenID Provider for tests: a discovery document, an
authorization endpoint whose HTML form asks for a subject (``sub``) and has an "Authorize" button, a token
endpoint issuing RS256-signed ID tokens, JWKS, userinfo, and an end-session endpoint whose form ("End session")
sends the browser back to the client. Any client id and secret are accepted. A user's claims (``name``,
``email``) are registered with ``PUT /users/<sub>``; the ID token carries the ones the requested scopes allow
(Streamlit asks for ``openid email profile``).

The provider speaks plain HTTP on 127.0.0.1, which Authlib (1.6.2+, on both sides: provider and Streamlit)
accepts for loopback addresses without ``AUTHLIB_INSECURE_TRANSPORT``. Every request is logged to ``log_path``.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

ANSI = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours its request log


@dataclass(frozen=True)
class OIDCUser:
    sub: str
    name: str
    email: str


@dataclass(frozen=True)
class OIDCProvider:
    url: str  # the issuer, http://127.0.0.1:<port>

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/oauth2/authorize"

    @property
    def end_session_url(self) -> str:
        return f"{self.url}/oauth2/end_session"

    def metadata(self) -> dict:
        with urllib.request.urlopen(self.metadata_url, timeout=10) as response:
            return json.load(response)

    def add_user(self, user: OIDCUser) -> None:
        """Register the claims the provider puts in the ID token when ``user.sub`` logs in."""
        request = urllib.request.Request(
            f"{self.url}/users/{quote(user.sub, safe='')}",
            data=json.dumps({"name": user.name, "email": user.email, "email_verified": True}).encode(),
            headers={"Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204, response.status


@contextmanager
def run_provider(log_path: Path) -> Iterator[OIDCProvider]:
    """Serve a fresh provider (its own signing key, users and codes) on a free port of 127.0.0.1."""
    import authlib.deprecate  # noqa: F401 - on import it sets its warnings to "always"; the filter below wins
    import werkzeug.serving

    with warnings.catch_warnings():  # oidc-provider-mock 0.3 imports authlib.jose, deprecated since Authlib 1.7
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock

    log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed below, after the server thread

    class LoggedRequests(werkzeug.serving.WSGIRequestHandler):
        def log(self, type: str, message: str, *args) -> None:  # noqa: A002 - werkzeug's signature
            log.write(f"{self.log_date_time_string()} {type}: {ANSI.sub('', message % args)}\n")
            log.flush()

    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(), threaded=True, request_handler=LoggedRequests
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                              name="oidc-provider")
    thread.start()
    try:
        yield OIDCProvider(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        log.close()
