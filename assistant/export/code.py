"""The Python code shared by the DoWhy script and the notebook, and the checks that keep names out of it.

Rule: user-supplied text (variable names, the question, the data path) enters
the generated code only through :func:`literal`, which writes ``repr()`` of a
``str`` — always a valid Python string literal that evaluates to the same
text, whatever quotes, backslashes, newlines or unicode it holds.  Nothing is
ever f-string-interpolated into code, comments or docstrings.

:func:`check_code` proves it for each export: the code must parse, and its
syntax tree with every string constant blanked must be identical to that of
the same export made with neutral names (``s0``, ``s1``, ...).  So the names
can change string constants and nothing else.
"""

from __future__ import annotations

import ast
import math
from typing import Callable

from assistant.errors import ExportError
from assistant.export.plan import ExportPlan


# --- literals ---------------------------------------------------------------------------------


def literal(value: object, indent: int = 0, width: int = 100) -> str:
    """``value`` (str, int, float, bool, None, list, tuple, dict of those) as Python source."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return repr(float(value))
        return f"float({repr(str(value))})"
    if isinstance(value, (list, tuple, dict)):
        flat = _flat(value)
        if len(flat) + indent <= width:
            return flat
        pad = " " * (indent + 4)
        if isinstance(value, dict):
            items = [f"{pad}{literal(k)}: {literal(v, indent + 4, width)}," for k, v in value.items()]
            return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
        items = [f"{pad}{literal(v, indent + 4, width)}," for v in value]
        open_, close = ("[", "]") if isinstance(value, list) else ("(", ")")
        return open_ + "\n" + "\n".join(items) + "\n" + " " * indent + close
    raise ExportError(f"cannot write a {type(value).__name__} as a literal")


def _flat(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(_flat(v) for v in value)
        return "(" + inner + ("," if len(value) == 1 else "") + ")"
    return literal(value)


def assign(name: str, value: object) -> str:
    return f"{name} = {literal(value, 0)}"


# --- the checks ---------------------------------------------------------------------------------


class _BlankStrings(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(value=""), node)
        return node


def skeleton(code: str) -> str:
    """The code's syntax tree with every string constant blanked (raises SyntaxError if it does not parse)."""
    tree = ast.parse(code)
    return ast.dump(_BlankStrings().visit(tree), include_attributes=False)


