"""Draft: run the assistant, compare candidates side by side, accept one (or some edges) as a new draft version.

Over the interactive row limit the draft uses a sample; "Draft on all N rows in the background" queues a draft
of every row for a worker, listed under Background drafts (:mod:`background_drafts`), whose candidates are then
shown and accepted here exactly as a draft made now.
"""

import pandas as pd
import streamlit as st

import background_drafts
import common
from assistant.errors import CausalAssistantError, LLMError
from assistant.workspace import drafting

store, who = st.session_state["_store"], st.session_state["_who"]
st.title("Draft")
p = common.project()
if not p:
    st.info("Open a project first (Projects page).")
    st.stop()


def llm_settings():
    from assistant.llm import LLMSettings

    try:
        settings = LLMSettings.load()
    except CausalAssistantError as err:
        st.warning(f"The LLM settings are invalid, so only the offline assistant is offered: {err}")
        return None
    return settings if settings.configured else None


settings = llm_settings()
choices = ["offline"] + (["openai", "hybrid"] if settings is not None else [])
if st.session_state.get("backend_picker") not in choices:
    st.session_state.pop("backend_picker", None)
backend = st.radio("Assistant", choices, horizontal=True, key="backend_picker",
                   help="offline: structure search on the data, constrained by your table; openai: the LLM "
                        "proposes; hybrid: the LLM proposes and the data check every edge.")
with st.container(key="backend_badge", border=True):
    st.markdown(f"backend: {drafting.backend_label(backend, settings)}")
    if settings is None:
        st.caption("No LLM is configured (set CAUSAL_ASSISTANT_LLM_BASE_URL / _API_KEY / _MODEL to add one).")

_datasets, dataset = common.current_dataset(store, p, empty="Add a dataset on the Data & question page first.")
loaded = drafting.load_dataset(store, p, dataset)
rows_used = drafting.interactive_data(loaded)  # over the interactive row limit: a seeded sample
rows = st.session_state.get(f"variable_rows::{p}::{dataset}")
g = common.graph_name()
graph = store.get_version(p, g).graph if g else None
if rows is None:
    rows = drafting.variable_rows(loaded.profile, graph)
question = st.session_state.get(f"question::{p}")
if question is None:
    from assistant.demo import PROJECT, QUESTION

    q = graph.metadata.question if graph is not None else None
    question = q.text if q else (QUESTION if p == PROJECT else "")
exposure = st.session_state.get(f"exposure::{p}") or None
outcome = st.session_state.get(f"outcome::{p}") or None
st.markdown(f"**Question:** {question or '_none — write one on the Data & question page_'}  \n"
            f"**Data:** {dataset} ({loaded.profile.n_rows} rows)")
if rows_used.note:
    st.info(rows_used.note)
k = st.number_input("Candidates", min_value=1, max_value=6, value=3, step=1, key="draft_candidates_k")
target = st.text_input("Save accepted drafts into graph", value=g or "main", key="draft_graph_name")


def make_request():
    """The draft request of the page's table, question and markers (typed errors name the problem)."""
    spec = drafting.specs_from_rows(rows)
    return drafting.make_request(question or "", loaded.profile, spec, exposure=exposure, outcome=outcome,
                                 candidates=int(k))


def run(chosen_backend: str) -> None:
    st.session_state.pop("draft_error", None)
    background_drafts.forget_shown()
    with st.container(key="draft_status"):
        with st.status(f"Drafting with the {chosen_backend} assistant…", expanded=True) as status:
            try:
                request = make_request()
                status.write(f"{len(request.variables)} variables; exposure {request.exposure or '(from the question)'},"
                             f" outcome {request.outcome or '(from the question)'}")
                result = drafting.run_draft(request, rows_used.frame, backend=chosen_backend, store=store, project=p,
                                            graph_name=target, llm_settings=settings)
            except LLMError as err:
                status.update(label="The LLM endpoint could not be used", state="error")
                st.session_state["draft_error"] = err
                return
            except CausalAssistantError as err:
                status.update(label="The draft could not be made", state="error")
                common.error(err)
                return
            for step in result.steps:
                status.write(f"• {step}")
            status.write(f"LLM calls: {result.usage.calls} ({result.usage.cached_calls} from cache) · "
                         f"tokens: {result.usage.total_tokens}")
            status.update(label=f"{len(result.candidates)} candidates from the {result.backend} assistant", state="complete",
                          expanded=False)
    st.session_state["draft_result"] = result


