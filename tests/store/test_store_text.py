"""Text no database can hold (NUL, lone surrogates) is refused at the store's door, for every caller.

The CLI refuses such arguments before they reach the store; the UI, the service layer and library
callers do not go through it.  The store itself must answer with a typed error that names the
argument, on both backends, and write nothing.
"""

from __future__ import annotations

import pytest

from assistant.errors import InvalidTextError
from assistant.model import CausalGraph
from assistant.store import Store

NUL = "bad\x00text"
SURROGATE = "bad\udcfftext"


def _calls(graph: CausalGraph):
    """(description, call, the argument the error must name) for each way text reaches the store."""
    return [
        ("project name", lambda s, t: s.create_project(t, author="ana"), "the name"),
        ("project description", lambda s, t: s.create_project("p2", description=t, author="ana"), "the description"),
        ("author", lambda s, t: s.create_project("p3", author=t), "the author"),
        ("graph name", lambda s, t: s.create_graph("sales", t, graph, author="ana", message=""), "the name"),
        ("version message", lambda s, t: s.save_version("sales", "main", graph, parent=1, author="ana", message=t),
         "the message"),
        ("review comment", lambda s, t: s.set_status("sales", "main", 1, "in_review", actor="ana", comment=t),
         "the comment"),
        ("working-copy user", lambda s, t: s.put_working_copy("sales", "main", t, graph, base_version=1),
         "the user"),
        ("analysis spec", lambda s, t: s.start_analysis("sales", "main", 1, {"exposure": t}, author="ana"),
         "the spec['exposure']"),
        ("lookup by name", lambda s, t: s.get_project(t), "the name"),
    ]


@pytest.mark.parametrize("text", [NUL, SURROGATE], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize("case", range(9), ids=[c[0] for c in _calls(CausalGraph())])
def test_unstorable_text_is_refused_by_name_and_nothing_is_written(store: Store, graph_name: str,
                                                                   confounding_graph: CausalGraph, case: int,
                                                                   text: str) -> None:
    what, call, named = _calls(confounding_graph)[case]
    before = store.row_counts()
    with pytest.raises(InvalidTextError) as info:
        call(store, text)
    err = info.value
    assert str(err).startswith(named), str(err)
    assert ("NUL" in str(err)) if text == NUL else ("lone surrogate" in str(err))
    assert "position 3" in str(err)
    assert err.hint and err.code == "invalid-text"
    assert store.row_counts() == before
    # the store is still usable afterwards
    assert store.get_version("sales", "main").number == 1


def test_control_characters_that_can_be_stored_are_kept(store: Store, graph_name: str,
                                                        confounding_graph: CausalGraph) -> None:
    message = "tab\there, newline\nthere, bell\x07, emoji \U0001F642"
    v = store.save_version("sales", "main", confounding_graph.model_copy(update={"name": "x"}), parent=1,
                           author="ana", message=message)
    assert store.get_version("sales", "main", v.number).message == message
