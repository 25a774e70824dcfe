"""The domain model validates graphs up front and its JSON Schema is the documented one."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from assistant import gallery
from assistant.errors import DuplicateVariableError, GraphValidationError, UnknownVariableError
from assistant.model import CausalGraph, Edge, Variable
from assistant.model.schema import graph_json_schema, render

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _vars(*names: str) -> list[Variable]:
    return [Variable(name=n) for n in names]


def test_duplicate_variable_names_are_rejected_with_their_position():
    with pytest.raises(DuplicateVariableError) as err:
        CausalGraph(variables=_vars("a", "b", "a"))
    assert err.value.location.path == "variables[2].name"
    assert "first defined at variables[0]" in err.value.message


def test_edge_to_an_unknown_variable_is_rejected_with_its_position():
    with pytest.raises(UnknownVariableError) as err:
        CausalGraph(variables=_vars("a", "b"), edges=[Edge(source="a", target="b"), Edge(source="b", target="c")])
    assert err.value.location.path == "edges[1].target" and err.value.names == ["c"]


def test_self_loops_and_duplicate_edges_are_rejected():
    with pytest.raises(GraphValidationError, match="self-loop"):
        CausalGraph(variables=_vars("a"), edges=[Edge(source="a", target="a")])
    with pytest.raises(GraphValidationError, match="duplicate edge"):
        CausalGraph(variables=_vars("a", "b"), edges=[Edge(source="a", target="b", kind="bidirected"),
                                                        Edge(source="b", target="a", kind="bidirected")])


def test_directed_and_bidirected_edge_on_one_pair_are_both_allowed():
    g = CausalGraph(variables=_vars("a", "b"), edges=[Edge(source="a", target="b"),
                                                        Edge(source="a", target="b", kind="bidirected")])
    assert len(g.edges) == 2


def test_markers_must_name_known_distinct_variables():
    with pytest.raises(UnknownVariableError, match="exposures"):
        CausalGraph(variables=_vars("a"), exposures=["z"])
    with pytest.raises(GraphValidationError, match="both exposure and outcome"):
        CausalGraph(variables=_vars("a"), exposures=["a"], outcomes=["a"])


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "tab\there", " lead", "trail ", "line\u2028sep",
                                 "zero\u200bwidth", "\ufeffbom", "evil\u202eoverride", "iso\u2066late",
                                 "soft\u00adhyphen", "rtl\u200fmark", "\u0301accent-first", "private\ue000use"])
def test_variable_names_must_be_printable_text(bad):
    with pytest.raises(ValueError):
        Variable(name=bad)


@pytest.mark.parametrize("ok", ["caf\u00e9", "cafe\u0301", "\U0001F600 mood", "\uff21", "a\u00a0b", "\u0430",
                                "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\U0001F469\u200d\U0001F4BB"])
def test_names_in_any_script_and_form_are_accepted_alone(ok):
    assert Variable(name=ok).name == ok


@pytest.mark.parametrize("a, b", [("caf\u00e9", "cafe\u0301"), ("A", "\uff21"), ("x2", "x\u2082")])
def test_two_names_that_differ_only_in_unicode_form_are_refused(a, b):
    with pytest.raises(DuplicateVariableError, match="looks the same as"):
        CausalGraph(variables=[Variable(name=a), Variable(name=b)])
    assert len(CausalGraph(variables=[Variable(name="A"), Variable(name="a")]).variables) == 2  # case is kept


def test_free_text_rejects_control_characters_but_descriptions_keep_newlines():
    assert Variable(name="a", description="two\nlines\tand a tab").description.count("\n") == 1
    with pytest.raises(ValueError, match="label contains control character"):
        Variable(name="a", label="two\nlines")
    with pytest.raises(ValueError, match="description contains control character"):
        Variable(name="a", description="nul\x00byte")
    with pytest.raises(ValueError, match="rationale contains control character"):
        Edge(source="a", target="b", rationale="bell\x07")


def test_unknown_fields_are_rejected_so_typos_do_not_pass_silently():
    with pytest.raises(ValueError, match="obsreved"):
        CausalGraph.model_validate({"variables": [{"name": "a", "obsreved": False}]})


def test_committed_json_schema_is_the_generated_one():
    assert (DOCS / "graph.schema.json").read_text(encoding="utf-8") == render()


def test_every_gallery_graph_validates_against_the_json_schema():
    schema = graph_json_schema()
    for entry in gallery.entries():
        jsonschema.validate(json.loads(entry.graph.model_dump_json()), schema)


def test_schema_rejects_a_graph_with_a_wrong_format_tag():
    doc = json.loads(gallery.load("confounding").model_dump_json())
    doc["format_version"] = 2
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, graph_json_schema())


def test_a_graph_larger_than_the_supported_bounds_is_refused_before_it_is_built():
    from assistant.model.graph import MAX_EDGES, MAX_VARIABLES

    ok = CausalGraph(variables=[Variable(name=f"v{i}") for i in range(MAX_VARIABLES)])
    assert len(ok.variables) == MAX_VARIABLES
    with pytest.raises(GraphValidationError, match=f"at most {MAX_VARIABLES:,}") as info:
        CausalGraph.model_validate({"variables": [{"name": f"v{i}"} for i in range(MAX_VARIABLES + 1)]})
    assert info.value.location.path == "variables"
    with pytest.raises(GraphValidationError, match=f"at most {MAX_EDGES:,}"):
        CausalGraph.model_validate({"variables": [{"name": "a"}], "edges": [{}] * (MAX_EDGES + 1)})
