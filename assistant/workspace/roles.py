"""Who is working, and what they may do: editors edit, reviewers validate or reject.

Local mode (no login configured): the user name comes from the settings
(``CAUSAL_ASSISTANT_USER``, the config file's ``[user] name``, the login
name).  With Streamlit's OIDC login configured (``[auth]`` in
``.streamlit/secrets.toml``), the UI passes the logged-in user's name and
email to :func:`oidc_identity` instead.

Roles, first match wins:

1. ``CAUSAL_ASSISTANT_ROLES`` (e.g. ``editor`` or ``editor,reviewer``): the
   local user's roles (local mode only; a login never takes roles from the
   server's environment).
2. The config file's ``[users]`` table: ``reviewers = ["ana", "bo@x.org"]``
   and optionally ``editors = [...]`` (names or emails).  Anyone is an editor
   unless ``editors`` is given.
3. Nothing configured: the local user is editor *and* reviewer (a one-person
   install); a logged-in user is an editor only.

Deployed mode (``CAUSAL_ASSISTANT_MODE=deployed``, or ``[server] mode``):
the UI refuses to start unless ``[auth]`` is configured
(:func:`require_login_if_deployed`), so every user is a logged-in user
whose roles come from ``[users]`` only.  The roles are checked again by the
service layer (:mod:`assistant.workspace`) on every action, whatever the
page shows.

>>> local_identity(env={"CAUSAL_ASSISTANT_USER": "ana", "CAUSAL_ASSISTANT_ROLES": "editor"}, file_values={}).roles
frozenset({'editor'})
>>> oidc_identity({"name": "Bo", "email": "bo@x.org"}, file_values={"users": {"reviewers": ["bo@x.org"]}}).can_review
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

from assistant.errors import ConfigError, PermissionDeniedError

EDITOR = "editor"
REVIEWER = "reviewer"
ROLES = (EDITOR, REVIEWER)
ROLES_ENV = "CAUSAL_ASSISTANT_ROLES"


@dataclass(frozen=True)
class Identity:
    name: str
    roles: frozenset[str]
    source: Literal["local", "oidc"] = "local"
    email: str | None = None

    @property
    def can_edit(self) -> bool:
        return EDITOR in self.roles

    @property
    def can_review(self) -> bool:
        return REVIEWER in self.roles

    def require(self, role: str, action: str) -> None:
        """Raise :class:`PermissionDeniedError` unless the user has ``role``."""
        if role not in self.roles:
            have = ", ".join(sorted(self.roles)) or "no role"
            raise PermissionDeniedError(
                f"{self.name} may not {action}: that needs the {role} role (you have: {have})",
                hint=f"ask an administrator to add you to [users] {role}s in the config file"
                     + (f", or set {ROLES_ENV}" if self.source == "local" else ""))

    def require_any(self, action: str) -> None:
        """Raise :class:`PermissionDeniedError` unless the user has some role (a logged-in reader has none)."""
        if not self.roles:
            raise PermissionDeniedError(
                f"{self.name} may not {action}: that needs the editor or reviewer role (you have none)",
                hint="ask an administrator to add you to [users] editors or reviewers in the config file")

    def describe(self) -> str:
        return f"user: {self.name} · roles: {', '.join(r for r in ROLES if r in self.roles) or 'none'}"


def parse_roles(text: str) -> frozenset[str]:
    roles = frozenset(r.strip().lower() for r in text.replace(";", ",").split(",") if r.strip())
    unknown = sorted(roles - set(ROLES))
    if unknown:
        raise ConfigError(f"unknown role{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in {ROLES_ENV}",
                          hint=f"roles are: {', '.join(ROLES)}")
    return roles


def _listed(table: Mapping[str, Any], key: str) -> list[str] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"the config file's [users] {key} must be a list of names or emails")
    return [v.strip().lower() for v in value]


def roles_from_config(names: list[str], file_values: Mapping[str, Any]) -> frozenset[str] | None:
    """Roles the config file's ``[users]`` table gives any of ``names``; None when it has no such table."""
    table = file_values.get("users")
    if table is None:
        return None
    if not isinstance(table, Mapping):
        raise ConfigError("the config file's [users] entry must be a table")
    reviewers, editors = _listed(table, "reviewers"), _listed(table, "editors")
    if reviewers is None and editors is None:
        return None
    keys = {n.strip().lower() for n in names if n}
    roles = set()
    if editors is None or keys & set(editors):
        roles.add(EDITOR)
    if reviewers is not None and keys & set(reviewers):
        roles.add(REVIEWER)
    return frozenset(roles)


