"""How a finished analysis is drawn: the estimate with its interval, the refuters, the sensitivity contour.

One rendering for a run made now on the Analyze page and for a background run read back from the store.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from assistant.analysis.spec import AnalysisResult  # noqa: E402
from assistant.analysis.text import analysis_text  # noqa: E402


def show_result(result: AnalysisResult, run_id: int, number: int, *, table_key: str = "refuter_table") -> None:
    """The estimate, its interval, the refuters and the sensitivity: one rendering for runs now and background runs."""
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
                                   for r in result.refutations]), hide_index=True, key=table_key)
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
