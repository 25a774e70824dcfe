"""Background drafts on the Draft page: drafts on every row of a large dataset, queued for a worker.

The page drafts on a sample when the dataset has more rows than the interactive limit; this module offers
the draft on all rows as a background job, and lists the project's background drafts from the store
(``draft_jobs``), so they survive reloads, sessions and replicas.  The list is a fragment that polls only
while a draft is queued or running (as :mod:`background_runs` on the Analyze page).  *Show candidates*
puts a finished draft's result where the page draws a draft made now, so it is shown and accepted the same
way (:func:`shown` tells the page which draft it came from).
"""

from dataclasses import dataclass

import streamlit as st

import background_list
import common
from assistant.errors import CausalAssistantError
from assistant.jobs import BackgroundDraftState
from assistant.store import Store
from assistant.workspace import Identity, drafting

NO_ROLE = "Needs the editor role."  # to queue, cancel or accept a draft, as in the service layer
SHOWN = "draft_from_background"     # session key: the id of the background draft whose result is shown


@dataclass(frozen=True)
class Page:
    """What the panel works on: the store, the user, the project, and the queue's state (None: not asked)."""

    store: Store
    who: Identity
    project: str
    queue: object | None = None


def shown() -> int | None:
    """The background draft whose candidates the page shows (None: a draft made in this session, or none)."""
    return st.session_state.get(SHOWN)


def forget_shown() -> None:
    st.session_state.pop(SHOWN, None)


def offer(page: Page, dataset: str, total_rows: int, make_request, *, backend: str, graph_name: str) -> None:
    """The "Draft on all N rows in the background" button, its availability, and what a click queued."""
    queue = page.queue
    who = page.who
    clicked = st.button(f"Draft on all {total_rows:,} rows in the background", key="draft_background",
                        disabled=queue is None or not queue.available or not who.can_edit)
    if queue is not None and not queue.available:
        with st.container(key="draft_background_unavailable"):
            st.warning(f"Drafting in the background is unavailable: {queue.problem}\n\n"
                       f"**What to do:** {queue.problem.hint}")
    elif not who.can_edit:
        st.caption(f"Drafting in the background: {NO_ROLE.lower()}")
    elif queue is not None and queue.workers == 0:
        st.caption(f"No worker is running on queue {queue.queue!r}: background drafts wait until one starts "
                   "(`causal-assistant worker`).")
    if not clicked:
        return
    try:
        queued = drafting.draft_in_background(page.store, who, page.project, dataset, make_request(),
                                              backend=backend, graph_name=graph_name.strip() or None)
    except CausalAssistantError as err:
        with st.container(key="draft_background_errors"):
            common.error(err)
    else:
        with st.container(key="draft_background_queued"):
            st.success(f"Queued as draft {queued.draft_id} on {queued.queue!r}: it is listed under Background "
                       "drafts, and its candidates can be shown there when a worker has run it (you can leave or "
                       "reload this page).")


def _cancel(page: Page, draft_id: int) -> None:
    background_list.cancel("draft_bg", lambda: drafting.cancel_background_draft(page.store, page.who, draft_id),
                           draft_id)


def _show(page: Page, draft_id: int) -> None:
    """on_click of Show candidates: the stored result becomes the page's draft result."""
    try:
        _info, result = drafting.background_result(page.store, draft_id, project=page.project)
    except CausalAssistantError as err:
        st.session_state["draft_bg_cancel_error"] = err
        return
    st.session_state["draft_result"] = result
    st.session_state[SHOWN] = draft_id
    st.session_state.pop("draft_error", None)


def _row(page: Page, state: BackgroundDraftState, *, workers: int | None, refreshed: bool) -> None:
    info, phase = state.draft, state.phase
    with st.container(key=f"bg_draft_{info.id}", border=True):
        left, right = st.columns([6, 1])
        left.markdown(f"{background_list.PHASE_BADGES.get(phase, '')} **draft {info.id} · {phase}** · "
                      f"all {info.n_rows:,} rows of `{info.dataset}` · {info.backend}")
        left.caption(f"queued by {info.created_by} · {background_list.when(info.created_at)}"
                     + (f" · took {info.duration_seconds:.1f} s" if info.duration_seconds is not None else "")
                     + (f" · question: {info.question}" if info.question else ""))
        if phase in ("queued", "running"):
            background_list.unfinished_status(left, phase, state, workers=workers, refreshed=refreshed)
        elif phase == "succeeded":
            n = len((info.result or {}).get("candidates") or [])
            left.caption(f"{n} candidate{'s' if n != 1 else ''}")
            right.button("Show candidates", key=f"bg_draft_show_{info.id}", on_click=_show, args=(page, info.id))
        elif phase == "failed":
            common.error(drafting.stored_error(info), where=left)
        else:  # cancelled
            left.caption(drafting.stored_error(info).message)
        if state.active:
            right.button("Cancel", key=f"bg_draft_cancel_{info.id}", on_click=_cancel, args=(page, info.id),
                         disabled=not page.who.can_edit)


def _panel(page: Page) -> None:
    """The project's background drafts (from the store, refreshed from the queue); redrawn alone when it polls."""
    listing = drafting.background_drafts(page.store, page.project)
    background_list.header(
        "draft_bg", page.project, {d.draft.id for d in listing.active}, problem=listing.problem, noun="draft",
        polling=f"Updates every {drafting.POLL_SECONDS:g} s while a draft is queued or running.")
    if not listing.drafts:
        st.caption("No background draft in this project yet.")
        return
    queue = page.queue
    workers = queue.workers if queue is not None and queue.available else None
    for state in listing.drafts:
        _row(page, state, workers=workers, refreshed=listing.problem is None)
    if listing.total > len(listing.drafts):
        st.caption(f"The {len(listing.drafts)} most recent of {listing.total} background drafts.")


def section(page: Page) -> None:
    """The "Background drafts" part of the Draft page."""
    st.subheader("Background drafts")
    active = drafting.has_active_background_drafts(page.store, page.project)
    st.fragment(run_every=drafting.poll_interval(active))(_panel)(page)