if st.button("Run the assistant", key="draft_run", type="primary"):
    run(backend)

background_page = background_drafts.Page(store, who, p, drafting.queue_state() if rows_used.sampled else None)
if rows_used.sampled:
    background_drafts.offer(background_page, dataset, rows_used.total_rows, make_request, backend=backend,
                            graph_name=target)

if "draft_error" in st.session_state:
    with st.container(key="draft_llm_error"):
        common.error(st.session_state["draft_error"])
        st.caption("The offline assistant works without an LLM.")
        if st.button("Use the offline assistant", key="draft_use_offline"):
            st.session_state.pop("draft_error", None)
            run("offline")

if rows_used.sampled or store.count_drafts(p):
    background_drafts.section(background_page)

result = st.session_state.get("draft_result")
if result is None:
    st.stop()
from_background = background_drafts.shown()
if from_background is not None:
    with st.container(key="draft_from_background"):
        st.info(f"Candidates of background draft {from_background} (every row of its dataset); accepting one "
                "records the draft with the version.")

st.markdown(f"**{result.backend}**{f' ({result.model})' if result.model else ''} · exposure **{result.exposure}** · "
            f"outcome **{result.outcome}**{' (inferred from the question)' if result.exposure_outcome_inferred else ''}"
            f" · LLM calls {result.usage.calls}, tokens {result.usage.total_tokens}")
if not result.candidates:
    st.warning("The assistant proposed no candidate.")
    st.stop()
columns = st.columns(len(result.candidates))
for col, cand in zip(columns, result.candidates):
    with col:
        with st.container(key=f"candidate_{cand.rank}", border=True):
            score = f" · {cand.score_name} {cand.score:.1f}" if cand.score is not None else ""
            st.markdown(f"**Candidate {cand.rank}**{score}")
            if cand.summary:
                st.caption(cand.summary)
            st.dataframe(pd.DataFrame(drafting.edge_table(cand.graph)), hide_index=True,
                         key=f"candidate_edges_{cand.rank}")
            if st.button(f"Accept candidate {cand.rank}", key=f"accept_candidate_{cand.rank}"):
                try:
                    if from_background is not None:
                        v = drafting.accept_background_draft(store, who, p, target.strip() or "main",
                                                             from_background, cand.rank)
                    else:
                        v = drafting.accept_candidate(store, who, p, target.strip() or "main", result, cand.rank,
                                                      question=question or "", dataset=dataset)
                except CausalAssistantError as err:
                    common.error(err)
                else:
                    common.open_project(p, v.graph_name)
                    st.session_state.pop("workspace", None)
                    st.session_state["toast"] = f"saved candidate {cand.rank} as {v.graph_name} v{v.number} (draft)"
                    st.rerun()

for title, items in (("Confounders", [f"{c.name} ({'observed' if c.observed else 'NOT measured'}): {c.rationale}"
                                      for c in result.confounders]),
                     ("Missing variables worth collecting", [f"{m.name}: {m.why}" for m in result.missing_variables]),
                     ("Roles", [f"{r.role}: {r.name} — {r.rationale}" for r in result.roles]),
                     ("Refused or repaired proposals", [f"{r.claim}: {r.reason}" for r in result.rejected])):
    if items:
        with st.expander(title):
            st.markdown("\n".join(f"- {i}" for i in items))

st.subheader("Accept individual edges")
if not g:
    st.caption("Accept a whole candidate first; then you can add single edges from the others.")
    st.stop()
edges = drafting.candidate_edges(result)
picked = st.multiselect("Edges to add to the working copy of " + g, list(edges), key="accept_edges_pick")
if st.button("Add the picked edges", key="accept_edges", disabled=not picked):
    ws = common.workspace(store, who)
    ops = drafting.edge_ops(ws.graph, [edges[x] for x in picked], result)
    done = common.act(lambda: ws.apply(ops, what=f"{len(picked)} edges from the draft"), error_key="draft_edges_error",
                      success=f"added {len(picked)} edges to the working copy; save them on the Edit page")
    st.rerun()
if "draft_edges_error" in st.session_state:
    common.error(st.session_state["draft_edges_error"])
