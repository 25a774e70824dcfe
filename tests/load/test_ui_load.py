"""Two simulated users at once on the real UI (``causal-assistant ui --demo``), each in its own chromium
context: both open the Edit page, switch to their own graph, add a latent variable and save it; every step
completes, both versions are in the store, and the response times are printed.  The figures for more users
are in docs/benchmarks/load.md (``benchmarks/bench_load.py --ui-users ...``)."""

from __future__ import annotations

import pytest
from ui_load import chromium_problem, drive_users, prepare_store, summarize, ui_server, user_graph

from assistant.demo import PROJECT
from assistant.store import Store
from assistant.store.integrity import check_integrity

pytestmark = pytest.mark.slow
USERS = 2


def test_two_simulated_users_edit_and_save_at_once(tmp_path):
    problem = chromium_problem()
    if problem:
        pytest.skip(problem)
    home = tmp_path / "home"
    home.mkdir()
    url = f"sqlite:///{home / 'store.db'}"
    prepare_store(url, USERS)
    with ui_server(home, url, tmp_path / "streamlit.log") as base:
        runs = drive_users(base, USERS)
    errors = [r.error for r in runs if r.error]
    assert not errors, "\n".join(errors) + "\n" + (tmp_path / "streamlit.log").read_text(errors="replace")[-5000:]
    stats = summarize(runs)
    print({step: {k: round(v, 2) for k, v in s.items()} for step, s in stats.items()})
    assert all(stats[step]["n"] == USERS for step in stats) and len(stats) == 4
    with Store.open(url) as store:
        for i in range(USERS):
            head = store.get_version(PROJECT, user_graph(i))
            assert head.number == 2 and head.graph.has_variable(f"latent_u{i}")
        assert check_integrity(store.engine).ok
