"""``load_demo_project`` creates the UI's demo project once, with the shipped dataset, the question and a draft."""

from __future__ import annotations

import pytest

from assistant.demo import DATASET, GRAPH, PROJECT, QUESTION, load_demo_project
from assistant.demo import record_sales as rs
from assistant.store import Store


@pytest.fixture
def store(sqlite_url):
    s = Store.open(sqlite_url)
    yield s
    s.close()


def test_load_demo_project_is_idempotent(store):
    first = load_demo_project(store)
    assert first.created and first.project.name == PROJECT == "record-sales demo"
    assert first.question == QUESTION and QUESTION in first.project.description
    assert store.dataset_content(PROJECT, DATASET) == rs.data_bytes()
    assert first.dataset.profile.n_rows == rs.ROWS
    assert {d.name for d in store.list_datasets(PROJECT)} == {DATASET, "record_sales_confounded"}
    assert first.graph_name == GRAPH and first.version.number == 1 and first.version.status == "draft"
    assert first.version.graph == rs.graph()
    assert first.version.graph.metadata.question.text == QUESTION
    counts = store.row_counts()

    again = load_demo_project(store)
    assert not again.created and store.row_counts() == counts
    assert again.version.number == 1


def test_load_demo_project_keeps_later_edits(store):
    demo = load_demo_project(store, author="ui", confounded_dataset=False)
    assert [d.name for d in store.list_datasets(PROJECT)] == [DATASET]
    store.save_version(PROJECT, GRAPH, rs.confounded_graph(), parent=1, author="expert", message="popularity")
    after = load_demo_project(store, author="ui", confounded_dataset=False)
    assert after.version.number == 2 and not after.created
    assert demo.project.created_by == "ui"
