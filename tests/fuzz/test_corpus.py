"""Replays every input that once crashed a parser or entry point (tests/fuzz/corpus/<target>/<name>).

Each file is an input in its target's encoding (raw bytes for ``csv``, UTF-8
text for ``spec``, JSON for the others); the property is the fuzz target's own
check.  To add one: ``fuzz_targets.save_to_corpus(target, case, name)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz_targets import CORPUS, TARGETS, corpus_files, replay

FILES = corpus_files()


def test_the_corpus_covers_every_target_that_has_crashed() -> None:
    assert FILES, "the corpus is empty"
    assert {p.parent.name for p in FILES} <= set(TARGETS)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_input_no_longer_crashes(path: Path) -> None:
    replay(path)
