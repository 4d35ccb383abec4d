"""The web app's files: pre-compressed copies when the browser accepts gzip, a year of cache
for hashed assets, revalidation for index.html, and index.html for client-side routes."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

import nexus.app
from nexus.config import Settings

INDEX = b"<!doctype html><html><body><div id=root>Carregando</div></body></html>" * 20
SCRIPT = b"export const answer = 42;\n" * 200
ICON = b"<svg xmlns='http://www.w3.org/2000/svg'/>"


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    """A build as `npm run build` leaves it: .gz copies beside the compressible files."""
    root = tmp_path / "static"
    (root / "assets").mkdir(parents=True)
    for path, data in (
        (root / "index.html", INDEX),
        (root / "assets" / "index-Ab12Cd34.js", SCRIPT),
    ):
        path.write_bytes(data)
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data))
    (root / "favicon.svg").write_bytes(ICON)
    return root


@pytest.fixture
async def http(
    static_dir: Path, settings_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncClient]:
    for key, value in settings_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(nexus.app, "STATIC_DIR", static_dir)
    app = nexus.app.create_app(Settings(), run_background=False)
    async with AsyncClient(
        transport=ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


GZIP = {"accept-encoding": "gzip, deflate, br"}
PAGE = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8", **GZIP}


async def test_hashed_asset_is_sent_compressed_and_cached_for_a_year(
    http: AsyncClient, static_dir: Path
) -> None:
    response = await http.get("/assets/index-Ab12Cd34.js", headers=GZIP)

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/javascript")
    compressed = (static_dir / "assets" / "index-Ab12Cd34.js.gz").read_bytes()
    assert int(response.headers["content-length"]) == len(compressed) < len(SCRIPT)
    assert response.content == SCRIPT  # httpx decoded the gzip
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize("accept_encoding", ["identity", "gzip;q=0, deflate", ""])
async def test_asset_is_sent_plain_to_a_client_without_gzip(
    http: AsyncClient, accept_encoding: str
) -> None:
    response = await http.get(
        "/assets/index-Ab12Cd34.js", headers={"accept-encoding": accept_encoding}
    )

    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(SCRIPT)
    assert response.content == SCRIPT
    assert response.headers["vary"] == "Accept-Encoding"


async def test_encodings_have_their_own_etags(http: AsyncClient) -> None:
    zipped = await http.get("/assets/index-Ab12Cd34.js", headers=GZIP)
    plain = await http.get("/assets/index-Ab12Cd34.js", headers={"accept-encoding": "identity"})
    again = await http.get(
        "/assets/index-Ab12Cd34.js", headers={**GZIP, "if-none-match": zipped.headers["etag"]}
    )

    assert zipped.headers["etag"] != plain.headers["etag"]
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path", ["/", "/index.html", "/inbox", "/inbox/0b0e1f8c", "/sandbox/k?token=t"]
)
async def test_pages_get_index_html_compressed_and_revalidated(
    http: AsyncClient, path: str
) -> None:
    response = await http.get(path, headers=PAGE)

    assert response.status_code == 200
    assert response.content == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "no-cache"


async def test_file_without_a_compressed_copy_is_sent_as_is(http: AsyncClient) -> None:
    response = await http.get("/favicon.svg", headers=GZIP)

    assert response.status_code == 200
    assert response.content == ICON
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
    assert response.headers["cache-control"] == "no-cache"


async def test_missing_asset_api_route_and_other_methods_are_json_404s(
    http: AsyncClient,
) -> None:
    missing_script = await http.get("/assets/gone-00000000.js", headers={"accept": "*/*"})
    unknown_api = await http.get("/api/nothing-here", headers=PAGE)
    post = await http.post("/inbox", headers=PAGE)

    for response in (missing_script, unknown_api, post):
        assert response.status_code == 404
        assert set(response.json()) == {"error"}
    assert unknown_api.json()["error"]["code"] == "route_not_found"
