"""Export: every format as a download, and a copyable code snippet."""

import streamlit as st

import common
from assistant.analysis.spec import AnalysisResult
from assistant.config import data_dir
from assistant.errors import CausalAssistantError
from assistant.export import EXPORT_FORMATS, REGISTRY, export
from assistant.workspace import drafting

store, who = st.session_state["_store"], st.session_state["_who"]
p, g = common.require_graph()
st.title(f"Export · {g}")
log = store.log(p, g)
labels = {f"v{v.number} ({v.status.replace('_', ' ')})": v for v in log}
version = labels[st.selectbox("Version", list(labels), key="export_version")]

analysis = None
for run in store.list_analyses(p, g, version.number):
    if run.status == "succeeded" and run.result and "estimate" in run.result:
        analysis = AnalysisResult.model_validate(run.result)
        st.caption(f"The code exports reproduce analysis run {run.id} ({run.created_at:%Y-%m-%d %H:%M}).")
        break
else:
    st.caption("No analysis of this version yet: the code exports use the graph's exposure and outcome and the "
               "default settings.")

data_path = None
dataset = drafting.default_dataset(store, p, version.graph)
if dataset is not None:
    info = store.get_dataset(p, dataset)
    folder = data_dir() / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    data_path = folder / f"{info.content_hash[:16]}-{info.file_name or dataset + '.csv'}".replace("/", "_")
    if not data_path.exists():
        data_path.write_bytes(store.dataset_content(p, dataset))

MIME = {"notebook": "application/x-ipynb+json", "json": "application/json", "networkx": "application/json"}
texts: dict[str, str] = {}
cols = st.columns(4)
for i, fmt in enumerate(EXPORT_FORMATS):
    f = REGISTRY[fmt]
    with cols[i % 4]:
        try:
            text = export(version.graph, fmt, analysis_spec=analysis, data_path=data_path)
        except CausalAssistantError as err:
            st.button(f"{fmt} ({f.extension})", key=f"download_{fmt}", disabled=True, help=str(err))
            continue
        texts[fmt] = text
        suffix = "-networkx" if fmt == "networkx" else ""
        st.download_button(f"{fmt} ({f.extension})", data=text.encode("utf-8"),
                           file_name=f"{g}-v{version.number}{suffix}{f.extension}",
                           mime=MIME.get(fmt, "text/plain"), key=f"download_{fmt}")

with st.container(key="export_snippet"):
    st.subheader("Copy and paste")
    if "dowhy" in texts:
        st.caption("A DoWhy script that reproduces the analysis (the copy button is at the top right):")
        st.code(texts["dowhy"], language="python")
    st.caption("DAGitty model code:")
    st.code(texts.get("dagitty", ""), language="text")
