"""causal-assistant: LLM-assisted causal graph authoring.

The data flow reads off the package layout::

    intake -> draft -> edit -> critique -> store -> analyze -> export

``assistant.graph`` is the pure core (no I/O); ``assistant.formats`` reads and
writes graphs as text; ``assistant.store`` keeps every version; ``assistant.cli``
and ``ui/`` are thin layers on top.
"""

__version__ = "0.1.0"
