"""Edit: the canvas, an edge table and a dagitty model-code box on one working copy; save; critique beside it."""

import pandas as pd
import streamlit as st

import common
from assistant.errors import CausalAssistantError
from assistant.formats import write_graph
from assistant.store.info import content_hash
from assistant.workspace import canvas

store, who = st.session_state["_store"], st.session_state["_who"]
ws = common.workspace(store, who)
st.title(f"Edit · {ws.graph_name}")
ERR = "edit_error"


def fail(message: str) -> None:
    st.session_state[ERR] = message


def run(fn, success=None):
    return common.act(fn, error_key=ERR, success=success)


graph_hash = content_hash(ws.graph)[:12]
nonce = st.session_state.setdefault("canvas_nonce", 0)

# --- errors and state -----------------------------------------------------------
with st.container(key="edit_errors"):
    err = st.session_state.get(ERR)
    if isinstance(err, BaseException):
        common.error(err)
    elif err:
        st.error(err)
    cycle = ws.cycle()
    if cycle:
        st.error(f"The graph has a directed cycle: {' -> '.join(cycle + cycle[:1])}. It is drawn in red on the "
                 "canvas. Reverse or delete one of its edges; a graph with a cycle cannot be saved.")
    for problem in st.session_state.get("canvas_problems", []):
        st.warning(problem)

with st.container(key="working_state", border=True):
    changes = ws.changes
    head = ws.head()
    st.markdown(f"Editing **{ws.graph_name}** from **base v{ws.base.number}** ({ws.base.status.replace('_', ' ')}, "
                f"by {ws.base.author}) · "
                + (f"unsaved changes: {changes.summary()}" if ws.dirty else "no unsaved changes")
                + (" · restored from your last session" if ws.restored else ""))
    if head.number != ws.base.number:
        st.info(f"Version {head.number} was saved since (by {head.author}: {head.message!r}). "
                + ("Saving will offer to rebase your edits onto it or save them as a branch." if ws.dirty else ""))
        if not ws.dirty and st.button(f"Load version {head.number}", key="load_latest"):
            ws.reload_if_clean()
            st.rerun()

left, right = st.columns([3, 2], gap="medium")

