"""Review: request a review, comment on a version or one of its edges, approve or reject (reviewers only)."""

import streamlit as st

import common
from assistant.errors import CausalAssistantError
from assistant.workspace import review

store, who = st.session_state["_store"], st.session_state["_who"]
p, g = common.require_graph()
st.title(f"Review · {g}")
log = store.log(p, g)
numbers = [v.number for v in log]
n = st.selectbox("Version", numbers, index=0, key="review_version")
v = store.get_version(p, g, n)
with st.container(key="review_status", border=True):
    st.markdown(f"**v{v.number}** is **{v.status.replace('_', ' ')}** · by {v.author} · {v.message}")


def do(fn, success):
    try:
        fn()
    except CausalAssistantError as err:
        st.session_state["review_error"] = err
    else:
        st.session_state.pop("review_error", None)
        st.session_state["toast"] = success
    st.rerun()


if "review_error" in st.session_state:
    common.error(st.session_state["review_error"])

comment = st.text_area("Comment", key="review_comment")
subjects = ["the whole version"] + [str(e) for e in v.graph.edges]
subject = st.selectbox("About", subjects, key="comment_subject")
c1, c2, c3, c4 = st.columns(4)
if c1.button("Comment", key="add_comment"):
    do(lambda: review.comment(store, who, p, g, n, comment, subject=None if subject == subjects[0] else subject),
       "comment added")
if v.status == "draft" and c2.button("Request review", key="request_review"):
    do(lambda: review.request_review(store, who, p, g, n, comment), f"v{n} is in review")
if v.status == "in_review":
    if who.can_review:
        if c3.button("Approve (validate)", key="approve_version", type="primary"):
            do(lambda: review.approve(store, who, p, g, n, comment), f"v{n} is validated")
        if c4.button("Reject", key="reject_version"):
            do(lambda: review.reject(store, who, p, g, n, comment), f"v{n} is rejected")
    else:
        with st.container(key="review_not_reviewer"):
            st.info(f"Only a reviewer can validate or reject; you are {who.describe()}.")
    if c2.button("Withdraw the request", key="withdraw_review"):
        do(lambda: review.withdraw(store, who, p, g, n, comment), f"v{n} is back to draft")

with st.container(key="review_events"):
    st.subheader("Trail")
    events = store.review_events(p, g)
    if not events:
        st.caption("No review events yet.")
    for e in reversed(events):
        about = f" on `{e.subject}`" if e.subject else ""
        st.markdown(f"- v{e.version} · **{e.action.replace('_', ' ')}** by {e.actor}{about} · "
                    f"{e.created_at:%Y-%m-%d %H:%M}" + (f": {e.comment}" if e.comment else ""))
