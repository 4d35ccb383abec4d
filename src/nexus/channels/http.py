"""The one way adapters talk HTTP: every failure leaves as a classified ``ProviderError``.

Whether a lost answer is retryable depends on the call: re-reading a QR code or a file is
harmless, re-sending a message may reach the customer twice. Callers say which with
``idempotent``; for a non-idempotent call anything after the request may have left us
(read timeout, dropped connection, gateway timeout) is an ``UnknownOutcome``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from nexus.channels.errors import (
    AuthenticationFailed,
    ChannelConfigError,
    InvalidRequest,
    ProviderError,
    RateLimited,
    TransientError,
    UnknownOutcome,
)
from nexus.channels.payload import now

# Adapters never rely on the injected client's own timeouts being sensible.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DOWNLOAD_TIMEOUT = httpx.Timeout(120.0, connect=10.0)

ErrorClassifier = Callable[[httpx.Response], ProviderError]


def retry_after_header(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now()).total_seconds())


def response_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def classify_status(
    response: httpx.Response,
    message: str,
    *,
    code: str | None = None,
    details: Any = None,
    retry_after: float | None = None,
) -> ProviderError:
    """Fallback classification on the HTTP status alone, for codes no table names."""
    status = response.status_code
    kwargs: dict[str, Any] = {"code": code, "http_status": status, "details": details}
    if status == 429:
        return RateLimited(
            message, retry_after=retry_after or retry_after_header(response), **kwargs
        )
    if status in (401, 403):
        return AuthenticationFailed(message, **kwargs)
    if status == 408 or status >= 500:
        return TransientError(
            message, retry_after=retry_after or retry_after_header(response), **kwargs
        )
    return InvalidRequest(message, **kwargs)


class ProviderHttp:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        provider: str,
        base_url: str,
        classify: ErrorClassifier,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ChannelConfigError(f"{provider}: base_url must be an http(s) URL")
        self._client = client
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self._classify = classify
        self._headers = dict(headers or {})
        self._timeout = timeout

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    async def call(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        try:
            response = await self._client.request(
                method,
                self.url(path),
                json=json,
                data=data,
                files=files,
                params=params,
                headers={**self._headers, **(headers or {})},
                timeout=self._timeout,
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._transport_error(exc, idempotent=idempotent) from exc
        if response.is_success:
            return response
        if response.status_code == 504 and not idempotent:
            # A gateway gave up waiting; the provider behind it may still have sent it.
            raise UnknownOutcome(
                f"{self.provider}: gateway timeout; the request may have been processed",
                http_status=504,
            )
        raise self._classify(response)

    async def call_json(self, method: str, path: str, *, idempotent: bool, **kwargs: Any) -> Any:
        response = await self.call(method, path, idempotent=idempotent, **kwargs)
        body = response_json(response)
        if body is None and response.content:
            raise self._unreadable(idempotent)
        return body

    async def download(
        self,
        path: str,
        *,
        max_bytes: int,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> tuple[bytes, str | None]:
        """GET a file, refusing more than ``max_bytes`` without reading it all into memory.
        ``authenticated=False`` keeps our credentials away from a third-party URL."""
        base_headers = self._headers if authenticated else {}
        try:
            async with self._client.stream(
                "GET",
                self.url(path),
                headers={**base_headers, **(headers or {})},
                # Files take longer than API calls; the connect limit stays ours.
                timeout=DOWNLOAD_TIMEOUT if self._timeout is DEFAULT_TIMEOUT else self._timeout,
                follow_redirects=True,
            ) as response:
                if not response.is_success:
                    await response.aread()
                    raise self._classify(response)
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise InvalidRequest(
                            f"{self.provider}: media larger than {max_bytes} bytes",
                            http_status=response.status_code,
                        )
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self._transport_error(exc, idempotent=True) from exc

    def _transport_error(
        self, exc: httpx.HTTPError | httpx.InvalidURL, *, idempotent: bool
    ) -> ProviderError:
        name = type(exc).__name__
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            # The base URL was checked at start: a bad URL came from provider data.
            return InvalidRequest(f"{self.provider}: unusable URL ({name})")
        # The request never reached the provider: always safe to try again.
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return TransientError(f"{self.provider}: cannot connect ({name}): {exc}")
        if idempotent:
            return TransientError(f"{self.provider}: {name}: {exc}")
        return UnknownOutcome(
            f"{self.provider}: no answer after the request was sent ({name}); "
            "it may have been delivered"
        )

    def _unreadable(self, idempotent: bool) -> ProviderError:
        message = f"{self.provider}: success answer without a readable JSON body"
        return TransientError(message) if idempotent else UnknownOutcome(message)