def _file_values(env: Mapping[str, str], file_values: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if file_values is not None:
        return file_values
    from assistant.config import Settings

    return Settings.load(env).file_values


def local_identity(env: Mapping[str, str] | None = None, file_values: Mapping[str, Any] | None = None,
                   name: str | None = None) -> Identity:
    """The local user (settings), with roles from the environment, the config file, or both roles."""
    env = os.environ if env is None else env
    if name is None:
        from assistant.config import Settings

        name = Settings.load(env).user
    if env.get(ROLES_ENV, "").strip():
        return Identity(name=name, roles=parse_roles(env[ROLES_ENV]), source="local")
    configured = roles_from_config([name], _file_values(env, file_values))
    return Identity(name=name, roles=configured if configured is not None else frozenset(ROLES), source="local")


def oidc_identity(user: Mapping[str, Any], env: Mapping[str, str] | None = None,
                  file_values: Mapping[str, Any] | None = None) -> Identity:
    """The logged-in user (``st.user``'s fields): named by name, else email; roles from ``[users]`` only.

    Roles are looked up by the email alone, and only when the provider has not marked it unverified
    (``email_verified: false``): a display name is chosen by its owner at the provider, so matching
    ``[users]`` on it would let anyone who renames themselves take a listed reviewer's role.
    """
    env = os.environ if env is None else env
    email = str(user.get("email") or "").strip() or None
    name = str(user.get("name") or email or user.get("sub") or "").strip()
    if not name:
        raise ConfigError("the login returned neither a name nor an email", hint="check the [auth] provider's scopes")
    verified = email is not None and user.get("email_verified") is not False
    configured = roles_from_config([email] if verified and email else [], _file_values(env, file_values))
    return Identity(name=name, roles=configured if configured is not None else frozenset({EDITOR}), source="oidc",
                    email=email)


def require_login_if_deployed(deployed: bool, secrets: Mapping[str, Any]) -> None:
    """Deployed mode (``CAUSAL_ASSISTANT_MODE=deployed``) without an OIDC login configured is refused.

    Without ``[auth]`` the UI would fall back to the local user, whom anyone
    reaching the server could then impersonate; so the UI does not start.
    """
    if deployed and not oidc_configured(secrets):
        raise ConfigError(
            "deployed mode requires a login, but no OIDC provider is configured",
            hint="add an [auth] table (redirect_uri, cookie_secret, client_id, client_secret, "
                 "server_metadata_url) to .streamlit/secrets.toml (see docs/deployment.md), "
                 "or run in local mode (CAUSAL_ASSISTANT_MODE=local)")


def secrets_files(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> list[Path]:
    """Where Streamlit reads ``secrets.toml``: ``STREAMLIT_SECRETS_FILES`` (whitespace-separated, as click
    splits it for ``streamlit run``) if set, else the user's ``~/.streamlit/`` and the working directory's."""
    env = os.environ if env is None else env
    configured = env.get("STREAMLIT_SECRETS_FILES", "").split()
    if configured:
        return [Path(p).expanduser() for p in configured]
    cwd = Path.cwd() if cwd is None else cwd
    return [Path.home() / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]


def read_secrets_files(paths: list[Path]) -> dict[str, Any]:
    """The merged secrets (later files win), as Streamlit would see them; missing files count as empty.

    A directory is read as Streamlit reads Kubernetes-style secrets: each subdirectory is a table whose
    files are its keys (only whether ``[auth]`` is there matters here).
    """
    import tomllib

    merged: dict[str, Any] = {}
    for path in paths:
        try:
            if path.is_dir():
                for table in sorted(p for p in path.iterdir() if p.is_dir()):
                    merged[table.name] = {f.name: f.read_text(encoding="utf-8").strip()
                                          for f in sorted(table.iterdir()) if f.is_file()}
                continue
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from None
    return merged


def oidc_configured(secrets: Mapping[str, Any]) -> bool:
    """Whether Streamlit's ``st.login`` is configured (an ``[auth]`` table in secrets.toml)."""
    try:
        return "auth" in secrets and bool(secrets["auth"])
    except Exception:  # noqa: BLE001 - Streamlit raises when there is no secrets file at all
        return False
