"""The JSON Schema of the canonical graph format, generated from the pydantic models.

``docs/graph.schema.json`` is this function's output; a test keeps the two in step.
Regenerate with ``python -m assistant.model.schema > docs/graph.schema.json``.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.model.graph import FORMAT_TAG, FORMAT_VERSION, CausalGraph

SCHEMA_ID = "https://causal-assistant.invalid/schemas/graph-v1.json"


def graph_json_schema() -> dict[str, Any]:
    schema = CausalGraph.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["title"] = f"{FORMAT_TAG} version {FORMAT_VERSION}"
    return schema


def render() -> str:
    return json.dumps(graph_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
