"""Structure rules (S…): is this a well-formed causal diagram for the question and the data?"""

from __future__ import annotations

import networkx as nx

from assistant.critique.context import CritiqueContext
from assistant.critique.rules import Example, Rule, rule
from assistant.edit import RemoveVariable, ReverseEdge, UpdateVariable


def op(edit) -> dict:
    """An edit operation as the JSON a finding carries."""
    return edit.model_dump(mode="json", exclude_defaults=False)


@rule("S001", "cycle", "error", "structure",
      summary="The graph has a directed cycle, so it is not a DAG and no effect can be identified from it.",
      explanation="""
A variable cannot be its own cause, however indirectly.  A cycle usually means
two variables were measured at different times and the arrow between them
should point forward in time, or that a feedback loop should be unrolled into
time-indexed variables (``price_t0 -> demand_t1 -> price_t2``).  The finding
names the cycle; the suggested fix reverses the edge with the lowest confidence
on it (the last one when none has a confidence).
""",
      examples=[Example("dag { A -> B -> C -> A }", True, "A -> B -> C -> A is a cycle"),
                Example("dag { A -> B -> C A -> C }", False, "a triangle that is not a cycle")])
def cycle(ctx: CritiqueContext, r: Rule):
    if ctx.cycle is None:
        return
    loop = ctx.cycle
    steps = [(loop[i], loop[(i + 1) % len(loop)]) for i in range(len(loop))]
    edges = [ctx.graph.find_edge(a, b) for a, b in steps]
    weakest = min((e for e in edges if e is not None),
                  key=lambda e: (e.confidence if e.confidence is not None else 2.0, -edges.index(e)))
    text = " -> ".join([*loop, loop[0]])
    yield r.finding(f"the graph has a directed cycle: {text}", nodes=list(loop), edges=[f"{a} -> {b}" for a, b in steps],
                    fix=[op(ReverseEdge(source=weakest.source, target=weakest.target))],
                    fix_label=f"reverse {weakest}")


@rule("S002", "self-loop", "error", "structure",
      summary="An edge from a variable to itself (dropped on reading so that the rest could be checked).",
      explanation="""
``A -> A`` says A causes itself.  Readers refuse such a graph; the critique
reads it leniently, drops the self-loop and reports it here, so that the other
rules can still run.  If the variable changes over time, split it into
time-indexed variables.
""",
      examples=[Example("dag { A -> A A -> B }", True, "A -> A"),
                Example("dag { A -> B }", False, "no edge starts and ends at one variable")])
def self_loop(ctx: CritiqueContext, r: Rule):
    for repair in ctx.repairs:
        if repair.kind == "self-loop":
            name = repair.edge.split(" ")[0]
            where = f" ({repair.where})" if repair.where else ""
            yield r.finding(f"self-loop {repair.edge}{where}: a variable cannot cause itself; it was dropped",
                            nodes=[name], edges=[repair.edge])


@rule("S003", "duplicate-edge", "warning", "structure",
      summary="The same edge is listed twice (the repeat was dropped on reading).",
      explanation="""
A repeated edge makes the same claim twice; it usually comes from merging two
drafts or from a spreadsheet import.  The repeat is dropped so the graph can be
checked; if the two copies had different rationales or confidences, keep the
one you mean.  A directed edge and a bidirected edge between the same pair are
different claims and are not repeats.
""",
      examples=[Example('{"variables": [{"name": "A"}, {"name": "B"}], "edges": [{"source": "A", "target": "B"}, '
                        '{"source": "A", "target": "B"}]}', True, "A -> B twice (in JSON; dagitty merges repeats)"),
                Example("dag { A -> B B <-> A }", False, "a directed and a bidirected edge are different claims")])
def duplicate_edge(ctx: CritiqueContext, r: Rule):
    for repair in ctx.repairs:
        if repair.kind == "duplicate-edge":
            where = f" ({repair.where})" if repair.where else ""
            yield r.finding(f"edge {repair.edge} is listed more than once{where}; the repeat was dropped",
                            edges=[repair.edge])


@rule("S004", "variable-not-in-data", "error", "structure", needs=("data",),
      summary="An observed variable of the graph is not a column of the data (or the data cannot test it).",
      explanation="""
Every observed variable must be a column, or be marked latent.  A column that
is constant, almost entirely missing (more than half) or of a type no test
reads (text, dates) is reported too, as a warning: the data rules skip it.
The fix for an absent column marks nothing automatically; the choices are to
rename the variable to its column, to mark it latent, or to remove it.
""",
      examples=[Example("dag { A -> B -> C D -> C }", True, "D is not in the data", data_from="dag { A -> B -> C }"),
                Example("dag { A -> B -> C }", False, "every variable is a column", data_from="dag { A -> B -> C }")])