# --- the canvas -------------------------------------------------------------------
with left:
    with st.container(key="canvas", border=True):
        flow = canvas.graph_to_flow(ws.graph)
        value = common.flow_canvas(flow, key=f"flow_{graph_hash}_{nonce}")
    st.caption("Drag from a node's bottom handle to another node to add an edge · right-click an edge to delete it · "
               "right-click the canvas to add a latent variable · drag nodes to move them. Styles: green border "
               "exposure, blue outcome, grey halo adjusted, double amber selection, dashed latent.")
    if value is not None:
        ops, problems = canvas.flow_to_ops(ws.graph, value["nodes"], value["edges"])
        st.session_state["canvas_problems"] = problems
        if problems:
            st.session_state["canvas_nonce"] = nonce + 1
        if ops:
            run(lambda: ws.apply(ops, what="canvas edit"))
        if ops or problems:
            st.rerun()
    if st.button("Redraw the canvas", key="canvas_reset"):
        st.session_state["canvas_nonce"] = nonce + 1
        st.session_state.pop("canvas_problems", None)
        st.rerun()

    tab_edges, tab_table, tab_code = st.tabs(["Edges", "Edge table", "Model code"])
    names = ws.graph.names
    with tab_edges:
        c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
        src = c1.selectbox("From", names, key="add_edge_source")
        dst = c2.selectbox("To", names, index=min(1, len(names) - 1), key="add_edge_target")
        kind = c3.selectbox("Kind", ["directed", "bidirected"], key="add_edge_kind")
        if c4.button("Add edge", key="add_edge"):
            run(lambda: ws.apply([{"op": "add_edge", "edge": {"source": src, "target": dst, "kind": kind,
                                                              "provenance": "expert"}}]))
            st.rerun()
        directed = [str(e) for e in ws.graph.directed_edges()]
        c1, c2 = st.columns([6, 2])
        rev = c1.selectbox("Reverse", directed, key="reverse_edge_pick")
        if c2.button("Reverse", key="reverse_edge", disabled=not directed):
            s, t = rev.split(" -> ", 1)
            run(lambda: ws.apply([{"op": "reverse_edge", "source": s, "target": t}]))
            st.rerun()
        all_edges = {str(e): e for e in ws.graph.edges}
        c1, c2 = st.columns([6, 2])
        rem = c1.selectbox("Delete", list(all_edges), key="remove_edge_pick")
        if c2.button("Delete", key="remove_edge", disabled=not all_edges):
            e = all_edges[rem]
            run(lambda: ws.apply([{"op": "remove_edge", "source": e.source, "target": e.target, "kind": e.kind}]))
            st.rerun()
        c1, c2 = st.columns([6, 2])
        latent = c1.text_input("New latent variable", key="add_latent_name", placeholder="artist_popularity")
        if c2.button("Add latent", key="add_latent"):
            run(lambda: ws.apply([{"op": "add_variable", "variable": {"name": latent.strip(), "observed": False}}]))
            st.rerun()
        mark = st.columns(3)
        for col, (marker, label) in zip(mark, (("exposures", "Exposure"), ("outcomes", "Outcome"),
                                               ("adjusted", "Adjusted"))):
            picked = col.multiselect(label, names, default=getattr(ws.graph, marker), key=f"marker_{marker}_{graph_hash}")
            if picked != getattr(ws.graph, marker):
                run(lambda m=marker, v=picked: ws.apply([{"op": f"set_{m}", "names": v}]))
                st.rerun()
    with tab_table:
        with st.container(key="edge_table"):
            edited = st.data_editor(
                pd.DataFrame(canvas.edge_rows(ws.graph),
                             columns=["source", "target", "kind", "provenance", "confidence", "rationale"]),
                key=f"edge_table_editor_{graph_hash}", num_rows="dynamic", hide_index=True, width="stretch",
                column_config={
                    "source": st.column_config.SelectboxColumn("source", options=names, required=True),
                    "target": st.column_config.SelectboxColumn("target", options=names, required=True),
                    "kind": st.column_config.SelectboxColumn("kind", options=["directed", "bidirected"],
                                                             default="directed"),
                    "provenance": st.column_config.SelectboxColumn("provenance", options=["expert", "llm", "data",
                                                                                          "import"], default="expert"),
                    "confidence": st.column_config.NumberColumn("confidence", min_value=0.0, max_value=1.0),
                })
            if st.button("Apply the table", key="apply_edge_table"):
                run(lambda: ws.replace(canvas.graph_from_edge_rows(ws.graph, edited.to_dict("records")),
                                       what="edge table"))
                st.rerun()
    with tab_code:
        if st.session_state.get("_dagitty_synced") != graph_hash:
            st.session_state["dagitty_code"] = write_graph(ws.graph, "dagitty")
            st.session_state["_dagitty_synced"] = graph_hash
        code = st.text_area("DAGitty model code", key="dagitty_code", height=260,
                            help="Like DAGitty's model code box. New variables must be declared [latent].")
        if st.button("Apply the code", key="apply_dagitty"):
            run(lambda: ws.apply_dagitty(code))
            st.rerun()

    # --- save -------------------------------------------------------------------------
    if st.session_state.pop("_clear_save_message", False):
        st.session_state["save_message"] = ""
    elif "save_message" not in st.session_state:
        st.session_state["save_message"] = ws.message
    c1, c2, c3 = st.columns([6, 2, 2])
    message = c1.text_input("What did you change, and why?", key="save_message")
    if message != ws.message:
        ws.set_message(message)
    save_result = st.container(key="save_result")
    if c2.button("Save version", key="save_version", type="primary"):
        outcome = run(lambda: ws.save(message))
        if outcome is not None and outcome.saved:
            st.session_state["_clear_save_message"] = True
            st.session_state["toast"] = f"saved as version {outcome.version.number}"
            st.session_state["last_saved"] = outcome.version.number
        st.rerun()
    if c3.button("Discard changes", key="discard_changes", disabled=not ws.dirty):
        ws.discard()
        st.session_state["_clear_save_message"] = True
        st.rerun()
    if st.session_state.get("last_saved") and not ws.dirty:
        save_result.success(f"saved as version {st.session_state['last_saved']}")

    if ws.conflict is not None:
        c = ws.conflict
        with st.container(key="conflict", border=True):
            st.error(f"Not saved: {c.message}. Your edits are kept.")
            a, b = st.columns(2)
            a.markdown(f"**What was saved since (v{c.parent_version} → v{c.head_version})**")
            a.markdown(common.diff_lines(c.concurrent_diff))
            b.markdown(f"**What your save would change on top of v{c.head_version}**")
            b.markdown(common.diff_lines(c.diff))
            if st.button(f"Rebase my edits onto version {c.head_version}", key="conflict_rebase"):
                merged = run(lambda: ws.rebase())
                if merged is not None:
                    st.session_state["merge_report"] = ([str(x) for x in merged.conflicts], merged.skipped)
                st.rerun()
            default_branch = f"{ws.graph_name}-{who.name}"
            branch = st.text_input("Or save as a new graph (branch) named", value=default_branch, key="branch_name")
            if st.button("Save as branch", key="conflict_branch"):
                v = run(lambda: ws.save_as_branch(branch, message or None))
                if v is not None:
                    common.adopt_branch(ws)
                    st.session_state["_clear_save_message"] = True
                    st.session_state["toast"] = f"saved as {v.graph_name} v{v.number}"
                st.rerun()
    report = st.session_state.pop("merge_report", None)
    if report:
        conflicts, skipped = report
        if conflicts:
            st.warning("Rebased, with conflicts to check:\n" + "\n".join(f"- {x}" for x in conflicts))
        else:
            st.success("Rebased cleanly: your edits are on top of the new head. Save when ready.")
        for s in skipped:
            st.caption(s)

