"""Reading and writing causal graphs as text: the ``export`` end of the pipeline (and the way in for imports).

Five formats, one module each:

=========  =============================  ==========================================
name       module                         keeps
=========  =============================  ==========================================
json       :mod:`.json_format`            everything (the canonical, native format)
dagitty    :mod:`.dagitty`                what DAGitty can express: names, labels,
                                          edges, exposures, outcomes, adjusted,
                                          latent, selection, positions
dot        :mod:`.dot`                    everything (Graphviz, for drawing)
gml        :mod:`.gml`                    everything (networkx, igraph, yEd, Gephi)
csv        :mod:`.edgelist`               edges only (import from spreadsheets)
=========  =============================  ==========================================

:func:`to_networkx` and :func:`from_networkx` convert to and from networkx
objects without loss.  Every reader raises a typed error from
:mod:`assistant.errors`: :class:`~assistant.errors.ParseError` for text that
is not valid in its format, :class:`~assistant.errors.GraphValidationError`
(or a subclass) for a well-formed file describing an invalid graph; both
carry the file name and, where the format allows, the line and column.

Examples
--------
>>> g = read_graph("dag { smoking [exposure] cancer [outcome] smoking -> tar -> cancer }", "dagitty")
>>> print(write_graph(g, "dagitty"), end="")
dag {
smoking [exposure]
cancer [outcome]
tar
smoking -> tar
tar -> cancer
}
>>> read_graph(write_graph(g, "json"), "json") == g
True
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from assistant.errors import InputError, Location, NotFoundError, ParseError
from assistant.formats._common import Repair, lenient_reading
from assistant.formats.dagitty import read_dagitty, write_dagitty
from assistant.formats.dot import read_dot, write_dot
from assistant.formats.edgelist import read_edgelist, write_edgelist
from assistant.formats.gml import read_gml, write_gml
from assistant.formats.json_format import read_json, write_json
from assistant.formats.networkx_format import from_networkx, to_networkx
from assistant.model import CausalGraph


@dataclass(frozen=True)
class GraphFormat:
    name: str
    read: Callable[..., CausalGraph]
    write: Callable[[CausalGraph], str]
    extensions: tuple[str, ...]
    lossless: bool
    description: str


_REGISTRY: dict[str, GraphFormat] = {f.name: f for f in (
    GraphFormat("json", read_json, write_json, (".json",), True, "canonical JSON (lossless)"),
    GraphFormat("dagitty", read_dagitty, write_dagitty, (".dagitty", ".dag"), False, "DAGitty model code"),
    GraphFormat("dot", read_dot, write_dot, (".dot", ".gv"), True, "Graphviz DOT"),
    GraphFormat("gml", read_gml, write_gml, (".gml",), True, "Graph Modelling Language"),
    GraphFormat("csv", read_edgelist, write_edgelist, (".csv",), False, "edge-list CSV"),
)}

#: The format names, in the order they are offered.
FORMATS: tuple[str, ...] = tuple(_REGISTRY)
#: File extension (lower case, with the dot) -> format name.
EXTENSIONS: dict[str, str] = {ext: f.name for f in _REGISTRY.values() for ext in f.extensions}


def _format(fmt: str) -> GraphFormat:
    try:
        return _REGISTRY[fmt]
    except (KeyError, TypeError):
        raise InputError(f"unknown graph format {fmt!r}", hint=f"choose one of: {', '.join(FORMATS)}") from None


def read_graph(text: str, fmt: str, *, source: str | None = None) -> CausalGraph:
    """Parse ``text`` in format ``fmt``; ``source`` (a file name) is used in error locations."""
    return _format(fmt).read(text, source=source)


def write_graph(graph: CausalGraph, fmt: str) -> str:
    """``graph`` as text in format ``fmt`` (``csv`` writes the edges only)."""
    return _format(fmt).write(graph)


# --- telling formats apart -------------------------------------------------

_LEADING_COMMENTS = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/|#[^\n]*)*", re.DOTALL)
_DOT_HEAD = re.compile(r"(?:strict\s+)?(?:di)?graph\b(?!\s*\[)", re.IGNORECASE)
_DAGITTY_HEAD = re.compile(r"(?:strict\s+)?(?:dag|pdag|mag|pag)\b", re.IGNORECASE)
_GML_HEAD = re.compile(r"(?:(?:Creator|Version)\s+(?:\"[^\"]*\"|\S+)\s+)*graph\s*\[")
_CSV_HEADER = re.compile(r"\s*\"?(source|from|target|to)\"?\s*[,;\t]", re.IGNORECASE)
_ARROW = re.compile(r"<->|->|<-")


def detect_format(name: str | None, text: str) -> str:
    """The format of a file: from its extension when known, otherwise from its content.

    Examples
    --------
    >>> detect_format("model.gv", ""), detect_format(None, "dag { a -> b }"), detect_format(None, "digraph { a -> b }")
    ('dot', 'dagitty', 'dot')
    >>> detect_format("graph.txt", "source,target\\na,b\\n"), detect_format(None, "a -> b <- c")
    ('csv', 'dagitty')
    """
    if name:
        ext = os.path.splitext(str(name))[1].lower()
        if ext in EXTENSIONS:
            return EXTENSIONS[ext]
    body = text.removeprefix("\ufeff")
    start = _LEADING_COMMENTS.match(body)
    head = body[start.end() if start else 0:]
    where = Location(file=str(name) if name else None)
    if not head.strip():
        raise ParseError("the input is empty, so its format cannot be told", fmt="input", location=where)
    if head.startswith(("{", "[")):
        return "json"
    if _GML_HEAD.match(head):
        return "gml"
    if _DOT_HEAD.match(head):
        return "dot"
    if _DAGITTY_HEAD.match(head):
        return "dagitty"
    if _CSV_HEADER.match(head.split("\n", 1)[0]):
        return "csv"
    if _ARROW.search(head):
        return "dagitty"
    raise ParseError("cannot tell which graph format this is", fmt="input", location=where,
                     hint="name the format explicitly, or use a file extension: "
                          + ", ".join(f"{ext} ({fmt})" for ext, fmt in EXTENSIONS.items()))


# --- files -----------------------------------------------------------------


def load_graph_file(path: str | os.PathLike[str], fmt: str | None = None) -> CausalGraph:
    """Read a graph from a UTF-8 file, detecting the format unless ``fmt`` is given."""
    path = Path(path)
    if fmt is not None:
        _format(fmt)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory, not a graph file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[:exc.start].decode("utf-8")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        raise ParseError(f"the file is not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start} "
                         f"cannot be decoded", fmt=fmt or EXTENSIONS.get(path.suffix.lower(), "text"),
                         location=Location(file=str(path), line=line, column=column),
                         hint="save the file as UTF-8") from None
    fmt = fmt or detect_format(path.name, text)
    return read_graph(text, fmt, source=str(path))


def save_graph_file(graph: CausalGraph, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    """Write ``graph`` to ``path`` as UTF-8, choosing the format from the extension unless ``fmt`` is given.

    The file is replaced atomically: a reader never sees half a graph.
    """
    path = Path(path)
    if fmt is None:
        fmt = EXTENSIONS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(f"cannot tell the format from the file name {path.name!r}",
                             hint=f"pass a format ({', '.join(FORMATS)}) or use an extension: "
                                  + ", ".join(EXTENSIONS))
    return write_text_file(path, write_graph(graph, fmt))


def write_text_file(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` as UTF-8; every failure is an :class:`InputError` naming the file.

    A regular file (or a new one) is replaced atomically: a reader never sees half of it.  An existing
    path that is not a regular file (``/dev/stdout``, a pipe, a device) is written in place, never replaced.
    """
    path = Path(path)
    data = text.encode("utf-8")
    try:
        info = path.stat() if path.exists() else None
        if info is not None and not stat.S_ISREG(info.st_mode):
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            with open(path, "wb") as handle:
                handle.write(data)
            return path
        mode = info.st_mode & 0o777 if info is not None else 0o644
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


__all__ = [
    "Repair", "lenient_reading",
    "EXTENSIONS", "FORMATS", "GraphFormat", "detect_format", "from_networkx", "load_graph_file", "read_graph",
    "save_graph_file", "to_networkx", "write_graph", "write_text_file",
]
