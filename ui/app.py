"""causal-assistant in the browser: ``streamlit run ui/app.py`` (or ``causal-assistant ui``).

The entry point: opens the store (loading the demo project on first start),
works out who the user is, draws the project and graph pickers, and routes
to the pages.  The pages are thin; the decisions are in ``assistant.workspace``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import streamlit as st  # noqa: E402

import common  # noqa: E402

st.set_page_config(page_title="causal-assistant", page_icon="🧭", layout="wide")

who = common.identity()  # first: in deployed mode nothing runs before the login
try:
    store = common.get_store()
except Exception as err:  # noqa: BLE001 - shown, with what to do
    st.title("causal-assistant")
    common.error(err)
    st.stop()

common.sidebar(store, who)

PAGES = [
    st.Page(str(HERE / "views" / "projects.py"), title="Projects", url_path="projects", default=True),
    st.Page(str(HERE / "views" / "data.py"), title="Data & question", url_path="data"),
    st.Page(str(HERE / "views" / "draft.py"), title="Draft", url_path="draft"),
    st.Page(str(HERE / "views" / "edit.py"), title="Edit", url_path="edit"),
    st.Page(str(HERE / "views" / "history.py"), title="History", url_path="history"),
    st.Page(str(HERE / "views" / "review.py"), title="Review", url_path="review"),
    st.Page(str(HERE / "views" / "analyze.py"), title="Analyze", url_path="analyze"),
    st.Page(str(HERE / "views" / "export.py"), title="Export", url_path="export"),
]
st.session_state["_store"] = store
st.session_state["_who"] = who
common.show_toast()
st.navigation(PAGES).run()
