"""Running a rule's worked examples: the same code path serves the test suite and the generated docs."""

from __future__ import annotations

from assistant.critique.context import CritiqueOptions
from assistant.critique.finding import CritiqueReport
from assistant.critique.rules import Example, Rule
from assistant.critique.runner import critique
from assistant.formats import detect_format, lenient_reading, read_graph
from assistant.model import CausalGraph
from assistant.stats.simulate import simulate_linear


def example_graph(text: str, ex: Example) -> tuple[CausalGraph, list]:
    """The graph of an example (dagitty text), with its roles, tiers and data types applied."""
    with lenient_reading() as repairs:
        graph = read_graph(text, detect_format(None, text), source="example")
    variables = []
    for v in graph.variables:
        changes = {}
        if v.name in ex.roles:
            changes["role"] = ex.roles[v.name]
        if v.name in ex.tiers:
            changes["tier"] = ex.tiers[v.name]
        if v.name in ex.data_types:
            changes["data_type"] = ex.data_types[v.name]
        variables.append(v.model_copy(update=changes) if changes else v)
    return CausalGraph.model_validate({**graph.model_dump(), **{"variables": [v.model_dump() for v in variables]}}), \
        list(repairs)


def example_options(rule: Rule, ex: Example) -> CritiqueOptions:
    options = CritiqueOptions()
    if "llm" in rule.needs:
        from assistant.draft.backend import BackendContext, create_backend
        from assistant.llm import LLMSettings
        from assistant.llm.fake import install_fake

        install_fake(list(ex.llm_answers))
        backend = create_backend("openai", BackendContext(llm_settings=LLMSettings(provider="fake", model="example-model", cache=False)))
        options.llm = backend
    return options


def run_example(rule: Rule, ex: Example, *, only_this_rule: bool = True) -> CritiqueReport:
    graph, repairs = example_graph(ex.graph, ex)
    data = None
    if ex.data_from is not None:
        truth, _ = example_graph(ex.data_from, ex)
        data = simulate_linear(truth, ex.rows, seed=ex.seed, weights=ex.weights, discrete=ex.discrete)
    previous = example_graph(ex.previous, ex)[0] if ex.previous is not None else None
    return critique(graph, data, previous=previous, options=example_options(rule, ex), repairs=repairs,
                    select=[rule.id] if only_this_rule else None, impact=False)
