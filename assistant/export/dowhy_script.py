"""The DoWhy Python script export: one file that reproduces a causal-assistant estimate.

``python analysis.py [DATA.csv] [--refute] [--json]`` reads the CSV (default: the
path recorded at export time), builds the graph as a networkx DiGraph from
literal data, hands DoWhy's ``CausalModel`` the identification the analysis
chose, estimates with the analysis' method and settings, prints the estimate
(and, with ``--refute``, the refuters) and exits 0.  It needs pandas, numpy,
networkx and DoWhy, not causal-assistant.

Every variable name is a ``repr()`` string literal (see :mod:`assistant.export.code`).
"""

from __future__ import annotations

from assistant.export.code import HELPERS, IMPORTS, check_code, constants, data_path_expression
from assistant.export.plan import ExportPlan

HEADER = '''\
#!/usr/bin/env python3
"""Reproduce a causal-assistant analysis with DoWhy.

Usage:  python THIS_FILE.py [DATA.csv] [--refute] [--json]

Needs pandas, numpy, networkx and dowhy.  The question, the variable names and
the analysis' choices are the constants below.
"""
'''

MAIN = '''\
def main(argv=None):
    parser = argparse.ArgumentParser(description="Reproduce a causal-assistant estimate with DoWhy.")
    parser.add_argument("data", nargs="?", default=None,
                        help="the CSV file (default: the file recorded when the script was exported)")
    parser.add_argument("--refute", action="store_true", help="also run the analysis' refuters")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args(argv)
    path = args.data or DATA_FROM_ENVIRONMENT
    if not path:
        parser.error("give the CSV file to analyse")
    quiet()
    frame, n_rows = load(path)
    model = make_model(frame)
    estimand = identified_estimand()
    estimate, value, ci = estimate_effect(model, estimand, frame)
    refutations = refute(model, estimand, estimate, value, ci) if args.refute else []
    if args.json:
        print(json.dumps({"estimate": value, "ci_low": ci[0], "ci_high": ci[1], "n_used": len(frame),
                          "n_rows": n_rows, "method": METHOD, "stored_estimate": STORED_ESTIMATE,
                          "refutations": refutations}))
    else:
        report(value, ci, len(frame), n_rows)
        for r in refutations:
            verdict = "error: " + r["error"] if "error" in r else ("passed" if r["passed"] else "FAILED")
            print("Refuter " + r["name"] + ": " + verdict
                  + ("" if "error" in r else "  (new effect " + repr(r["new_effect"]) + ")"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


def render(plan: ExportPlan) -> str:
    return "\n".join([
        HEADER, IMPORTS, "", "", constants(plan), "DATA_FROM_ENVIRONMENT = " + data_path_expression(), "", "",
        HELPERS, "", "", MAIN])


def export_script(plan: ExportPlan) -> str:
    """The script, checked: it parses and the names are only string constants."""
    code = render(plan)
    check_code(render, plan, code)
    return code
