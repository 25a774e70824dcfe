"""Settings from the environment and an optional config file; never from the database.

Precedence: environment variables, then ``config.toml`` in the user config
directory (or the file named by ``CAUSAL_ASSISTANT_CONFIG``), then defaults.

=============================  ==============================================
``DATABASE_URL``               SQLAlchemy URL; default: SQLite in the data dir
``CAUSAL_ASSISTANT_HOME``      data directory (default: the per-user data dir)
``CAUSAL_ASSISTANT_USER``      author name for versions (default: login name)
``CAUSAL_ASSISTANT_CONFIG``    path of the config file
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


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    user: str
    file_values: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        values = read_config_file(config_path(env))
        directory = data_dir(env)
        url = env.get("DATABASE_URL") or values.get("database", {}).get("url")
        if not url:
            url = f"sqlite:///{directory / 'causal-assistant.db'}"
        user = env.get("CAUSAL_ASSISTANT_USER") or values.get("user", {}).get("name") or default_user(env)
        return cls(database_url=url, data_dir=directory, user=user, file_values=values)
