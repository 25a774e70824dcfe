"""Variables files: parsed strictly, merged with the data profile, and bad ones located."""

from __future__ import annotations

import pytest

from assistant.draft.spec import build_request, parse_spec_text
from assistant.errors import ParseError, UnknownVariableError
from assistant.intake import profile_csv

CSV = b"radio_play,tiktok_use,record_sales_6m\n1.0,2,10\n2.0,3,13\n3.5,1,12\n4.0,5,20\n"


def _profile():
    return profile_csv(CSV, file_name="sales.csv")[1]


def test_mapping_form_is_merged_with_the_profile():
    spec = parse_spec_text("""
variables:
  radio_play: {label: Radio play, role: exposure, tier: 1}
  record_sales_6m: {role: outcome, tier: 2}
  popularity: {observed: false, description: "How known the artist is"}
forbidden_edges: [[record_sales_6m, radio_play]]
""")
    req = build_request("Does radio play raise sales?", _profile(), spec)
    assert req.exposure == "radio_play" and req.outcome == "record_sales_6m"
    assert req.names == ["radio_play", "tiktok_use", "record_sales_6m", "popularity"]
    assert req.spec("tiktok_use").data_type == "integer"
    assert req.spec("popularity").observed is False
    assert req.knowledge().forbids("record_sales_6m", "radio_play")


@pytest.mark.parametrize("text, fragment, line", [
    ("variables: [\n  {name: a,\n", "expected", 3),
    ("- just a list\n", "expected a mapping", None),
    ("variables:\n  a: {tier: -1}\n", "greater than or equal to 0", None),
    ("variables:\n  a: {colour: red}\n", "Extra inputs", None),
])
def test_malformed_variables_files_are_located(text, fragment, line):
    with pytest.raises(ParseError) as err:
        parse_spec_text(text, source="vars.yaml")
    assert fragment in err.value.message and err.value.location.file == "vars.yaml"
    assert err.value.location.line == line


def test_observed_spec_variable_missing_from_the_data_is_an_error():
    spec = parse_spec_text("variables:\n  tv_ads: {tier: 0}\n")
    with pytest.raises(UnknownVariableError, match="tv_ads"):
        build_request("q", _profile(), spec)


def test_unknown_names_in_edges_or_arguments_are_errors():
    with pytest.raises(UnknownVariableError, match="nope"):
        build_request("q", _profile(), parse_spec_text("required_edges: [[nope, radio_play]]\n"))
    with pytest.raises(UnknownVariableError, match="sales"):
        build_request("q", _profile(), None, exposure="radio_play", outcome="sales")
