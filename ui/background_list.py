"""What the lists of background runs (Analyze page) and background drafts (Draft page) share.

Both lists are fragments that poll while something is unfinished.  Their session keys follow one
pattern, ``{prefix}_refresh``, ``{prefix}_stale``, ``{prefix}_cancel_error``, ``{prefix}_cancelled``
(see ui/README.md), with ``prefix`` "background" for runs and "draft_bg" for drafts.
"""

from datetime import datetime, timezone
from typing import Any, Callable

import streamlit as st

import common
from assistant.errors import CausalAssistantError

PHASE_BADGES = {"queued": ":material/schedule:", "running": ":blue[:material/sync:]",
                "succeeded": ":green[:material/check_circle:]", "failed": ":red[:material/error:]",
                "cancelled": ":gray[:material/cancel:]"}


def when(moment: datetime) -> str:
    """``2026-11-27 09:31 UTC (4 min ago)``."""
    seconds = max(0, int((datetime.now(timezone.utc) - moment).total_seconds()))
    ago = (f"{seconds} s" if seconds < 60 else f"{seconds // 60} min" if seconds < 3600
           else f"{seconds // 3600} h" if seconds < 86400 else f"{seconds // 86400} d")
    return f"{moment:%Y-%m-%d %H:%M} UTC ({ago} ago)"


def cancel(prefix: str, do_cancel: Callable[[], Any], item_id: int) -> None:
    """on_click of a Cancel button: runs before the list is drawn again, so the list shows the cancellation."""
    try:
        do_cancel()
    except CausalAssistantError as err:
        st.session_state[f"{prefix}_cancel_error"] = err
    else:
        st.session_state.pop(f"{prefix}_cancel_error", None)
        st.session_state[f"{prefix}_cancelled"] = item_id


def header(prefix: str, scope: object, active: set[int], *, polling: str, problem: CausalAssistantError | None,
           noun: str) -> None:
    """The top of a list: a full redraw when something ended since the last look (its result appears and the
    polling stops), Refresh, the polling note, a stale-status warning, and the outcome of a Cancel click."""
    seen_scope, seen_active = st.session_state.get(f"_{prefix}_active", (scope, set()))
    st.session_state[f"_{prefix}_active"] = (scope, active)
    if seen_scope == scope and seen_active - active:
        st.rerun()
    top_left, top_right = st.columns([6, 1])
    top_right.button("Refresh", key=f"{prefix}_refresh")
    if active:
        top_left.caption(polling)
    if problem is not None:
        with st.container(key=f"{prefix}_stale"):
            st.warning(f"Statuses not refreshed: {problem}\n\n**What to do:** {problem.hint}")
    cancel_error = st.session_state.pop(f"{prefix}_cancel_error", None)
    if cancel_error is not None:
        with st.container(key=f"{prefix}_cancel_error"):
            common.error(cancel_error)
    cancelled = st.session_state.pop(f"{prefix}_cancelled", None)
    if cancelled is not None:
        st.toast(f"{noun} {cancelled} cancelled")


def unfinished_status(where: Any, phase: str, state: Any, *, workers: int | None, refreshed: bool) -> None:
    """Under a queued or running job's row: waiting (and whether any worker listens), or the worker's progress."""
    if phase == "queued":
        where.caption("waiting for a worker" + (" — none is running on this queue; start one with "
                                                "`causal-assistant worker`" if workers == 0 else ""))
    elif phase == "running":
        progress = state.progress or {}
        fraction = progress.get("fraction")
        if isinstance(fraction, (int, float)):
            where.progress(min(max(float(fraction), 0.0), 1.0), text=str(progress.get("step") or "working"))
        elif state.job_status is None and refreshed:
            where.caption("the queue has no record of this job (was Redis emptied?): it will not run; cancel it "
                          "to end it")
