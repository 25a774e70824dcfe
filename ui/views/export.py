"""Export: every format as a download, and a copyable code snippet.

The code exports read the project's dataset by its bare file name, offered as a download beside them:
the server's own paths never appear in what a user downloads, and nothing is left on the server's disk.
"""

import tempfile
from pathlib import Path

import streamlit as st

import common
from assistant.analysis.spec import AnalysisResult
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

dataset = drafting.default_dataset(store, p, version.graph)
content, data_name = None, None
if dataset is not None:
    info = store.get_dataset(p, dataset)
    content = store.dataset_content(p, dataset)
    data_name = Path(info.file_name or f"{dataset}.csv").name or f"{dataset}.csv"

MIME = {"notebook": "application/x-ipynb+json", "json": "application/json", "networkx": "application/json"}
texts: dict[str, str] = {}
cols = st.columns(4)
with tempfile.TemporaryDirectory(prefix="ca-export-") as tmp:
    data_path = None
    if content is not None:  # read now to choose the method as the runner would; the code names it bare
        data_path = Path(tmp) / "data.csv"
        data_path.write_bytes(content)
    for i, fmt in enumerate(EXPORT_FORMATS):
        f = REGISTRY[fmt]
        with cols[i % 4]:
            try:
                text = export(version.graph, fmt, analysis_spec=analysis, data_path=data_path, data_name=data_name)
            except CausalAssistantError as err:
                st.button(f"{fmt} ({f.extension})", key=f"download_{fmt}", disabled=True, help=str(err))
                continue
            texts[fmt] = text
            suffix = "-networkx" if fmt == "networkx" else ""
            st.download_button(f"{fmt} ({f.extension})", data=text.encode("utf-8"),
                               file_name=f"{g}-v{version.number}{suffix}{f.extension}",
                               mime=MIME.get(fmt, "text/plain"), key=f"download_{fmt}")
if content is not None:
    st.download_button(f"the data ({data_name})", data=content, file_name=data_name, mime="text/csv",
                       key="download_data")
    st.caption(f"The DoWhy script and the notebook read `{data_name}` from the folder they run in "
               "(or the file named by the CAUSAL_ASSISTANT_DATA environment variable).")

with st.container(key="export_snippet"):
    st.subheader("Copy and paste")
    if "dowhy" in texts:
        st.caption("A DoWhy script that reproduces the analysis (the copy button is at the top right):")
        st.code(texts["dowhy"], language="python")
    st.caption("DAGitty model code:")
    st.code(texts.get("dagitty", ""), language="text")
