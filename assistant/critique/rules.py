"""The rule registry: each check is a small function with a stable id, a severity and worked examples.

A rule is declared with :func:`rule`::

    @rule("S001", "cycle", "error", "structure", needs=(),
          summary="The graph has a directed cycle, so it is not a DAG.",
          examples=[Example("dag { A -> B -> A }", triggers=True), Example("dag { A -> B }", triggers=False)])
    def cycle(ctx, r):
        ...
        yield r.finding("...", nodes=[...])

Ids never change meaning once published (like a linter's): a retired rule's id
is not reused.  ``needs`` names what the rule reads — ``dag`` (an acyclic
graph), ``query`` (one or more exposures and outcomes), ``data``,
``previous`` (the version before an edit) or ``llm`` — and the runner skips a
rule whose needs are not met, saying why.

Every rule carries at least one triggering example and one near miss.  The
examples are data: the test suite runs each one, and ``docs/critique-rules.md``
is generated from them, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from assistant.critique.finding import Family, Finding, Severity

if TYPE_CHECKING:
    from assistant.critique.context import CritiqueContext

Need = str
NEEDS = ("dag", "query", "data", "previous", "llm")


@dataclass(frozen=True)
class Example:
    """A worked example: a graph (dagitty syntax), optionally data simulated from a true graph.

    ``data_from`` is the *true* graph the data come from (linear-Gaussian
    structural equations, see :func:`assistant.stats.simulate.simulate_linear`);
    ``weights`` overrides edge coefficients, e.g. ``{"X -> Y": -1.0}``;
    ``discrete`` lists variables cut at zero into 0/1.
    """

    graph: str
    triggers: bool
    note: str = ""
    data_from: str | None = None
    weights: dict[str, float] = field(default_factory=dict)
    discrete: tuple[str, ...] = ()
    rows: int = 2000
    seed: int = 0
    previous: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    tiers: dict[str, int] = field(default_factory=dict)
    data_types: dict[str, str] = field(default_factory=dict)
    llm_answers: tuple[str, ...] = ()  # canned JSON answers for the fake chat model (semantic rules)


class RuleSkipped(Exception):
    """Raised by a rule that finds, once running, that it cannot judge this graph; the reason is reported."""


RuleFunction = Callable[["CritiqueContext", "Rule"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    family: Family
    summary: str
    check: RuleFunction
    needs: tuple[Need, ...] = ()
    explanation: str = ""
    examples: tuple[Example, ...] = ()

    def finding(self, message: str, *, severity: Severity | None = None, **fields) -> Finding:
        """A finding of this rule (``severity`` defaults to the rule's)."""
        return Finding(rule=self.id, name=self.name, severity=severity or self.severity, family=self.family,
                       message=message, **fields)

    def run(self, ctx: "CritiqueContext") -> list[Finding]:
        return list(self.check(ctx, self))


_RULES: dict[str, Rule] = {}


def rule(rule_id: str, name: str, severity: Severity, family: Family, *, summary: str,
         needs: Iterable[Need] = (), explanation: str = "", examples: Iterable[Example] = ()
         ) -> Callable[[RuleFunction], Rule]:
    """Register the decorated function as a rule (ids and names must be unique)."""
    needs = tuple(needs)
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise ValueError(f"rule {rule_id}: unknown needs {unknown}")

    def register(fn: RuleFunction) -> Rule:
        if rule_id in _RULES or any(r.name == name for r in _RULES.values()):
            raise ValueError(f"rule {rule_id} ({name}) is registered twice")
        r = Rule(rule_id, name, severity, family, summary, fn, needs, explanation.strip(), tuple(examples))
        _RULES[rule_id] = r
        return r

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, by id."""
    _load_builtin_rules()
    return [_RULES[k] for k in sorted(_RULES)]


def get_rule(key: str) -> Rule:
    """A rule by id (``S001``) or name (``cycle``)."""
    _load_builtin_rules()
    for r in _RULES.values():
        if key in (r.id, r.name):
            return r
    raise KeyError(key)


def select_rules(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> list[Rule]:
    """Rules chosen like a linter's ``--select``/``--ignore``: by id, id prefix (``D``) or name."""
    rules = all_rules()

    def matches(r: Rule, keys: Iterable[str]) -> bool:
        return any(r.id.startswith(k) or r.name == k for k in keys)

    if select:
        keys = list(select)
        rules = [r for r in rules if matches(r, keys)]
    if ignore:
        keys = list(ignore)
        rules = [r for r in rules if not matches(r, keys)]
    return rules


def _load_builtin_rules() -> None:
    # importing the modules registers their rules
    from assistant.critique import (  # noqa: F401
        data_rules, edge_support_rules, identifiability_rules, implied_rules, invalid_adjustment_rules,
        needless_adjustment_rules, selection_rules, semantic_rules, simpson_rules, structure_rules, temporal_rules,
    )


def iter_examples() -> Iterator[tuple[Rule, int, Example]]:
    for r in all_rules():
        for i, ex in enumerate(r.examples):
            yield r, i, ex
