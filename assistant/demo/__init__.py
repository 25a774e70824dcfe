"""The demo: the record-sales example (seed 002) as a synthetic SCM with known true effects, and its project.

:mod:`assistant.demo.record_sales` holds the structural equations, the true
effects, the data generator (:func:`generate`, :func:`planted_confounding`)
and the graphs; the generated data ship in ``assistant/data/``.
:func:`load_demo_project` puts all of it into a store as the project the CLI's
``demo`` command and the UI start from.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.demo.record_sales import (
    ADJUSTMENT_SET, CONFOUNDED_CSV_NAME, CSV_NAME, EXPOSURE, OUTCOME, QUESTION, ROWS, SEED, TRUE_EFFECT, TRUE_EFFECTS,
    VARIABLES, VARIABLES_NAME, confounded_graph, data_bytes, data_file, generate, graph, load, planted_bias,
    planted_confounding, true_effect,
)
from assistant.store import DatasetInfo, ProjectInfo, Store, VersionInfo

PROJECT = "record-sales demo"
GRAPH = "record-sales"
DATASET = "record_sales"
CONFOUNDED_DATASET = "record_sales_confounded"


@dataclass(frozen=True)
class DemoProject:
    project: ProjectInfo
    dataset: DatasetInfo
    graph_name: str
    version: VersionInfo  # the head version of the graph
    question: str = QUESTION
    created: bool = False  # False when everything was already there


def load_demo_project(store: Store, *, author: str = "demo", name: str = PROJECT,
                      confounded_dataset: bool = True) -> DemoProject:
    """Create (once) the project "record-sales demo": the shipped dataset, the question and a draft graph.

    Idempotent: running it again reuses what exists and creates nothing.  The
    graph's version 1 is the SCM's graph (the seed article's graph plus
    ``tour_dates``), in status ``draft``.  With ``confounded_dataset`` the
    planted-confounding data are added as a second dataset.
    """
    from assistant.intake.profile import profile_csv

    created = False
    if name not in {p.name for p in store.list_projects()}:
        store.create_project(name, description=f"{QUESTION} (synthetic SCM from seed 002; true effect "
                                               f"{TRUE_EFFECT:g} thousand records per hour of airplay)",
                             author=author)
        created = True
    project = store.get_project(name)
    have = {d.name for d in store.list_datasets(name)}
    wanted = [(DATASET, CSV_NAME)] + ([(CONFOUNDED_DATASET, CONFOUNDED_CSV_NAME)] if confounded_dataset else [])
    for ds_name, file_name in wanted:
        if ds_name not in have:
            content = data_bytes(file_name)
            _frame, profile = profile_csv(content, file_name=file_name)
            store.add_dataset(name, ds_name, content=content, profile=profile, author=author, file_name=file_name)
            created = True
    if GRAPH not in {g.name for g in store.list_graphs(name)}:
        store.create_graph(name, GRAPH, graph(), author=author,
                           message="Draft from the seed article's graph, plus tour dates")
        created = True
    return DemoProject(project=project, dataset=store.get_dataset(name, DATASET), graph_name=GRAPH,
                       version=store.get_version(name, GRAPH), created=created)


__all__ = [
    "ADJUSTMENT_SET", "CONFOUNDED_DATASET", "DATASET", "DemoProject", "EXPOSURE", "GRAPH", "OUTCOME", "PROJECT",
    "QUESTION", "ROWS", "SEED", "TRUE_EFFECT", "TRUE_EFFECTS", "VARIABLES", "VARIABLES_NAME", "confounded_graph",
    "data_bytes", "data_file", "generate", "graph", "load", "load_demo_project", "planted_bias",
    "planted_confounding", "true_effect",
]
