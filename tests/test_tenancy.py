"""A1: no request of one company ever reaches another company's data.

Walks every route of the OpenAPI schema. Routes with ids in their path are called with a
second company's admin token and the first company's ids (and a valid body): every answer
must be 404, never data and never a change. Routes without ids are called by the second
company and must not mention any of the first company's ids.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from tests.fixtures.api import Account, create_user, signup
from tests.fixtures.tenancy import populate_company

PUBLIC_ROUTES = {
    ("post", "/api/auth/signup"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/refresh"),
    ("post", "/api/auth/logout"),
    # The simulated phone's routes take no user token: the connection's own sandbox token
    # opens them, and tests/sandbox/test_phone_api.py shows another company's never does.
    ("get", "/api/sandbox/{webhook_key}/chat"),
    ("get", "/api/sandbox/{webhook_key}/media/{message_id}"),
}


def _example(
    schema: dict[str, Any], components: dict[str, Any], ids: dict[str, str], name: str = ""
) -> Any:
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components, ids, name)
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            options = [s for s in schema[combinator] if s.get("type") != "null"]
            return _example(options[0], components, ids, name) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        # Required fields, plus every optional id we know: the other company's ids in a
        # body must not help either.
        return {
            key: _example(value, components, ids, key)
            for key, value in schema.get("properties", {}).items()
            if key in required or key in ids
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    fmt = schema.get("format")
    if fmt == "uuid":
        return ids.get(name, ids["any"])
    if fmt == "email":
        return "someone@empresa.com.br"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if "pattern" in schema:
        return "abc"
    return "valor-de-teste-" + name


def _body_for(operation: dict[str, Any], components: dict[str, Any], ids: dict[str, str]) -> Any:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return _example(content["application/json"]["schema"], components, ids)


async def test_no_route_reaches_another_companys_data(app: FastAPI, client: AsyncClient) -> None:
    owner = await signup(client, "Empresa A")
    ids = await populate_company(app, client, owner)
    intruder = await signup(client, "Empresa B")
    await create_user(client, intruder)  # B has data of its own too

    schema = (await client.get("/openapi.json")).json()
    components = schema.get("components", {}).get("schemas", {})
    checked = 0
    for path, operations in schema["paths"].items():
        params = re.findall(r"{(\w+)}", path)
        for method, operation in operations.items():
            if (method, path) in PUBLIC_ROUTES or not path.startswith("/api/"):
                continue
            missing = [p for p in params if p not in ids]
            assert not missing, f"{path}: add ids for {missing} to tests/fixtures/tenancy.py"
            url = path.format(**{p: ids[p] for p in params})
            body = _body_for(operation, components, ids)
            response = await client.request(method, url, headers=intruder.headers, json=body)
            label = f"{method.upper()} {url} -> {response.status_code} {response.text[:300]}"
            if params:
                assert response.status_code in (403, 404), label
            else:
                leaked = [
                    name for name, value in ids.items() if name != "any" and value in response.text
                ]
                assert not leaked, f"{label} leaks {leaked}"
            checked += 1
    assert checked >= 10

    # And nothing changed in company A: its admin still sees all of it.
    await _assert_company_intact(client, owner, ids)


async def _assert_company_intact(client: AsyncClient, owner: Account, ids: dict[str, str]) -> None:
    me = await client.get(f"/api/users/{ids['user_id']}", headers=owner.headers)
    assert me.status_code == 200
    assert me.json()["is_active"] is True
