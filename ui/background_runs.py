"""Background runs on the Analyze page: this graph's queued, running and finished runs, from the store.

The list is a fragment that polls (every few seconds) only while a run is queued or running; a finished
run's full result is drawn with :func:`analysis_result.show_result`, below the list.
"""

from dataclasses import dataclass

import streamlit as st

import background_list
import common
from analysis_result import show_result
from assistant.errors import CausalAssistantError
from assistant.jobs import BackgroundRunState
from assistant.store import Store
from assistant.workspace import Identity, analyze


@dataclass(frozen=True)
class Page:
    """What the panel works on: the store, the user, the project and graph, and the queue's state."""

    store: Store
    who: Identity
    project: str
    graph: str
    queue: "analyze.QueueState"


NO_ROLE = "Needs the editor or reviewer role."  # to run or cancel an analysis, as in the service layer


def _cancel(page: Page, run_id: int) -> None:
    background_list.cancel("background", lambda: analyze.cancel_background(page.store, page.who, run_id), run_id)


def _run_row(page: Page, state: BackgroundRunState, *, workers: int | None, refreshed: bool) -> None:
    run, phase = state.run, state.phase
    spec = run.spec
    refuters = spec.get("refuters") or []
    what = f"{spec.get('exposure')} → {spec.get('outcome')} on `{(spec.get('background') or {}).get('dataset')}`"
    if refuters:
        what += f" · {len(refuters)} refuter{'s' if len(refuters) > 1 else ''}"
    with st.container(key=f"bg_run_{run.id}", border=True):
        left, right = st.columns([6, 1])
        left.markdown(f"{background_list.PHASE_BADGES.get(phase, '')} **run {run.id} · {phase}** · "
                      f"v{run.version} · {what}")
        left.caption(f"started by {run.created_by} · {background_list.when(run.created_at)}"
                     + (f" · took {run.duration_seconds:.1f} s" if run.duration_seconds is not None else "")
                     + (" · analysed without validation (override recorded)" if spec.get("allow_unvalidated")
                        else ""))
        if phase in ("queued", "running"):
            background_list.unfinished_status(left, phase, state, workers=workers, refreshed=refreshed)
        elif phase == "succeeded":
            estimate = (run.result or {}).get("estimate") or {}
            value, low, high = estimate.get("value"), estimate.get("ci_low"), estimate.get("ci_high")
            if isinstance(value, (int, float)):
                left.caption(f"effect {value:.4g}" + (f" ({low:.4g} to {high:.4g})" if isinstance(low, (int, float))
                                                      and isinstance(high, (int, float)) else ""))
            if right.button("Show result", key=f"bg_show_{run.id}"):
                st.session_state["background_shown"] = run.id
                st.rerun()  # the whole page: the result is drawn below the list, outside this fragment
        elif phase == "failed":
            common.error(analyze.stored_error(run), where=left)
        else:  # cancelled
            left.caption(analyze.stored_error(run).message)
        if state.active:
            right.button("Cancel", key=f"bg_cancel_{run.id}", on_click=_cancel, args=(page, run.id),
                         disabled=not page.who.roles)


def _runs_panel(page: Page) -> None:
    """This graph's background runs (from the store, refreshed from the queue); redrawn alone when it polls."""
    store, who, p, g = page.store, page.who, page.project, page.graph
    listing = analyze.background_runs(store, p, g)
    background_list.header(
        "background", (p, g), {s.run.id for s in listing.active}, problem=listing.problem, noun="run",
        polling=f"Updates every {analyze.POLL_SECONDS:g} s while a run is queued or running."
                + ("" if who.roles else f" Cancelling: {NO_ROLE.lower()}"))
    if not listing.runs:
        st.caption("No background run of this graph yet.")
        return
    workers = page.queue.workers if page.queue.available else None
    for state in listing.runs:
        _run_row(page, state, workers=workers, refreshed=listing.problem is None)
    if listing.total > len(listing.runs):
        st.caption(f"The {len(listing.runs)} most recent of {listing.total} background runs.")


def _shown_result(page: Page) -> None:
    """The full result of the background run picked with "Show result" (read from the store)."""
    store, p, g = page.store, page.project, page.graph
    run_id = st.session_state.get("background_shown")
    if run_id is None:
        return
    try:
        run = store.get_analysis(run_id)
    except CausalAssistantError:
        st.session_state.pop("background_shown", None)
        return
    if (run.project, run.graph_name) != (p, g):
        return
    with st.container(key="background_result", border=True):
        head, hide = st.columns([6, 1])
        head.markdown(f"**Background run {run.id}** · started by {run.created_by} · "
                      f"{background_list.when(run.created_at)}")
        if hide.button("Hide", key="background_hide"):
            st.session_state.pop("background_shown", None)
            st.rerun()
        if run.status == "succeeded":
            try:
                show_result(analyze.stored_result(run), run.id, run.version, table_key="background_refuter_table")
            except ValueError as exc:  # a result stored by another version of causal-assistant
                st.error(f"the stored result of run {run.id} cannot be shown: {exc}")
        elif run.status == "running":
            st.info(f"Run {run.id} has not finished; its result appears here when it does.")
        elif run.status == "cancelled":
            st.info(f"Run {run.id} was cancelled: {analyze.stored_error(run).message}")
        else:
            common.error(analyze.stored_error(run))


def section(page: Page) -> None:
    """The "Background runs" part of the Analyze page."""
    st.subheader("Background runs")
    active = analyze.has_active_background_runs(page.store, page.project, page.graph)
    st.fragment(run_every=analyze.poll_interval(active))(_runs_panel)(page)
    _shown_result(page)
