"""Data & question: upload a CSV and see its profile; describe the variables; write the question."""

import pandas as pd
import streamlit as st

import common
from assistant.errors import CausalAssistantError
from assistant.workspace import drafting

store, who = st.session_state["_store"], st.session_state["_who"]
st.title("Data & question")
p = common.project()
if not p:
    st.info("Open a project first (Projects page).")
    st.stop()

st.subheader("Upload a CSV")
errors = st.container(key="data_errors")
upload = st.file_uploader("CSV file (UTF-8, one column per variable, a header row)", type=["csv", "txt"],
                          key="csv_upload")
default_name = upload.name.rsplit(".", 1)[0] if upload is not None else ""
name = st.text_input("Dataset name", value=default_name, key="dataset_name")
if st.button("Add dataset", key="add_dataset", disabled=upload is None):
    try:
        info = drafting.add_uploaded_dataset(store, who, p, name or default_name, upload.getvalue(), upload.name)
    except CausalAssistantError as err:
        common.error(err, where=errors)
        errors.caption("Nothing was stored. Fix the file and upload it again.")
    else:
        st.session_state["dataset"] = info.name
        st.session_state["toast"] = f"stored dataset {info.name!r} ({info.profile.n_rows} rows)"
        st.rerun()

datasets, current = common.current_dataset(store, p, empty="No dataset in this project yet.")
chosen = st.selectbox("Dataset", datasets, index=datasets.index(current), key="dataset_picker")
st.session_state["dataset"] = chosen
loaded = drafting.load_dataset(store, p, chosen)
st.caption(f"{loaded.profile.n_rows} rows · {len(loaded.profile.columns)} columns · sha256 {loaded.sha256[:12]}…")
st.dataframe(pd.DataFrame(drafting.profile_rows(loaded.profile)), hide_index=True, key="profile_table")

g = common.graph_name()
graph = store.get_version(p, g).graph if g else None
ws = st.session_state.get("workspace")
if ws is not None and (ws.project, ws.graph_name) == (p, g):
    graph = ws.graph

st.subheader("Variables")
st.caption("Describe each column the way an expert would. Tiers order time: a variable cannot cause one in an "
           "earlier tier. Untick 'observed' for a variable that is not measured.")
rows = drafting.variable_rows(loaded.profile, graph)
edited = st.data_editor(
    pd.DataFrame(rows, columns=list(drafting.VARIABLE_COLUMNS)), key="variables_editor", hide_index=True,
    num_rows="dynamic", width="stretch",
    column_config={
        "name": st.column_config.TextColumn("name", required=True),
        "role": st.column_config.SelectboxColumn("role", options=list(drafting.ROLE_CHOICES)),
        "tier": st.column_config.NumberColumn("tier", min_value=0, step=1),
        "observed": st.column_config.CheckboxColumn("observed", default=True),
    })
table_rows = edited.to_dict("records")
st.session_state[f"variable_rows::{p}::{chosen}"] = table_rows

st.subheader("Question")
question_default = st.session_state.get(f"question::{p}")
if question_default is None:
    q = graph.metadata.question if graph is not None else None
    from assistant.demo import PROJECT, QUESTION

    question_default = q.text if q else (QUESTION if p == PROJECT else "")
question = st.text_area("What do you want to know?", value=question_default, key="question",
                        placeholder="Does radio airplay raise record sales?")
st.session_state[f"question::{p}"] = question
try:
    spec = drafting.specs_from_rows(table_rows)
except CausalAssistantError as err:
    common.error(err)
    st.stop()
x, y = drafting.infer_question(question, loaded.profile, spec)
names = [r["name"] for r in table_rows if r.get("name")]
options = [""] + names
st.caption(f"Inferred from the question: exposure **{x or '?'}**, outcome **{y or '?'}**. Change them if wrong.")
c1, c2 = st.columns(2)
prev_x = st.session_state.get(f"exposure::{p}") or x or ""
prev_y = st.session_state.get(f"outcome::{p}") or y or ""
exposure = c1.selectbox("Exposure", options, index=options.index(prev_x) if prev_x in options else 0,
                        key="exposure_select")
outcome = c2.selectbox("Outcome", options, index=options.index(prev_y) if prev_y in options else 0,
                       key="outcome_select")
st.session_state[f"exposure::{p}"], st.session_state[f"outcome::{p}"] = exposure, outcome
if exposure and exposure == outcome:
    st.error("The exposure and the outcome must be different variables.")

if ws is not None and graph is not None and (ws.project, ws.graph_name) == (p, g):
    if st.button("Apply the table and the exposure/outcome to the working graph", key="save_question"):
        ops = drafting.variable_ops(ws.graph, spec)
        names_in_graph = set(ws.graph.names)
        if exposure in names_in_graph:
            ops.append({"op": "set_exposures", "names": [exposure]})
        if outcome in names_in_graph and outcome != exposure:
            ops.append({"op": "set_outcomes", "names": [outcome]})
        result = common.act(lambda: ws.apply(ops, what="variable table"), error_key="data_error",
                            success="applied to the working copy; save it on the Edit page")
        st.rerun()
    if "data_error" in st.session_state:
        common.error(st.session_state["data_error"])
else:
    st.caption("The Draft page uses this table and question; open the Edit page once a graph exists to apply "
               "them to it.")
