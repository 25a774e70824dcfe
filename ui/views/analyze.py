"""Analyze: the effect with its interval, refuters, sensitivity; rung-2/3 queries. Validated versions by default."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

import common  # noqa: E402
from assistant.analysis.spec import ALL_REFUTERS, AnalysisSpec, QuerySpec, RefuterSpec  # noqa: E402
from assistant.analysis.text import analysis_text, query_text  # noqa: E402
from assistant.errors import CausalAssistantError  # noqa: E402
from assistant.workspace import analyze, drafting  # noqa: E402

store, who = st.session_state["_store"], st.session_state["_who"]
p, g = common.require_graph()
st.title(f"Analyze · {g}")
log = store.log(p, g)
override = st.checkbox("Analyse a version that is not validated (the override is recorded with the run)",
                       key="allow_unvalidated")
candidates = [v for v in log if v.status == "validated" or override]
if not candidates:
    st.info("No version of this graph is validated yet. Have a reviewer approve one on the Review page, or tick the "
            "override above.")
    st.stop()
labels = {f"v{v.number} ({v.status.replace('_', ' ')}) — {v.message[:60]}": v for v in candidates}
version = labels[st.selectbox("Version", list(labels), key="analyze_version")]
graph = version.graph
datasets = [d.name for d in store.list_datasets(p)]
if not datasets:
    st.info("Add a dataset first (Data & question page).")
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

if st.button("Run the analysis", key="analyze_run", type="primary"):
    loaded = drafting.load_dataset(store, p, dataset)
    with st.container(key="analysis_progress"):
        bar = st.progress(0.0, text="starting")

        def progress(step: str, fraction: float) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=step)

        spec = AnalysisSpec(exposure=exposure, outcome=outcome,
                            refuters=[RefuterSpec(name=n, num_simulations=int(simulations)) for n in ALL_REFUTERS]
                            if refute else [])
        try:
            result, run_id = analyze.analyze_version(store, who, p, g, version.number, loaded.frame, spec,
                                                     allow_unvalidated=override, progress=progress)
        except CausalAssistantError as err:
            st.session_state["analysis"] = err
        else:
            st.session_state["analysis"] = (result, run_id, version.number)

outcome_state = st.session_state.get("analysis")
with st.container(key="analysis_result"):
    if isinstance(outcome_state, BaseException):
        common.error(outcome_state)
        st.caption("The refusal or failure is stored with the run.")
    elif outcome_state is not None:
        result, run_id, number = outcome_state
        e = result.estimate
        st.success(f"Rung 2 (an intervention, averaged over the population) · v{number} · stored as run {run_id}"
                   + (" · analysed without validation (override recorded)" if result.spec.allow_unvalidated else ""))
        st.metric(f"Effect of {result.spec.exposure} on {result.spec.outcome}", f"{e.value:.4g}",
                  help=f"{e.confidence_level:.0%} interval {e.ci_low} to {e.ci_high}")
        if e.ci_low is not None and e.ci_high is not None:
            fig, ax = plt.subplots(figsize=(6, 1.6))
            ax.errorbar([e.value], [0], xerr=[[e.value - e.ci_low], [e.ci_high - e.value]], fmt="o", capsize=6)
            ax.axvline(0, color="grey", linestyle="--")
            ax.set_yticks([])
            ax.set_xlabel(f"effect ({e.confidence_level:.0%} interval)")
            st.pyplot(fig)
            plt.close(fig)
        if result.refutations:
            st.markdown("**Refuters**")
            st.dataframe(pd.DataFrame([{"refuter": r.name, "new effect": r.new_effect, "p-value": r.p_value,
                                        "passed": r.passed, "rule": r.rule, "error": r.error or ""}
                                       for r in result.refutations]), hide_index=True, key="refuter_table")
        s = result.sensitivity
        if s is not None:
            st.markdown("**Sensitivity to an unmeasured confounder**")
            st.write(s.summary)
            if s.contour is not None:
                fig, ax = plt.subplots(figsize=(6, 4))
                cs = ax.contour(s.contour.r2dz_x, s.contour.r2yz_dx, list(map(list, zip(*s.contour.estimates))),
                                levels=10)
                ax.clabel(cs, fontsize=8)
                try:
                    ax.contour(s.contour.r2dz_x, s.contour.r2yz_dx, list(map(list, zip(*s.contour.estimates))),
                               levels=[0], colors="red", linewidths=2)
                except ValueError:
                    pass
                for b in s.benchmarks:
                    if b.adjusted_estimate is not None:  # a benchmark with no bound is explained in the text
                        ax.plot(b.r2dz_x, b.r2yz_dx, "k^")
                        ax.annotate(b.covariate, (b.r2dz_x, b.r2yz_dx), textcoords="offset points", xytext=(4, 4),
                                    fontsize=8)
                ax.set_xlabel("partial R² of the confounder with the exposure")
                ax.set_ylabel("partial R² with the outcome")
                ax.set_title("adjusted estimate (red: where the effect disappears)")
                st.pyplot(fig)
                plt.close(fig)
        with st.expander("The whole report in plain language"):
            st.text(analysis_text(result))

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
