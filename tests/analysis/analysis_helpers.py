"""Spec settings shared by the analysis tests (a module of its own: ``from conftest import`` picks up
whichever conftest was imported first when several test folders run together)."""

from __future__ import annotations

from assistant.analysis.spec import ALL_REFUTERS, RefuterSpec

FAST_REFUTERS = [RefuterSpec(name=n, num_simulations=5) for n in ALL_REFUTERS]


def fast(**kw):
    """Spec settings that keep a test under a couple of seconds."""
    return {"refuters": [], "ci_simulations": 20, **kw}
