"""Meta Cloud API error codes → what to do (providers.md §1.10). Decide on ``code``, not
on the HTTP status or the title text, as Meta advises."""

from __future__ import annotations

import httpx

from nexus.channels.errors import (
    AuthenticationFailed,
    InvalidRequest,
    PermanentError,
    ProviderError,
    RateLimited,
    RecipientUnavailable,
    TransientError,
    WindowClosed,
)
from nexus.channels.http import classify_status, response_json, retry_after_header
from nexus.channels.payload import non_empty, obj, opt_int

WINDOW_CLOSED = 131047

_BY_CODE: dict[int, type[ProviderError]] = {
    0: AuthenticationFailed,
    190: AuthenticationFailed,  # access token expired
    3: AuthenticationFailed,  # capability
    10: AuthenticationFailed,  # permission denied
    **dict.fromkeys(range(200, 300), AuthenticationFailed),
    4: RateLimited,  # app call rate
    80007: RateLimited,  # WABA rate limit
    130429: RateLimited,  # throughput ("Rate limit hit")
    131048: RateLimited,  # spam rate limit: slow down
    131056: RateLimited,  # pair rate limit: same recipient too often
    131000: TransientError,  # generic, cautious retry
    131016: TransientError,  # service unavailable
    135000: TransientError,  # generic user error
    131052: TransientError,  # media download error
    131053: TransientError,  # media upload error
    WINDOW_CLOSED: WindowClosed,
    131026: RecipientUnavailable,  # undeliverable
    131030: RecipientUnavailable,  # not in the allowed list (test numbers)
    131008: InvalidRequest,  # required parameter missing
    131009: InvalidRequest,  # parameter value invalid
    131051: InvalidRequest,  # unsupported message type
    **dict.fromkeys(range(132000, 132017), InvalidRequest),  # template problems
    131031: PermanentError,  # account locked
    131064: PermanentError,  # messaging limit (template violations)
    368: PermanentError,  # temporarily blocked for policy
    130497: PermanentError,  # country restriction
    130472: PermanentError,  # marketing experiment
    131049: PermanentError,  # ecosystem engagement
}


def error_class(code: int | None) -> type[ProviderError] | None:
    return _BY_CODE.get(code) if code is not None else None


def describe(error: dict[str, object]) -> str:
    message = non_empty(error.get("message")) or non_empty(error.get("title")) or "error"
    details = non_empty(obj(error.get("error_data")).get("details"))
    return f"{message}: {details}" if details and details != message else message


def classify_cloud_error(response: httpx.Response) -> ProviderError:
    error = obj(obj(response_json(response)).get("error"))
    code = opt_int(error.get("code"))
    message = describe(error) if error else f"HTTP {response.status_code}"
    code_text = str(code) if code is not None else None
    cls = error_class(code)
    if cls is None:
        if error.get("is_transient") is True:
            cls = TransientError
        else:
            return classify_status(response, message, code=code_text, details=error or None)
    if issubclass(cls, TransientError):
        return cls(
            message,
            code=code_text,
            http_status=response.status_code,
            details=error,
            retry_after=retry_after_header(response),
        )
    return cls(message, code=code_text, http_status=response.status_code, details=error)
