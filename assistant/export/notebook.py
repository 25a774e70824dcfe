"""The Jupyter notebook export (nbformat 4): the analysis, cell by cell, with the graph, identification,
estimate and refuters.

The data file is ``CAUSAL_ASSISTANT_DATA`` if set, else the path recorded at
export time.  Code cells follow the same rule as the script: names are string
literals only (:func:`assistant.export.code.check_code` checks the joined code
cells).  Markdown cells escape names, so a name cannot inject markup.
"""

from __future__ import annotations

import nbformat
from nbformat import v4

from assistant.export.code import HELPERS, IMPORTS, check_code, constants, data_path_expression
from assistant.export.plan import ExportPlan

# CommonMark (and Jupyter's renderer) reads a backslash before any ASCII punctuation character as that
# character, literally; "&", "<" and ">" become entities instead, so no raw HTML survives either.
_MD_PUNCTUATION = frozenset("!\"#$%'()*+,-./:;=?@[\\]^_`{|}~")
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _md_char(c: str) -> str:
    if c in _HTML_ENTITIES:
        return _HTML_ENTITIES[c]
    return "\\" + c if c in _MD_PUNCTUATION else c


def md(text: str) -> str:
    r"""Text shown literally in a Markdown cell, on one line.

    Each character is escaped once, either as an entity (``&``, ``<``, ``>``) or with a backslash (other
    punctuation), so an entity is never escaped again (which showed ``artist&#x27;s``) and no name can
    open a tag, a link, emphasis, a heading or math.

    >>> md("artist's sales"), md("<b>*x*</b> & [y](z)")
    ("artist\\'s sales", '&lt;b&gt;\\*x\\*&lt;\\/b&gt; &amp; \\[y\\]\\(z\\)')
    """
    return "".join(_md_char(c) for c in " ".join(text.split()))


GRAPH_CELL = '''\
graph = build_graph()
print("Nodes (safe name: variable):")
for node in NODES:
    print("  " + node + ": " + NODE_LABELS[node] + ("" if node in frame.columns else "  [not in the data]"))
print("Edges:")
for a, b in EDGES:
    print("  " + NODE_LABELS[a] + " -> " + NODE_LABELS[b])
try:
    import matplotlib.pyplot as plt

    plt.figure(figsize=(7, 5))
    nx.draw_networkx(graph, pos=nx.spring_layout(graph, seed=SEED), labels=NODE_LABELS, node_color="#dde7f5",
                     node_size=1600, font_size=8, arrowsize=15)
    plt.axis("off")
    plt.show()
except Exception as exc:  # drawing is a nicety; the analysis does not depend on it
    print("(graph not drawn: " + type(exc).__name__ + ")")'''

IDENTIFY_CELL = '''\
model = make_model(frame)
print("DoWhy's own identification, for comparison:")
print(model.identify_effect(proceed_when_unidentifiable=True))
estimand = identified_estimand()
print()
print("The identification the analysis used: " + describe_identification())
print(estimand)'''

ESTIMATE_CELL = '''\
estimate, value, ci = estimate_effect(model, estimand, frame)
report(value, ci, len(frame), n_rows)'''

REFUTE_CELL = '''\
refutations = refute(model, estimand, estimate, value, ci)
for r in refutations:
    verdict = "error: " + r["error"] if "error" in r else ("passed" if r["passed"] else "FAILED")
    print(r["name"] + ": " + verdict + ("" if "error" in r else "  (new effect " + repr(r["new_effect"]) + ")"))'''

SUMMARY_CELL = '''\
print(json.dumps({"estimate": value, "ci_low": ci[0], "ci_high": ci[1], "n_used": len(frame), "n_rows": n_rows,
                  "method": METHOD, "stored_estimate": STORED_ESTIMATE, "refutations": refutations}))'''


def _code_cells(plan: ExportPlan) -> list[tuple[str, str]]:
    """(markdown heading, code) pairs, in order."""
    return [
        ("## Setup\nThe analysis' choices are the constants in this cell; set `CAUSAL_ASSISTANT_DATA` to analyse "
         "another copy of the data.",
         IMPORTS + "\n\n" + constants(plan) + "\nDATA = " + data_path_expression()),
        ("## Helpers\nReading the data as causal-assistant does, the graph, the estimand, the estimator and the "
         "refuters.", HELPERS),
        ("## Data", "quiet()\nframe, n_rows = load(DATA)\nframe.describe()"),
        ("## The graph", GRAPH_CELL),
        ("## Identification", IDENTIFY_CELL),
        ("## Estimate", ESTIMATE_CELL),
        ("## Refuters\nEach refuter re-runs the estimate on altered data; the pass rules are causal-assistant's: "
         "a placebo effect within the margin of error of zero, other effects inside the original interval.",
         REFUTE_CELL),
        ("## Summary", SUMMARY_CELL),
    ]


def code_of(plan: ExportPlan) -> str:
    """All code cells joined: what the notebook runs, as one program."""
    return "\n\n\n".join(code for _title, code in _code_cells(plan))


def render(plan: ExportPlan) -> nbformat.NotebookNode:
    title = (f"# Causal analysis: {md(plan.question)}\n\n"
             f"Effect of **{md(plan.exposure)}** on **{md(plan.outcome)}**, reproduced with DoWhy. "
             f"Exported by causal-assistant {md(plan.version)}.")
    cells = [v4.new_markdown_cell(title)]
    for heading, code in _code_cells(plan):
        cells.append(v4.new_markdown_cell(heading))
        cells.append(v4.new_code_cell(code))
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def export_notebook(plan: ExportPlan) -> str:
    """The notebook as JSON text (``.ipynb``), validated by nbformat, its code checked like the script's."""
    check_code(code_of, plan, code_of(plan))
    nb = render(plan)
    nbformat.validate(nb)
    return nbformat.writes(nb)
