"""Analyze: the effect with its interval, refuters, sensitivity; rung-2/3 queries. Validated versions by default.

An analysis runs now (in this session) or in the background (queued on RQ for ``causal-assistant worker``).
Background runs are listed from the store, so they survive reloads and other sessions; the list polls
(a fragment, every few seconds) only while one of them is queued or running.
"""

import streamlit as st

import background_runs
import common
from analysis_result import show_result
from assistant.analysis.spec import ALL_REFUTERS, AnalysisSpec, QuerySpec, RefuterSpec
from assistant.analysis.text import query_text
from assistant.errors import CausalAssistantError
from assistant.workspace import analyze, drafting

store, who = st.session_state["_store"], st.session_state["_who"]
p, g = common.require_graph()
st.title(f"Analyze · {g}")
queue = analyze.queue_state()
page = background_runs.Page(store, who, p, g, queue)

log = store.log(p, g)
override = st.checkbox("Analyse a version that is not validated (the override is recorded with the run)",
                       key="allow_unvalidated")
candidates = [v for v in log if v.status == "validated" or override]
if not candidates:
    st.info("No version of this graph is validated yet. Have a reviewer approve one on the Review page, or tick the "
            "override above.")
    background_runs.section(page)
    st.stop()
labels = {f"v{v.number} ({v.status.replace('_', ' ')}) — {v.message[:60]}": v for v in candidates}
version = labels[st.selectbox("Version", list(labels), key="analyze_version")]
graph = version.graph
datasets = [d.name for d in store.list_datasets(p)]
if not datasets:
    st.info("Add a dataset first (Data & question page).")
    background_runs.section(page)
    st.stop()
default = drafting.default_dataset(store, p, graph) or datasets[0]
dataset = st.selectbox("Data", datasets, index=datasets.index(default), key="analyze_dataset")
names = graph.observed
c1, c2 = st.columns(2)
exposure = c1.selectbox("Exposure", names, index=names.index(graph.exposures[0]) if graph.exposures and
                        graph.exposures[0] in names else 0, key="analyze_exposure")
outcome = c2.selectbox("Outcome", names, index=names.index(graph.outcomes[0]) if graph.outcomes and
                       graph.outcomes[0] in names else min(1, len(names) - 1), key="analyze_outcome")
refute = st.checkbox("Run the refuters (placebo, random common cause, data subset, bootstrap)", value=True,
                     key="analyze_refuters")
simulations = st.number_input("Simulations per refuter", 5, 500, 25, key="analyze_simulations")


def make_spec() -> AnalysisSpec:
    return AnalysisSpec(exposure=exposure, outcome=outcome,
                        refuters=[RefuterSpec(name=n, num_simulations=int(simulations)) for n in ALL_REFUTERS]
                        if refute else [])


run_now, run_later, _ = st.columns([2, 2, 5])
run_clicked = run_now.button("Run the analysis", key="analyze_run", type="primary")
# (no help= tooltips on these buttons: ".st-key-<key> button" must find exactly one button, see ui/README.md)
background_clicked = run_later.button("Run in background", key="analyze_background",
                                      disabled=not queue.available or not who.roles)
if not queue.available:
    with st.container(key="background_unavailable"):
        st.warning(f"Running in the background is unavailable: {queue.problem}\n\n"
                   f"**What to do:** {queue.problem.hint}")
elif not who.roles:
    st.caption(f"Running in the background: {background_runs.NO_ROLE.lower()}")
elif queue.workers == 0:
    st.caption(f"No worker is running on queue {queue.queue!r}: background runs wait until one starts "
               "(`causal-assistant worker`).")
else:
    st.caption(f"Background runs go to queue {queue.queue!r} ({queue.workers} worker{'s' if queue.workers > 1 else ''}"
               "); follow them below, and leave or reload the page meanwhile.")

if run_clicked:
    loaded = drafting.load_dataset(store, p, dataset)
    with st.container(key="analysis_progress"):
        bar = st.progress(0.0, text="starting")

        def progress(step: str, fraction: float) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=step)

        try:
            result, run_id = analyze.analyze_version(store, who, p, g, version.number, loaded.frame, make_spec(),
                                                     allow_unvalidated=override, progress=progress)
        except CausalAssistantError as err:
            st.session_state["analysis"] = err
        else:
            st.session_state["analysis"] = (result, run_id, version.number)

if background_clicked:
    try:
        queued = analyze.analyze_in_background(store, who, p, g, version.number, dataset, make_spec(),
                                               allow_unvalidated=override)
    except CausalAssistantError as err:
        with st.container(key="background_errors"):
            common.error(err)
    else:
        st.session_state["background_shown"] = queued.run_id
        with st.container(key="background_queued"):
            st.success(f"Queued as run {queued.run_id} on {queued.queue!r}: it is listed under Background runs, and "
                       "its result appears there when a worker has run it (you can leave or reload this page).")

outcome_state = st.session_state.get("analysis")
with st.container(key="analysis_result"):
    if isinstance(outcome_state, BaseException):
        common.error(outcome_state)
        st.caption("The refusal or failure is stored with the run.")
    elif outcome_state is not None:
        show_result(*outcome_state)

background_runs.section(page)

st.subheader("What if? (rung 2 and rung 3)")
do_text = st.text_input("Intervention", value=f"{exposure}=10", key="query_do",
                        help="NAME=VALUE sets it for everyone (rung 2); NAME=*0.5 halves each unit's own value.")
unit_text = st.text_input("For one row (rung 3: a counterfactual); leave empty for everyone (rung 2)",
                          key="query_unit")
if st.button("Ask", key="query_run"):
    loaded = drafting.load_dataset(store, p, dataset)
    try:
        set_to, scale = analyze.parse_do(do_text)
        unit = int(unit_text) if unit_text.strip() else None
        qspec = QuerySpec(interventions=set_to, scale=scale, unit=unit, outcome=outcome, samples=2000)
        with st.spinner("fitting the structural causal model…"):
            qresult, run_id = analyze.query_version(store, who, p, g, version.number, loaded.frame, qspec,
                                                    allow_unvalidated=override)
    except ValueError:
        st.session_state["query"] = CausalAssistantError("the row must be a whole number (0-based)")
    except CausalAssistantError as err:
        st.session_state["query"] = err
    else:
        st.session_state["query"] = (qresult, run_id)
with st.container(key="query_result"):
    q = st.session_state.get("query")
    if isinstance(q, BaseException):
        common.error(q)
    elif q is not None:
        qresult, run_id = q
        kind = "a counterfactual for one unit" if qresult.rung == 3 else "an intervention on everyone"
        st.success(f"Rung {qresult.rung} ({kind}) · stored as run {run_id}")
        st.text(query_text(qresult))
