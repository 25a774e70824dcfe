"""Glue shared by the pages: the store, the user, the open project and graph, the workspace, the canvas widget.

Decisions live in ``assistant.workspace``; this module only keeps them in
``st.session_state`` between reruns and draws them.
"""

from __future__ import annotations

import os
from typing import Any, Callable

import streamlit as st

from assistant.errors import CausalAssistantError
from assistant.store import Store
from assistant.workspace import Identity, Workspace, local_identity, oidc_identity
from assistant.workspace.roles import oidc_configured

DEMO_ENV = "CAUSAL_ASSISTANT_DEMO"
SIMULATED_CANVAS = "canvas_simulated_value"


@st.cache_resource(show_spinner=False)
def _open_store(url: str | None, demo: bool) -> Store:
    from assistant.demo import load_demo_project

    store = Store.open(url)
    if demo or not store.list_projects():
        load_demo_project(store)
    return store


def get_store() -> Store:
    """The store (opened once per server process); the demo project is loaded on first start."""
    demo = os.environ.get(DEMO_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return _open_store(os.environ.get("DATABASE_URL") or None, demo)


def identity() -> Identity:
    """The local user from the settings, or with ``[auth]`` in secrets.toml, the OIDC-logged-in user.

    In deployed mode (``CAUSAL_ASSISTANT_MODE=deployed``) a login is required: without ``[auth]``
    the app shows why and stops before anything else runs.
    """
    from assistant.config import Settings
    from assistant.workspace.roles import require_login_if_deployed

    try:
        require_login_if_deployed(Settings.load().deployed, st.secrets)
    except CausalAssistantError as err:
        st.title("causal-assistant")
        with st.container(key="deployment_error"):
            error(err)
        st.stop()
    if oidc_configured(st.secrets):
        if not st.user.is_logged_in:
            st.title("causal-assistant")
            st.info("Log in to continue.")
            if st.button("Log in", key="login"):
                st.login()
            st.stop()
        return oidc_identity(st.user.to_dict())
    if "identity" not in st.session_state:
        st.session_state["identity"] = local_identity()
    return st.session_state["identity"]


def error(err: BaseException, *, where: Any = st) -> None:
    """A typed error as an ``st.error`` that says what to do."""
    if isinstance(err, CausalAssistantError):
        text = str(err) + (f"\n\n**What to do:** {err.hint}" if err.hint else "")
    else:
        text = f"{type(err).__name__}: {err}"
    where.error(text)


def project() -> str | None:
    return st.session_state.get("project")


def graph_name() -> str | None:
    return st.session_state.get("graph")


def open_project(name: str, graph: str | None = None) -> None:
    st.session_state["project"] = name
    st.session_state["graph"] = graph
    # A widget's value can only be set before the widget is drawn: the sidebar applies these on the next run
    # (popping the widget keys is not enough, the browser would send the old choice back).
    st.session_state["_pending_project"] = name
    st.session_state["_pending_graph"] = graph


def sidebar(store: Store, who: Identity) -> None:
    projects = [p.name for p in store.list_projects()]
    with st.sidebar:
        with st.container(key="whoami"):
            st.caption(who.describe())
            if who.source == "oidc" and st.button("Log out", key="logout"):
                st.logout()
        if not projects:
            st.info("No project yet: create one on the Projects page.")
            return
        current = project() if project() in projects else _default_project(projects)
        chosen = _picker("Project", projects, current, key="project_picker", pending="_pending_project")
        if chosen != project():
            st.session_state["project"], st.session_state["graph"] = chosen, None
        graphs = [g.name for g in store.list_graphs(chosen)]
        if graphs:
            g = graph_name() if graph_name() in graphs else graphs[0]
            picked = _picker("Graph", graphs, g, key="graph_picker", pending="_pending_graph")
            st.session_state["graph"] = picked
        else:
            st.session_state["graph"] = None
            st.caption("No graph yet: draft one on the Draft page.")


def _picker(label: str, options: list[str], current: str, *, key: str, pending: str) -> str:
    """A selectbox that follows a choice made elsewhere in the app (``pending``) as well as the user's."""
    wanted = st.session_state.pop(pending, None)
    if wanted in options:
        st.session_state[key] = wanted
    if st.session_state.get(key) in options:
        return st.selectbox(label, options, key=key)
    st.session_state.pop(key, None)
    return st.selectbox(label, options, index=options.index(current), key=key)


def _default_project(projects: list[str]) -> str:
    from assistant.demo import PROJECT

    return PROJECT if PROJECT in projects else projects[0]


def require_graph() -> tuple[str, str]:
    p, g = project(), graph_name()
    if not p:
        st.info("Open a project first (Projects page).")
        st.stop()
    if not g:
        st.info(f"Project {p!r} has no graph yet. Draft one on the Draft page.")
        st.stop()
    return p, g


def workspace(store: Store, who: Identity) -> Workspace:
    """This session's workspace on the open graph (restoring unsaved edits from the store)."""
    from assistant.workspace.drafting import default_dataset, interactive_data, load_dataset

    p, g = require_graph()
    ws: Workspace | None = st.session_state.get("workspace")
    if ws is None or (ws.project, ws.graph_name) != (p, g) or ws.identity.name != who.name:
        ws = Workspace.open(store, p, g, who)
        name = default_dataset(store, p, ws.graph)
        if name is not None:
            try:
                loaded = load_dataset(store, p, name)
                rows = interactive_data(loaded)  # over the interactive row limit: a seeded sample
                ws.data, ws.data_sha256, ws.data_note = rows.frame, loaded.sha256, rows.note
            except CausalAssistantError as err:
                st.warning(f"the dataset {name!r} could not be read, so the critique runs without data: {err}")
        st.session_state["workspace"] = ws
    return ws


def adopt_branch(ws: Workspace) -> None:
    """After "save as branch" the workspace moved to the new graph: follow it in the pickers."""
    st.session_state["graph"] = ws.graph_name
    st.session_state["_pending_graph"] = ws.graph_name


def flow_canvas(flow: dict[str, list], *, key: str, height: int = 520, editable: bool = True) -> dict | None:
    """Draw a canvas (``{"nodes": [...], "edges": [...]}``) and return what the user changed, if anything.

    ``key`` must change whenever Python changes the graph: streamlit-flow only
    takes a new state from Python when it is remounted or its timestamp is newer
    (the new-state-plus-new-key pattern).  In AppTest, where the component does
    not run, a test puts the component's value in ``st.session_state[SIMULATED_CANVAS]``.
    """
    simulated = st.session_state.pop(SIMULATED_CANVAS, None)
    if simulated is not None:
        return simulated
    from streamlit_flow import streamlit_flow
    from streamlit_flow.elements import StreamlitFlowEdge, StreamlitFlowNode
    from streamlit_flow.state import StreamlitFlowState

    state_key = f"_flow_state_{key}"
    if state_key not in st.session_state:
        for old in [k for k in st.session_state if str(k).startswith("_flow_state_")]:
            del st.session_state[old]
        st.session_state[state_key] = StreamlitFlowState(
            nodes=[StreamlitFlowNode.from_dict(n) for n in flow["nodes"]],
            edges=[StreamlitFlowEdge.from_dict(e) for e in flow["edges"]])
        # from_dict forgets some flags; set them back from the dicts.
        for node, src in zip(st.session_state[state_key].nodes, flow["nodes"]):
            node.connectable, node.selectable, node.deletable = src["connectable"], src["selectable"], src["deletable"]
        for edge, src in zip(st.session_state[state_key].edges, flow["edges"]):
            edge.deletable, edge.focusable = src["deletable"], src["focusable"]
    sent: StreamlitFlowState = st.session_state[state_key]
    returned = streamlit_flow(key, sent, height=height, fit_view=True, show_controls=True,
                              allow_new_edges=editable, enable_pane_menu=editable, enable_edge_menu=editable,
                              enable_node_menu=False, get_edge_on_click=False, hide_watermark=True)
    if returned is sent or returned is None:
        return None
    return {"nodes": [n.asdict() for n in returned.nodes], "edges": [e.asdict() for e in returned.edges]}


def act(fn: Callable[[], Any], *, error_key: str, success: str | None = None) -> Any:
    """Run an action; a typed error is kept in session state (shown by the page) instead of raised."""
    try:
        result = fn()
    except CausalAssistantError as err:
        st.session_state[error_key] = err
        return None
    st.session_state.pop(error_key, None)
    if success:
        st.session_state["toast"] = success
    return result


def show_toast() -> None:
    message = st.session_state.pop("toast", None)
    if message:
        st.toast(message)


def diff_lines(diff) -> str:
    lines = diff.lines()
    return "\n".join(f"- `{line}`" for line in lines) if lines else "_no changes_"


def current_dataset(store: Store, project_name: str, *, empty: str) -> tuple[list[str], str]:
    """The project's datasets and the one this session works on (stops the page with ``empty`` if none)."""
    from assistant.workspace import drafting

    datasets = [d.name for d in store.list_datasets(project_name)]
    if not datasets:
        st.info(empty)
        st.stop()
    current = st.session_state.get("dataset")
    if current not in datasets:
        current = drafting.default_dataset(store, project_name) or datasets[0]
    return datasets, current