def check_code(render: Callable[[ExportPlan], str], plan: ExportPlan, code: str) -> None:
    """Raise :class:`ExportError` unless ``code`` parses and the plan's strings live only in string constants."""
    try:
        real = skeleton(code)
    except SyntaxError as exc:
        raise ExportError(f"the generated code does not parse: {exc.msg} (line {exc.lineno})") from None
    neutral = skeleton(render(plan.anonymized()))
    if real != neutral:
        raise ExportError("the generated code's structure depends on the variable names; refusing to export it")
    constants = {n.value for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    missing = [s for s in plan.strings() if s not in constants]
    if missing:
        raise ExportError(f"names missing from the generated code's string constants: {missing[:3]!r}")


# --- the code ---------------------------------------------------------------------------------

IMPORTS = '''\
import argparse
import io
import json
import logging
import os
import random
import sys
import warnings

import networkx as nx
import numpy as np
import pandas as pd
from dowhy import CausalModel'''


def constants(plan: ExportPlan) -> str:
    """What the analysis decided, as data.  Every user-supplied string is a literal here and nowhere else."""
    refuters = [{k: v for k, v in (("name", r.name), ("dowhy_name", r.dowhy_name),
                                    ("num_simulations", r.num_simulations), ("subset_fraction", r.subset_fraction),
                                    ("placebo_type", r.placebo_type)) if v is not None} for r in plan.refuters]
    lines = [
        "# The question, in the user's words.",
        assign("QUESTION", plan.question),
        "# The CSV the analysis ran on (override it on the command line, or with CAUSAL_ASSISTANT_DATA).",
        assign("DEFAULT_DATA", plan.data_path),
        "# Exposure and outcome, as named in the data.",
        assign("EXPOSURE", plan.exposure),
        assign("OUTCOME", plan.outcome),
        "# Variable name -> the identifier DoWhy sees.  Names are data: DoWhy's estimators build",
        "# formulas from column names, so every column is renamed to a safe identifier first.",
        assign("NAMES", plan.names),
        "# DoWhy's graph: every node (latent ones have no column) and every edge, in safe names.",
        assign("NODES", plan.nodes),
        assign("EDGES", plan.edges),
        assign("NODE_LABELS", plan.labels),
        "# How the effect is identified (causal-assistant's graph core), in the data's names.",
        assign("STRATEGY", plan.strategy),
        assign("ADJUSTMENT_SET", plan.adjustment_set),
        assign("INSTRUMENTS", plan.instruments),
        assign("MEDIATORS", plan.mediators),
        assign("FIRST_STAGE_SET", plan.first_stage),
        assign("SECOND_STAGE_SET", plan.second_stage),
        "# The columns the estimate reads (incomplete rows in these are left out).",
        assign("COLUMNS", plan.columns),
        assign("COVARIATES", plan.covariates),
        "# How the effect is estimated.",
        assign("METHOD", plan.dowhy_method),
        assign("METHOD_PARAMS", plan.init_params),
        assign("CONTROL_VALUE", plan.control_value),
        assign("TREATMENT_VALUE", plan.treatment_value),
        assign("CONFIDENCE_LEVEL", plan.confidence_level),
        assign("CI_SIMULATIONS", plan.ci_simulations),
        assign("SEED", plan.seed),
        assign("REFUTERS", refuters),
        "# What causal-assistant stored for this analysis (None if it was exported before running).",
        assign("STORED_ESTIMATE", plan.stored_estimate),
        assign("STORED_CI", list(plan.stored_ci) if plan.stored_ci else None),
        assign("EXPORTED_BY", f"causal-assistant {plan.version}"),
        assign("STORED_WITH_DOWHY", plan.dowhy_version),
    ]
    return "\n".join(lines)


_HELPERS = '''\
NA_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"]


def quiet():
    """DoWhy logs at INFO and pandas/sklearn warn freely; keep the output readable."""
    logging.getLogger("dowhy").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")


def read_table(path):
    """Read the CSV the way causal-assistant does: UTF-8, delimiter sniffed (quote-aware), same NA markers."""
    with open(path, "rb") as handle:
        text = handle.read().decode("utf-8-sig")
    sep = _sniff_delimiter(text)
    header = pd.read_csv(io.StringIO(text), sep=sep, nrows=0, skipinitialspace=True)
    names = [str(c).strip() for c in header.columns]
    return pd.read_csv(io.StringIO(text), sep=sep, skipinitialspace=True, header=0, names=names,
                       na_values=NA_VALUES, keep_default_na=False, low_memory=False)


def load(path):
    """The columns the estimate uses, complete rows only, renamed to DoWhy's safe names."""
    data = read_table(path)
    missing = [c for c in COLUMNS if c not in data.columns]
    if missing:
        raise SystemExit("the data has no column(s) " + ", ".join(repr(c) for c in missing))
    frame = data[COLUMNS]
    for name in COLUMNS:
        column = frame[name]
        if column.dtype == bool:
            frame = frame.assign(**{name: column.astype(int)})
        elif name in COVARIATES and not pd.api.types.is_numeric_dtype(column):
            frame = frame.assign(**{name: column.astype("category")})
    frame = frame.dropna()
    frame.columns = [NAMES[c] for c in COLUMNS]
    return frame, len(data)


def build_graph():
    """The causal graph as a networkx DiGraph over safe names."""
    graph = nx.DiGraph()
    graph.add_nodes_from(NODES)
    graph.add_edges_from(EDGES)
    return graph


def safe(names):
    return [NAMES[n] for n in names]


def seed_everything(seed):
    np.random.seed(seed % (2 ** 32))
    random.seed(seed)


def identified_estimand():
    """DoWhy's IdentifiedEstimand for the identification the analysis chose (the same sets, so the same estimate)."""
    from dowhy.causal_identifier.auto_identifier import (
        EstimandType, construct_adjustment_estimand, construct_frontdoor_estimand, construct_iv_estimand,
    )
    from dowhy.causal_identifier.identified_estimand import IdentifiedEstimand

    t, y = safe([EXPOSURE]), safe([OUTCOME])
    estimands = {"backdoor": None, "iv": None, "frontdoor": None}
    backdoor = {}
    extra = {"instrumental_variables": [], "frontdoor_variables": []}
    if STRATEGY == "backdoor":
        estimands["backdoor"] = construct_adjustment_estimand(t, y, safe(ADJUSTMENT_SET))
        backdoor = {"backdoor": safe(ADJUSTMENT_SET)}
    elif STRATEGY == "iv":
        estimands["iv"] = construct_iv_estimand(t, y, safe(INSTRUMENTS))
        extra["instrumental_variables"] = safe(INSTRUMENTS)
    elif STRATEGY == "frontdoor":
        estimands["frontdoor"] = construct_frontdoor_estimand(t, y, safe(MEDIATORS))
        extra["frontdoor_variables"] = safe(MEDIATORS)
        extra["mediation_first_stage_confounders"] = {"backdoor": safe(FIRST_STAGE_SET)}
        extra["mediation_second_stage_confounders"] = {"backdoor": safe(SECOND_STAGE_SET)}
    return IdentifiedEstimand(None, treatment_variable=t, outcome_variable=y,
                              estimand_type=EstimandType.NONPARAMETRIC_ATE, estimands=estimands,
                              backdoor_variables=backdoor, default_backdoor_id="backdoor", **extra)


def make_model(frame):
    return CausalModel(data=frame, treatment=NAMES[EXPOSURE], outcome=NAMES[OUTCOME], graph=build_graph())


def estimate_effect(model, estimand, frame):
    """Fit the analysis' estimator; returns DoWhy's estimate and (low, high) of its confidence interval."""
    seed_everything(SEED)
    estimate = model.estimate_effect(
        estimand, method_name=METHOD, control_value=CONTROL_VALUE, treatment_value=TREATMENT_VALUE,
        target_units="ate", effect_modifiers=[], test_significance=False, confidence_intervals=False,
        method_params=dict(METHOD_PARAMS))
    value = float(np.asarray(estimate.value, dtype=float).ravel()[0])
    if METHOD == "backdoor.linear_regression":
        ci = estimate.estimator.estimate_confidence_intervals(frame, value, confidence_level=CONFIDENCE_LEVEL,
                                                              method="default")
    else:
        seed_everything(SEED)
        ci = estimate.estimator.estimate_confidence_intervals(frame, value, confidence_level=CONFIDENCE_LEVEL,
                                                              method="bootstrap", num_simulations=CI_SIMULATIONS)
    ci = np.asarray(ci, dtype=float).ravel()
    return estimate, value, (float(min(ci[0], ci[1])), float(max(ci[0], ci[1])))


def refute(model, estimand, estimate, value, ci):
    """Run each refuter as the analysis did; the pass rules are causal-assistant's."""
    margin = (ci[1] - ci[0]) / 2
    out = []
    for i, spec in enumerate(REFUTERS):
        seed_everything(SEED + i)
        kwargs = {"num_simulations": spec["num_simulations"],
                  "random_state": np.random.RandomState((SEED + i) % (2 ** 32)), "n_jobs": 1}
        if "subset_fraction" in spec:
            kwargs["subset_fraction"] = spec["subset_fraction"]
        if "placebo_type" in spec:
            kwargs["placebo_type"] = spec["placebo_type"]
        try:
            result = model.refute_estimate(estimand, estimate, method_name=spec["dowhy_name"], **kwargs)
        except Exception as exc:  # a refuter that cannot run is reported; the estimate stands
            out.append({"name": spec["name"], "error": type(exc).__name__ + ": " + str(exc), "passed": None})
            continue
        new = float(np.asarray(result.new_effect, dtype=float).ravel()[0])
        if spec["name"] == "placebo_treatment":
            passed = abs(new) <= margin
        else:
            passed = ci[0] <= new <= ci[1]
        out.append({"name": spec["name"], "new_effect": new, "passed": bool(passed)})
    return out


def describe_identification():
    if STRATEGY == "backdoor":
        return "back-door adjustment for {" + ", ".join(ADJUSTMENT_SET) + "}"
    if STRATEGY == "iv":
        return "instrumental variable(s) {" + ", ".join(INSTRUMENTS) + "}"
    return "front door through {" + ", ".join(MEDIATORS) + "}"


def report(value, ci, n_used, n_rows):
    print("Question: " + QUESTION)
    print("Effect of " + EXPOSURE + " on " + OUTCOME + ", identified by " + describe_identification())
    print("Method: " + METHOD + "  (" + str(n_used) + " of " + str(n_rows) + " rows used)")
    print("Estimate: " + repr(value) + "  (" + format(CONFIDENCE_LEVEL, ".0%") + " CI " + repr(ci[0]) + " to "
          + repr(ci[1]) + ")")
    if STORED_ESTIMATE is not None:
        same = abs(value - STORED_ESTIMATE) <= 1e-6 * max(1.0, abs(STORED_ESTIMATE))
        print("Stored estimate: " + repr(STORED_ESTIMATE) + ("  (reproduced)" if same else "  (DIFFERENT)"))'''


def _sniff_source() -> str:
    """The source of causal-assistant's own delimiter sniffer, so the script reads the CSV exactly as it does."""
    import inspect

    from assistant.intake.profile import _sniff_delimiter

    return inspect.getsource(_sniff_delimiter).rstrip() + "\n"


HELPERS = _HELPERS.replace("\n\n\ndef read_table(path):", "\n\n\n" + _sniff_source() + "\n\ndef read_table(path):", 1)


def data_path_expression() -> str:
    return 'os.environ.get("CAUSAL_ASSISTANT_DATA") or DEFAULT_DATA'
