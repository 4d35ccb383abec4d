"""The built web app's files (``web/`` builds them into ``src/nexus/static``).

- Compressed when the browser accepts it: the build writes a ``.gz`` beside every file worth
  compressing (``web/scripts/compress.mjs``), sent with ``Content-Encoding: gzip``; nothing is
  compressed per request.
- Cached: files under ``assets/`` have a content hash in their name, so they never change and
  are cached for a year; everything else (``index.html``) is revalidated on every load, so a
  new release is picked up at once.
- Client-side routing: a page load (``Accept: text/html``) of a path that is no file gets
  ``index.html``; a missing script or image stays a 404.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

HASHED_DIR = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _accepts(header: str, wanted: set[str]) -> bool:
    """Whether a comma-separated Accept or Accept-Encoding header lists one of ``wanted``
    with a quality above zero."""
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in wanted:
            continue
        quality = params.strip().lower()
        if quality.startswith("q="):
            try:
                if float(quality[2:]) == 0:
                    continue
            except ValueError:
                continue
        return True
    return False


class WebAppFiles(StaticFiles):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory, html=True, check_dir=False)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            # Not 405: an unknown POST is an unknown route, not a file that refuses POST.
            raise HTTPException(status_code=404)
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            accept = Headers(scope=scope).get("accept", "")
            if exc.status_code != 404 or not _accepts(
                accept, {"text/html", "application/xhtml+xml"}
            ):
                raise
        return await super().get_response("index.html", scope)

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        request_headers = Headers(scope=scope)
        relative = os.path.relpath(full_path, str(self.directory))
        headers = {
            "cache-control": IMMUTABLE if relative.startswith(HASHED_DIR + os.sep) else REVALIDATE
        }
        compressed = f"{os.fspath(full_path)}.gz"
        if os.path.isfile(compressed):
            # Caches must keep the two encodings of this URL apart.
            headers["vary"] = "Accept-Encoding"
            if _accepts(request_headers.get("accept-encoding", ""), {"gzip"}):
                headers["content-encoding"] = "gzip"
                full_path, stat_result = compressed, os.stat(compressed)
        response = FileResponse(
            full_path,
            status_code=status_code,
            headers=headers,
            # The type of what is compressed, not application/gzip.
            media_type=mimetypes.guess_type(relative)[0],
            stat_result=stat_result,
        )
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response
