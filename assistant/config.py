"""Settings from the environment and an optional config file; never from the database.

Precedence: environment variables, then ``config.toml`` in the user config
directory (or the file named by ``CAUSAL_ASSISTANT_CONFIG``), then defaults.

=============================  ==============================================
``DATABASE_URL``               SQLAlchemy URL; default: SQLite in the data dir
``CAUSAL_ASSISTANT_HOME``      data directory (default: the per-user data dir)
``CAUSAL_ASSISTANT_USER``      author name for versions (default: login name)
``CAUSAL_ASSISTANT_CONFIG``    path of the config file
``CAUSAL_ASSISTANT_MODE``      ``local`` (default) or ``deployed`` (login
                               required; config ``[server] mode``)
``CAUSAL_ASSISTANT_MAX_UPLOAD_MB``     largest accepted upload, MB (default
                               200; config ``[limits] max_upload_mb``)
``CAUSAL_ASSISTANT_INTERACTIVE_ROWS``  rows used for interactive drafting and
                               critique; larger data is sampled (default
                               100000; config ``[limits] interactive_rows``)
=============================  ==============================================

The LLM endpoint (``CAUSAL_ASSISTANT_LLM_*`` variables, the ``[llm]`` table of
the config file) is read by :class:`assistant.llm.settings.LLMSettings`, from
``Settings.file_values``; see ``docs/llm.md``.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import platformdirs

from assistant.errors import ConfigError, Location

APP_NAME = "causal-assistant"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    home = env.get("CAUSAL_ASSISTANT_HOME")
    return Path(home).expanduser() if home else Path(platformdirs.user_data_dir(APP_NAME))


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    explicit = env.get("CAUSAL_ASSISTANT_CONFIG")
    return Path(explicit).expanduser() if explicit else Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file is not valid TOML: {exc}", location=Location(file=str(path))) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file: {exc}", location=Location(file=str(path))) from exc


def default_user(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    name = env.get("CAUSAL_ASSISTANT_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # getpass raises various errors when no login name exists (containers)
        return "anonymous"


MODES = ("local", "deployed")
DEFAULT_MAX_UPLOAD_MB = 200
DEFAULT_INTERACTIVE_ROWS = 100_000


def _table(values: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = values.get(name, {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"the config file's [{name}] entry must be a table")
    return table


def _positive_int(raw: Any, what: str, minimum: int = 1) -> int:
    try:
        value = int(str(raw).strip()) if not isinstance(raw, bool) else None
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ConfigError(f"{what} must be a whole number >= {minimum}, not {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    user: str
    file_values: dict[str, Any] = field(default_factory=dict, repr=False)
    mode: str = "local"
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    interactive_rows: int = DEFAULT_INTERACTIVE_ROWS

    @property
    def deployed(self) -> bool:
        """Deployed mode: the UI requires an OIDC login and takes roles only from the config file."""
        return self.mode == "deployed"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        values = read_config_file(config_path(env))
        directory = data_dir(env)
        url = env.get("DATABASE_URL") or values.get("database", {}).get("url")
        if not url:
            url = f"sqlite:///{directory / 'causal-assistant.db'}"
        user = env.get("CAUSAL_ASSISTANT_USER") or values.get("user", {}).get("name") or default_user(env)
        server, limits = _table(values, "server"), _table(values, "limits")
        mode = str(env.get("CAUSAL_ASSISTANT_MODE") or server.get("mode") or "local").strip().lower()
        if mode not in MODES:
            raise ConfigError(f"unknown mode {mode!r} (CAUSAL_ASSISTANT_MODE or [server] mode)",
                              hint="use local (one user, no login) or deployed (OIDC login required)")
        upload = _positive_int(env.get("CAUSAL_ASSISTANT_MAX_UPLOAD_MB") or limits.get("max_upload_mb")
                               or DEFAULT_MAX_UPLOAD_MB, "CAUSAL_ASSISTANT_MAX_UPLOAD_MB ([limits] max_upload_mb)")
        rows = _positive_int(env.get("CAUSAL_ASSISTANT_INTERACTIVE_ROWS") or limits.get("interactive_rows")
                             or DEFAULT_INTERACTIVE_ROWS,
                             "CAUSAL_ASSISTANT_INTERACTIVE_ROWS ([limits] interactive_rows)", minimum=100)
        return cls(database_url=url, data_dir=directory, user=user, file_values=values, mode=mode,
                   max_upload_mb=upload, interactive_rows=rows)
