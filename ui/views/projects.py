"""Projects: open one, or create one."""

import streamlit as st

import common
from assistant.errors import CausalAssistantError
from assistant.workspace import actions

store, who = st.session_state["_store"], st.session_state["_who"]
st.title("Projects")
st.caption("The LLM proposes, data and graph theory check, experts decide.")

projects = store.list_projects()
with st.container(key="project_list"):
    for i, p in enumerate(projects):
        graphs = store.list_graphs(p.name)
        cols = st.columns([4, 2, 1])
        mark = " (open)" if p.name == common.project() else ""
        cols[0].markdown(f"**{p.name}**{mark}  \n{p.description}")
        cols[1].caption(", ".join(f"{g.name} v{g.head} ({g.head_status.replace('_', ' ')})" for g in graphs)
                        or "no graph yet")
        if cols[2].button("Open", key=f"open_project_{i}"):
            common.open_project(p.name, graphs[0].name if graphs else None)
            st.rerun()

st.subheader("New project")
with st.form("new_project", border=True):
    name = st.text_input("Name", key="new_project_name")
    description = st.text_input("Description (optional)", key="new_project_description")
    if st.form_submit_button("Create project", key="create_project"):
        try:
            actions.create_project(store, who, name, description)
        except CausalAssistantError as err:
            common.error(err)
        else:
            common.open_project(name.strip())
            st.session_state["toast"] = f"created project {name.strip()!r}; now add data and a question"
            st.rerun()
