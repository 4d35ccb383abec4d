from __future__ import annotations

from httpx import AsyncClient


async def test_health_and_ready(client: AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


async def test_metrics_count_requests_by_route_template(client: AsyncClient) -> None:
    await client.get("/api/users")  # 401, still counted
    body = (await client.get("/metrics")).text
    assert "nexus_http_requests_total" in body
    assert 'route="/api/users"' in body


async def test_openapi_documents_every_route_with_a_tag(client: AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert (await client.get("/docs")).status_code == 200
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("tags"), f"{method.upper()} {path} has no tag"
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
