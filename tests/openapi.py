"""Check API answers against the published OpenAPI document."""

import json
from functools import cache

import jsonschema


@cache
def document() -> dict:
    from yiwang.api import api

    return json.loads(json.dumps(api.get_openapi_schema()))  # as served: string status keys


def assert_matches_openapi(response, method: str, path: str) -> None:
    """The status is documented for the operation and the JSON body fits its schema."""
    doc = document()
    operation = doc["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path} answered undocumented {status}"
    content = operation["responses"][status].get("content")
    if content:
        schema = {**content["application/json"]["schema"], "components": doc["components"]}
        jsonschema.validate(response.json(), schema, cls=jsonschema.Draft202012Validator)
