"""Validate real API answers against the generated OpenAPI (a small schema-conformance runner).

The OpenAPI 3.0 document is turned into JSON Schema once per URLconf (``nullable`` becomes a
``null`` alternative, ``$ref``s point into the document) and objects are closed
(``additionalProperties: false``) so an answer with an undocumented field fails too.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE = "urn:openapi"
URLCONFS = {"tenant": "saas_platform.urls_tenant", "platform": "saas_platform.urls_public"}


@functools.cache
def document(host: str) -> dict[str, Any]:
    generator = SchemaGenerator(urlconf=URLCONFS[host])
    return json.loads(json.dumps(generator.get_schema(request=None, public=True), default=str))


def _to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if k not in ("nullable", "readOnly")}
    if "$ref" in out and out["$ref"].startswith("#"):
        out["$ref"] = BASE + out["$ref"]
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _registry(host: str) -> Registry:
    converted = _to_json_schema(document(host))
    return Registry().with_resource(BASE, Resource(contents=converted, specification=DRAFT202012))


def operation(host: str, method: str, template: str) -> dict[str, Any]:
    paths = document(host)["paths"]
    assert template in paths, f"{template} is not in the {host} OpenAPI"
    assert method.lower() in paths[template], f"{method} {template} is not documented"
    return paths[template][method.lower()]


def response_schema(host: str, method: str, template: str, status: int) -> dict | None:
    responses = operation(host, method, template)["responses"]
    assert str(status) in responses, (
        f"{method} {template} answered {status}, documented: {sorted(responses)}"
    )
    content = responses[str(status)].get("content") or {}
    return (content.get("application/json") or {}).get("schema")


def check(host: str, method: str, template: str, response) -> None:
    """The answer's status is documented and its JSON body matches the documented schema."""
    schema = response_schema(host, method, template, response.status_code)
    if schema is None:
        assert not response.content or response.status_code in (204, 302), (
            f"{method} {template} {response.status_code}: a body the OpenAPI does not describe"
        )
        return
    body = response.json()
    validator = Draft202012Validator(
        _to_json_schema(schema),
        registry=_registry(host),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{method} {template} {response.status_code}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5]
    )


def is_paginated(host: str, template: str) -> bool:
    schema = response_schema(host, "GET", template, 200) or {}
    ref = schema.get("$ref", "")
    if not ref:
        return False
    component = document(host)["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return {"count", "next", "previous", "results"} <= set(component.get("properties", {}))
