"""The canvas: a graph to streamlit-flow nodes/edges, and what the user did on it back to edit operations."""

from __future__ import annotations

from assistant.edit import apply_edits, diff_graphs, parse_edit
from assistant.formats import read_graph
from assistant.model import CausalGraph
from assistant.workspace.canvas import (
    EDGE_COLOURS, diff_to_flow, edge_id, flow_to_ops, graph_from_edge_rows, edge_rows, graph_to_flow, layout,
)

CONFOUNDED = read_graph("dag { Z -> X  Z -> Y  X -> Y  X [exposure]  Y [outcome]  Z [adjusted]  U [latent] "
                        "U -> Y  S }", "dagitty")


def _apply(graph: CausalGraph, ops: list[dict]) -> CausalGraph:
    return apply_edits(graph, [parse_edit(o) for o in ops])


def test_an_untouched_canvas_round_trips_to_no_operations():
    flow = graph_to_flow(CONFOUNDED)
    assert [n["id"] for n in flow["nodes"]] == CONFOUNDED.names
    assert flow_to_ops(CONFOUNDED, flow["nodes"], flow["edges"]) == ([], [])


def test_markers_get_distinct_styles():
    graph = CONFOUNDED.model_copy(update={"variables": [
        v.model_copy(update={"role": "selection"}) if v.name == "S" else v for v in CONFOUNDED.variables]})
    styles = {n["id"]: n["style"] for n in graph_to_flow(graph)["nodes"]}
    distinct = {str(sorted(styles[name].items())) for name in ("X", "Y", "Z", "U", "S")}
    assert len(distinct) == 5
    assert "dashed" in styles["U"]["border"]


def test_an_edge_drawn_on_the_canvas_becomes_add_edge():
    flow = graph_to_flow(CONFOUNDED)
    flow["edges"].append({"id": "st-flow-edge_S-Y", "source": "S", "target": "Y"})
    ops, problems = flow_to_ops(CONFOUNDED, flow["nodes"], flow["edges"])
    assert problems == []
    assert ops == [{"op": "add_edge", "edge": {"source": "S", "target": "Y", "kind": "directed",
                                               "provenance": "expert", "rationale": "drawn on the canvas"}}]
    assert _apply(CONFOUNDED, ops).find_edge("S", "Y") is not None


def test_a_deleted_edge_becomes_remove_edge_and_a_flipped_one_reverse_edge():
    flow = graph_to_flow(CONFOUNDED)
    flow["edges"] = [e for e in flow["edges"] if e["id"] not in ("e:Z->X", "e:U->Y")]
    flow["edges"].append({"id": "st-flow-edge_X-Z", "source": "X", "target": "Z"})
    ops, _ = flow_to_ops(CONFOUNDED, flow["nodes"], flow["edges"])
    assert {"op": "reverse_edge", "source": "Z", "target": "X"} in ops
    assert {"op": "remove_edge", "source": "U", "target": "Y", "kind": "directed"} in ops
    after = _apply(CONFOUNDED, ops)
    d = diff_graphs(CONFOUNDED, after)
    assert [str(r) for r in d.edges_reversed] == ["Z -> X is now X -> Z"] and len(d.edges_removed) == 1


def test_a_node_added_on_the_canvas_is_a_latent_variable_and_can_be_wired_at_once():
    flow = graph_to_flow(CONFOUNDED)
    flow["nodes"].append({"id": "st-flow-node_abc", "position": {"x": 5, "y": 6}, "data": {"content": "popularity"}})
    flow["edges"].append({"id": "st-flow-edge_x", "source": "st-flow-node_abc", "target": "X"})
    ops, problems = flow_to_ops(CONFOUNDED, flow["nodes"], flow["edges"])
    after = _apply(CONFOUNDED, ops)
    assert problems == []
    assert not after.variable("popularity").observed
    assert after.variable("popularity").position.x == 5
    assert after.find_edge("popularity", "X") is not None


def test_nameless_duplicate_nodes_and_self_loops_are_reported_not_applied():
    flow = graph_to_flow(CONFOUNDED)
    flow["nodes"] += [{"id": "st-flow-node_1", "position": {"x": 0, "y": 0}, "data": {"content": " "}},
                      {"id": "st-flow-node_2", "position": {"x": 0, "y": 0}, "data": {"content": "X"}}]
    flow["edges"].append({"id": "st-flow-edge_X-X", "source": "X", "target": "X"})
    ops, problems = flow_to_ops(CONFOUNDED, flow["nodes"], flow["edges"])
    assert ops == [] and len(problems) == 3


def test_a_moved_node_gets_its_position_stored_and_then_stays_put():
    flow = graph_to_flow(CONFOUNDED)
    flow["nodes"][0]["position"] = {"x": 999.0, "y": 12.0}
    ops, _ = flow_to_ops(CONFOUNDED, flow["nodes"], flow["edges"])
    assert ops == [{"op": "update_variable", "name": "Z", "fields": {"position": {"x": 999.0, "y": 12.0}}}]
    moved = _apply(CONFOUNDED, ops)
    assert layout(moved)["Z"] == (999.0, 12.0)
    again = graph_to_flow(moved)
    assert flow_to_ops(moved, again["nodes"], again["edges"]) == ([], [])


def test_a_cycle_is_drawn_in_red():
    cyclic = read_graph("dag { a -> b  b -> c  c -> a  c -> d }", "dagitty")
    edges = {e["id"]: e for e in graph_to_flow(cyclic)["edges"]}
    assert all(edges[i]["style"]["stroke"] == EDGE_COLOURS["cycle"] for i in ("e:a->b", "e:b->c", "e:c->a"))
    assert edges["e:c->d"]["style"]["stroke"] == EDGE_COLOURS["default"]


def test_the_diff_canvas_colours_added_removed_and_reversed_edges():
    old = read_graph("dag { a -> b  b -> c  c -> d }", "dagitty")
    new = read_graph("dag { a -> b  c -> b  a -> d }", "dagitty")
    edges = {e["id"]: e["style"]["stroke"] for e in diff_to_flow(old, new)["edges"]}
    assert edges["e:a->d"] == EDGE_COLOURS["added"]
    assert edges["removed:e:c->d"] == EDGE_COLOURS["removed"]
    assert edges["e:c->b"] == EDGE_COLOURS["reversed"]
    assert edges["e:a->b"] == EDGE_COLOURS["unchanged"]


def test_bidirected_edges_keep_their_kind_through_the_canvas():
    g = read_graph("dag { a <-> b  a -> c }", "dagitty")
    flow = graph_to_flow(g)
    assert edge_id(g.edges[0]).startswith("bi:")
    assert flow_to_ops(g, flow["nodes"], flow["edges"]) == ([], [])


def test_the_edge_table_round_trips_and_keeps_edge_details():
    g = CONFOUNDED
    rows = edge_rows(g)
    assert graph_from_edge_rows(g, rows) == g
    rows[0]["rationale"] = "marketing budgets follow expected hits"
    rows.append({"source": "S", "target": "Y", "kind": "directed"})
    h = graph_from_edge_rows(g, rows)
    assert h.find_edge("S", "Y").provenance == "expert"
    assert h.edges[0].rationale == "marketing budgets follow expected hits"
