"""The exchange log in the database (SQLite and PostgreSQL): migration 0002, Store methods, and the client
writing every exchange through the Store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from assistant.errors import NotFoundError
from assistant.llm import ExchangeContext, ExchangeSink, LLMClient, LLMSettings
from assistant.llm.schemas import QuestionOut
from assistant.model import CausalGraph, Variable
from assistant.store import ExchangeRecord, Store
from assistant.store.db import make_engine
from assistant.store.migrate import downgrade_database, schema_drift, upgrade_database

GOOD = '{"exposure": "radio_play", "outcome": "record_sales"}'
VARS = {"question": "Does radio airplay raise record sales?", "variables": ["radio_play", "record_sales"]}


def record(**overrides) -> ExchangeRecord:
    values = dict(provider="openai", base_url="http://h/v1", model="m", template_name="draft_graph",
                  template_version=1, method="json_schema", request_hash="a" * 64,
                  messages=[{"role": "user", "content": "hi"}], raw_response='{"x": 1}', parsed={"x": 1},
                  prompt_tokens=10, completion_tokens=5, total_tokens=15, latency_ms=123, purpose="draft")
    return ExchangeRecord(**{**values, **overrides})


@pytest.fixture
def store(database_url):
    with Store.open(database_url) as s:
        yield s


def test_the_store_is_an_exchange_sink(store):
    assert isinstance(store, ExchangeSink)


def test_exchanges_round_trip_through_the_database(store):
    rid = store.record_exchange(record(project="sales", graph_name="main"))
    got = store.get_exchange(rid)
    assert got.id == rid and got.created_at.tzinfo is not None
    assert got.model_dump(exclude={"id", "created_at"}) == record(project="sales", graph_name="main").model_dump(
        exclude={"id", "created_at"})


def test_listing_is_newest_first_and_filters_by_project_and_template(store):
    ids = [store.record_exchange(record(project=p, template_name=t))
           for p, t in [("a", "draft_graph"), ("b", "draft_graph"), ("a", "critique_graph")]]
    assert [r.id for r in store.list_exchanges()] == ids[::-1]
    assert [r.id for r in store.list_exchanges(project="a")] == [ids[2], ids[0]]
    assert [r.id for r in store.list_exchanges(template="draft_graph")] == [ids[1], ids[0]]
    assert [r.id for r in store.list_exchanges(limit=1)] == [ids[2]]


def test_find_cached_returns_the_newest_valid_exchange_only(store):
    assert store.find_cached("a" * 64) is None
    old = store.record_exchange(record())
    store.record_exchange(record(parsed=None, error="invalid output: x"))
    assert store.find_cached("a" * 64).id == old
    newer = store.record_exchange(record(cached=True))
    assert store.find_cached("a" * 64).id == newer
    assert store.find_cached("b" * 64) is None


def test_a_missing_parsed_value_is_sql_null(store):
    rid = store.record_exchange(record(parsed=None, error="boom"))
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM llm_exchanges WHERE parsed IS NULL AND id = :i"),
                            {"i": rid}).scalar_one() == 1


def test_unknown_ids_are_not_found(store):
    with pytest.raises(NotFoundError, match="no LLM exchange with id 99"):
        store.get_exchange(99)
    with pytest.raises(NotFoundError, match="no graph version with id 12345"):
        store.record_exchange(record(version_id=12345))


def test_an_exchange_can_point_at_a_graph_version(store):
    store.create_project("sales", author="ana")
    v1 = store.create_graph("sales", "main", CausalGraph(variables=[Variable(name="x")]), author="ana", message="")
    assert v1.id is not None and store.get_version("sales", "main").id == v1.id
    rid = store.record_exchange(record(project="sales", graph_name="main", version_id=v1.id))
    assert store.get_exchange(rid).version_id == v1.id


def test_the_client_logs_every_exchange_in_the_store_and_reuses_them_as_a_cache(database_url, fake):
    fake.queue('{"exposure": 1}', GOOD)
    ctx = ExchangeContext(purpose="draft", project="sales")
    with Store.open(database_url) as store:
        first = LLMClient.from_settings(LLMSettings(provider="fake"), sink=store).structured(
            "infer_question", VARS, QuestionOut, context=ctx)
        assert first.exchange_ids == [1, 2] and not first.cached
    # Another process, same database: the invalid first answer is not cached, so it is asked again; the
    # model answers the same, so the repair request is identical to the logged one and comes from the cache.
    fake.queue('{"exposure": 1}')
    with Store.open(database_url) as store:
        second = LLMClient.from_settings(LLMSettings(provider="fake"), sink=store).structured(
            "infer_question", VARS, QuestionOut, context=ctx)
        rows = store.list_exchanges(project="sales")
    assert second.cached and second.value == first.value
    assert (second.usage.calls, second.usage.cached_calls) == (1, 1)
    assert [(r.template_name, r.status) for r in rows] == [
        ("repair_output", "cached"), ("infer_question", "error"), ("repair_output", "ok"), ("infer_question", "error")]
    assert all(r.purpose == "draft" for r in rows)
    assert len(fake.calls) == 3


def test_migration_0002_upgrades_a_0001_database_with_data_and_downgrades_cleanly(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_database(engine, "0001")
        assert "llm_exchanges" not in sa.inspect(engine).get_table_names()
        with Store.open(database_url) as store:     # opening upgrades to the head
            store.create_project("kept", author="ana")
            store.record_exchange(record())
        assert "llm_exchanges" in sa.inspect(engine).get_table_names()
        assert schema_drift(engine) == []
        downgrade_database(engine, "0001")
        tables = set(sa.inspect(engine).get_table_names())
        assert "llm_exchanges" not in tables and "projects" in tables
        with Store.open(database_url) as store:
            assert [p.name for p in store.list_projects()] == ["kept"]
            assert store.list_exchanges() == []
    finally:
        engine.dispose()


def test_nul_characters_in_an_answer_do_not_break_the_log(database_url, fake):
    fake.queue('{"exposure": "radio\\u0000play"} \x00 trailing')
    with Store.open(database_url) as store:
        client = LLMClient.from_settings(LLMSettings(provider="fake"), sink=store)
        result = client.structured("infer_question", VARS, QuestionOut)
        assert result.value.exposure == "radio\x00play"
        rows = store.list_exchanges()
    assert "\x00" not in rows[0].raw_response and rows[0].parsed["exposure"] == "radio\x00play"


def test_the_exchange_context_is_checked():
    from assistant.errors import InputError

    with pytest.raises(InputError, match="purpose"):
        ExchangeContext(purpose="x" * 65)
    with pytest.raises(InputError, match="version_id"):
        ExchangeContext(version_id="3")  # type: ignore[arg-type]
