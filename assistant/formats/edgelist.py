"""Edge-list CSV: one edge per row, the simplest way to bring a graph in from a spreadsheet.

::

    source,target,kind,confidence,rationale
    smoking,tar,,0.9,inhaled tar
    tar,cancer,directed,0.7,
    smoking,cancer,bidirected,,shared genetic risk

The header row is required and names the columns, in any order and any
letter case: ``source`` and ``target`` (or ``from`` and ``to``) are required;
``kind`` (``directed``/``->`` or ``bidirected``/``<->``, default directed),
``provenance`` (default ``import``), ``confidence`` (a number from 0 to 1)
and ``rationale`` are optional.  Columns with other names are ignored.  The
delimiter is a comma, or a tab or semicolon when the header uses one
instead.  Blank lines are skipped and spaces around fields are trimmed.

The variables are the endpoints, in order of first appearance; all are
observed, with no further attributes.  So the format keeps edges and their
provenance, confidence and rationale, and loses everything else: isolated
variables, variable attributes, evidence, exposures, outcomes, adjusted
sets and metadata.  That is why it is offered for export only as a
convenience.

Every malformed row (wrong number of fields, an empty name, an unknown kind
or provenance, a confidence that is not a number in [0, 1]) is a
:class:`~assistant.errors.ParseError` naming its line; a self-loop or a
repeated edge is a :class:`~assistant.errors.GraphValidationError`, also
with its line.
"""

from __future__ import annotations

import csv
import io
from typing import Any, get_args

from assistant.errors import Location, ParseError
from assistant.formats._common import build_graph, format_number, parse_number, require_text
from assistant.model import CausalGraph, Provenance

FMT = "csv"
COLUMNS = ("source", "target", "kind", "provenance", "confidence", "rationale")
_ALIASES = {"from": "source", "to": "target", **{c: c for c in COLUMNS}}
_KINDS = {"": "directed", "directed": "directed", "->": "directed", "bidirected": "bidirected", "<->": "bidirected"}
_PROVENANCES = get_args(Provenance)


def read_edgelist(text: str, *, source: str | None = None) -> CausalGraph:
    """Parse an edge-list CSV into a :class:`CausalGraph`.

    Examples
    --------
    >>> g = read_edgelist("from,to,confidence\\nrain,wet,0.9\\nsprinkler,wet,\\n")
    >>> g.names, [(str(e), e.confidence) for e in g.edges]
    (['rain', 'wet', 'sprinkler'], [('rain -> wet', 0.9), ('sprinkler -> wet', None)])
    """
    text = require_text(text, fmt=FMT, source=source)
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", "\t", ";") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def error(message: str, line: int) -> ParseError:
        return ParseError(message, fmt=FMT, location=Location(file=source, line=line))

    header: list[str | None] | None = None
    names: dict[str, int] = {}
    edges: list[dict[str, Any]] = []
    table: dict[str, tuple[int, int | None]] = {}
    end = 0
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise error(f"bad CSV: {exc}", reader.line_num) from None
        end = reader.line_num
        fields = [f.strip() for f in row]
        if not any(fields):
            continue
        if header is None:
            header = _header(fields, start, error)
            continue
        if len(fields) != len(header):
            raise error(f"expected {len(header)} fields, as in the header, but found {len(fields)}", start)
        cells = {col: value for col, value in zip(header, fields) if col}
        edge = _edge(cells, start, error)
        for end_name in (edge["source"], edge["target"]):
            if end_name not in names:
                names[end_name] = len(names)
                table[f"variables[{names[end_name]}]"] = (start, None)
        table[f"edges[{len(edges)}]"] = (start, None)
        edges.append(edge)
    if header is None:
        raise error("no header row: the first row must name the source and target columns", 1)
    data = {"variables": [{"name": n} for n in names], "edges": edges}
    return build_graph(data, fmt=FMT, source=source, table=table)


def _header(fields: list[str], line: int, error: Any) -> list[str | None]:
    header: list[str | None] = [_ALIASES.get(f.lower()) for f in fields]
    known = [h for h in header if h]
    if "source" not in known or "target" not in known:
        raise error(f"the header row must name a source and a target column (or from and to); found {fields}", line)
    repeated = sorted({h for h in known if known.count(h) > 1})
    if repeated:
        raise error(f"the header names the {repeated[0]} column twice", line)
    return header


def _edge(cells: dict[str, str], line: int, error: Any) -> dict[str, Any]:
    for end in ("source", "target"):
        if not cells[end]:
            raise error(f"the {end} name is empty", line)
    kind = _KINDS.get(cells.get("kind", "").lower())
    if kind is None:
        raise error(f"unknown edge kind {cells['kind']!r}: expected directed or bidirected", line)
    provenance = cells.get("provenance", "").lower() or "import"
    if provenance not in _PROVENANCES:
        raise error(f"unknown provenance {cells['provenance']!r}: expected one of {', '.join(_PROVENANCES)}", line)
    edge: dict[str, Any] = {"source": cells["source"], "target": cells["target"], "kind": kind,
                            "provenance": provenance, "rationale": cells.get("rationale", "")}
    raw = cells.get("confidence", "")
    if raw:
        confidence = parse_number(raw)
        if confidence is None or not 0.0 <= confidence <= 1.0:
            raise error(f"confidence {raw!r} is not a number between 0 and 1", line)
        edge["confidence"] = confidence
    return edge


def write_edgelist(graph: CausalGraph) -> str:
    """The edges as CSV with every column of :data:`COLUMNS` (lossy: see the module docstring).

    >>> g = CausalGraph(variables=[{"name": "a"}, {"name": "b c"}], edges=[{"source": "a", "target": "b c"}])
    >>> write_edgelist(g)
    'source,target,kind,provenance,confidence,rationale\\r\\na,b c,directed,expert,,\\r\\n'
    """
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF line ends (RFC 4180), which also makes the csv module quote a bare "\r"
    writer.writerow(COLUMNS)
    for e in graph.edges:
        confidence = "" if e.confidence is None else format_number(e.confidence)
        writer.writerow([e.source, e.target, e.kind, e.provenance, confidence, e.rationale])
    return out.getvalue()