def variable_not_in_data(ctx: CritiqueContext, r: Rule):
    columns = [str(c) for c in ctx.data.columns]  # type: ignore[union-attr]
    for problem in ctx.column_problems:
        touching = [str(e) for e in ctx.graph.edges if problem.column in (e.source, e.target)]
        if problem.kind == "absent":
            close = [c for c in columns if c.lower() == problem.column.lower()]
            hint = f" (did you mean column {close[0]!r}?)" if close else ""
            yield r.finding(f"variable {problem.column!r} is observed in the graph but is not a column of the "
                            f"data{hint}: mark it latent, rename it to its column, or remove it",
                            nodes=[problem.column], edges=touching,
                            fix=[op(UpdateVariable(name=problem.column, fields={"observed": False}))],
                            fix_label=f"mark {problem.column} latent")
        else:
            yield r.finding(f"column {problem.column!r} cannot be tested: {problem.detail}; the data rules skip it",
                            severity="warning", nodes=[problem.column], edges=touching)


@rule("S005", "exposure-outcome-missing", "warning", "structure",
      summary="No exposure or no outcome is set, or the one set is isolated from the rest of the graph.",
      explanation="""
Identification answers a question about the effect of an exposure on an
outcome.  Without both, the identification rules cannot run.  An exposure or
outcome with no edges at all means the graph makes no claim about it: the
effect would be "identified" as zero by assumption.
""",
      examples=[Example("dag { A -> B }", True, "neither is set"),
                Example("dag { X [exposure] Y [outcome] X -> Y W }", False, "W is isolated but is neither")])
def exposure_outcome_missing(ctx: CritiqueContext, r: Rule):
    if not ctx.exposures or not ctx.outcomes:
        missing = [w for w, have in (("an exposure", ctx.exposures), ("an outcome", ctx.outcomes)) if not have]
        yield r.finding(f"the graph has no {' and no '.join(w.split(' ', 1)[1] for w in missing)}: mark "
                        f"{' and '.join(missing)} to check identification")
        return
    degree = {n: 0 for n in ctx.graph.names}
    for e in ctx.graph.edges:
        degree[e.source] += 1
        degree[e.target] += 1
    for role, names in (("exposure", ctx.exposures), ("outcome", ctx.outcomes)):
        for n in names:
            if degree[n] == 0:
                yield r.finding(f"the {role} {n!r} has no edges: the graph says nothing about how it relates to "
                                "anything else", severity="error", nodes=[n])


@rule("S006", "disconnected-component", "info", "structure",
      summary="Part of the graph is not connected to the exposure and outcome at all.",
      explanation="""
Variables with no path of any kind to the exposure or the outcome play no part
in the analysis.  Often that is an arrow someone forgot to draw; otherwise they
can be removed to keep the diagram readable.
""",
      examples=[Example("dag { X [exposure] Y [outcome] X -> Y A -> B }", True, "A -> B floats apart"),
                Example("dag { X [exposure] Y [outcome] X -> Y A -> B -> Y }", False, "everything is connected")])
def disconnected_component(ctx: CritiqueContext, r: Rule):
    if len(ctx.graph.names) < 2:
        return
    g = nx.Graph()
    g.add_nodes_from(ctx.graph.names)
    g.add_edges_from((e.source, e.target) for e in ctx.graph.edges)
    components = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c))
    if len(components) < 2:
        return
    anchors = set(ctx.exposures) | set(ctx.outcomes)
    main = next((c for c in components if anchors & set(c)), components[0])
    for comp in components:
        if comp is main or (anchors & set(comp)):
            continue
        fix = [op(RemoveVariable(name=n)) for n in comp]
        yield r.finding(f"{', '.join(comp)} {'is' if len(comp) == 1 else 'are'} not connected to "
                        f"{', '.join(sorted(anchors)) if anchors else 'the rest of the graph'}",
                        nodes=comp, fix=fix, fix_label="remove " + ", ".join(comp))



@rule("S007", "unadjustable-variable", "error", "structure",
      summary="The adjusted set contains the exposure, the outcome, a latent variable or an unknown name.",
      explanation="""
Adjusting means conditioning on measured values, so a latent variable cannot
be adjusted for, and adjusting for the exposure or the outcome itself is
meaningless.  The fix drops those entries from the adjusted set; the
identification rules then judge what remains.
""",
      examples=[Example("dag { X [exposure] Y [outcome] U [latent,adjusted] U -> X U -> Y X -> Y }", True,
                        "U is latent but marked adjusted"),
                Example("dag { X [exposure] Y [outcome] Z [adjusted] Z -> X Z -> Y X -> Y }", False,
                        "Z is observed")])
def unadjustable_variable(ctx: CritiqueContext, r: Rule):
    from assistant.edit import SetAdjusted

    latent = set(ctx.graph.latent)
    query = set(ctx.exposures) | set(ctx.outcomes)
    bad = [n for n in ctx.graph.adjusted if n in latent or n in query]
    if not bad:
        return
    keep = [n for n in ctx.graph.adjusted if n not in bad]
    reasons = [f"{n} ({'latent: it was never measured' if n in latent else 'the exposure or outcome itself'})"
               for n in bad]
    yield r.finding(f"cannot adjust for {', '.join(reasons)}", nodes=bad,
                    fix=[op(SetAdjusted(names=keep))], fix_label="drop " + ", ".join(bad) + " from the adjusted set")
