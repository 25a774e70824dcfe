"""History: the timeline of versions, a visual diff between any two, revert, and per-edge blame."""

import pandas as pd
import streamlit as st

import common
from assistant.errors import CausalAssistantError
from assistant.workspace import actions, canvas

store, who = st.session_state["_store"], st.session_state["_who"]
p, g = common.require_graph()
st.title(f"History · {g}")
log = store.log(p, g)
numbers = [v.number for v in log]

with st.container(key="history_list"):
    for v in log:
        with st.container(key=f"version_{v.number}", border=True):
            parent = f" (from v{v.parent})" if v.parent else ""
            st.markdown(f"**v{v.number}**{parent} · `{v.status.replace('_', ' ')}` · {v.author} · "
                        f"{v.created_at:%Y-%m-%d %H:%M} UTC  \n{v.message or '_no message_'}")

st.subheader("Compare two versions")
c1, c2 = st.columns(2)
a = c1.selectbox("From version", numbers, index=min(1, len(numbers) - 1), key="diff_from")
b = c2.selectbox("To version", numbers, index=0, key="diff_to")
old, new = store.get_version(p, g, a).graph, store.get_version(p, g, b).graph
diff = store.diff(p, g, a, b)
with st.container(key="diff_summary", border=True):
    st.markdown(f"**v{a} → v{b}: {diff.summary()}**")
    st.markdown(common.diff_lines(diff))
with st.container(key="diff_canvas", border=True):
    common.flow_canvas(canvas.diff_to_flow(old, new), key=f"diff_{a}_{b}", height=420, editable=False)
    st.caption("green: added · red dashed: removed · orange: reversed · grey: unchanged")

st.subheader("Revert")
c1, c2 = st.columns([4, 2])
to = c1.selectbox("Make a new version with the content of", numbers, index=min(1, len(numbers) - 1), key="revert_to")
if c2.button("Revert", key="revert"):
    try:
        v = actions.revert(store, who, p, g, to)
    except CausalAssistantError as err:
        common.error(err)
    else:
        st.session_state.pop("workspace", None)
        st.session_state["toast"] = f"reverted: version {v.number} has the content of version {to}"
        st.rerun()

st.subheader("Blame")
blame_version = st.selectbox("Edges of version", numbers, index=0, key="blame_version")
rows = [{"edge": b.edge_text, "introduced in": f"v{b.version}", "by": b.author,
         "when": f"{b.created_at:%Y-%m-%d %H:%M}", "provenance": b.provenance, "why (version message)": b.message,
         "last changed": f"v{b.last_changed}"} for b in store.blame(p, g, blame_version)]
rationale = {str(e): e.rationale for e in store.get_version(p, g, blame_version).graph.edges}
for r in rows:
    r["rationale"] = rationale.get(r["edge"], "")
st.dataframe(pd.DataFrame(rows), hide_index=True, key="blame_table", width="stretch")