# --- the critique panel ------------------------------------------------------------
with right:
    with st.container(key="critique_panel", border=True):
        st.subheader("Critique")
        if ws.data_note:
            st.info(ws.data_note)
        with st.spinner("critiquing…"):
            try:
                report = ws.critique()
            except CausalAssistantError as e:
                common.error(e)
                report = None
        if report is not None:
            counts = report.counts
            st.caption(f"{counts['error']} errors · {counts['warning']} warnings · {counts['info']} info"
                       + (f" · {report.data.rows} data rows" if report.data else " · no data"))
            with st.container(key="critique_findings"):
                if not report.findings:
                    st.success("No findings.")
                for severity, heading, box in (("error", "Errors", st.error), ("warning", "Warnings", st.warning),
                                               ("info", "Info", st.info)):
                    group = [(i, f) for i, f in enumerate(report.findings) if f.severity == severity]
                    if not group:
                        continue
                    st.markdown(f"**{heading}**")
                    for i, f in group:
                        with st.container(key=f"finding_{i}"):
                            box(f"{f.rule} {f.name}: {f.message}")
                            if f.evidence or f.rationale:
                                with st.expander("evidence"):
                                    if f.rationale:
                                        st.caption(f"LLM rationale (a claim, not a fact): {f.rationale}")
                                    for ev in f.evidence:
                                        p = "" if ev.p_value is None else f", p = {ev.p_value:.3g}"
                                        st.caption(f"{ev.test} ({ev.method}{p}, n = {ev.n})")
                            if f.fix and st.button(f"Fix: {f.fix_label or 'apply the suggested edit'}",
                                                   key=f"fix_{i}"):
                                outcome = run(lambda f=f: ws.apply_fix(f))
                                if outcome is not None and outcome.saved:
                                    st.session_state["_clear_save_message"] = True
                                    st.session_state["toast"] = f"fixed {f.rule}: saved as version {outcome.version.number}"
                                st.rerun()
            with st.container(key="edit_impact"):
                st.markdown(f"**Impact of the last change** ({ws.last_change or 'none yet'})")
                impact = report.impact
                if not impact:
                    st.caption("Make a change to see what it does to the adjustment sets and the estimate.")
                else:
                    for line in impact.get("summary", []):
                        st.markdown(f"- {line}")
                    before, after = impact.get("before", {}), impact.get("after", {})

                    def sets(v):
                        return "; ".join("{" + ", ".join(s) + "}" for s in v.get("minimal_adjustment_sets", [])) or "—"

                    def est(v):
                        e = v.get("estimate")
                        return "—" if not e else f"{e['value']:.3g} ({e['ci_low']:.3g} to {e['ci_high']:.3g})"

                    st.table(pd.DataFrame({"before": [before.get("identification"), sets(before), est(before)],
                                           "after": [after.get("identification"), sets(after), est(after)]},
                                          index=["identification", "minimal adjustment sets", "estimate (95% CI)"]))
