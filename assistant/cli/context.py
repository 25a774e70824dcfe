"""What every command shares: the settings, the store (opened lazily) and graph references."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from assistant import gallery
from assistant.config import Settings
from assistant.errors import InputError
from assistant.model import CausalGraph


@dataclass
class AppContext:
    database_url: str | None = None
    user: str | None = None
    _store: object | None = field(default=None, repr=False)
    #: The graph the command read (a file, gallery:NAME, or project/graph vN): a graph error found later
    #: (a cycle, found when an analysis needs a DAG) is reported at it.
    graph_source: str | None = None
    #: The data the command read (a CSV path, or project:dataset), for data errors found later.
    data_source: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.load()
        return self._settings

    @property
    def author(self) -> str:
        return self.user or self.settings.user

    def store(self):
        if self._store is None:
            from assistant.store import Store  # imported here: commands without a database stay fast

            self._store = Store.open(self.database_url or self.settings.database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()  # type: ignore[attr-defined]
            self._store = None


pass_app = click.make_pass_decorator(AppContext, ensure=True)


def load_graph_ref(app: AppContext, ref: str, *, project: str | None = None, version: int | None = None,
                   fmt: str | None = None) -> CausalGraph:
    """A graph named by a file path, ``gallery:NAME``, or (with ``--project``) a stored graph's name."""
    if project:
        info = app.store().get_version(project, ref, version)
        app.graph_source = f"{project}/{ref} v{info.number}"
        return info.graph
    if version is not None:
        raise InputError("--version needs --project: files and gallery graphs have no versions")
    app.graph_source = ref
    if ref.startswith("gallery:"):
        return gallery.load(ref.split(":", 1)[1])
    from assistant.formats import load_graph_file

    path = Path(ref)
    if not path.exists():
        raise InputError(f"no such file: {ref}",
                         hint="give a graph file, gallery:NAME (see `causal-assistant gallery list`), "
                              "or a stored graph's name with --project")
    return load_graph_file(path, fmt)
