"""The one error shape every client sees: ``{"error": {"code", "message", "details"}}``.

Services raise ``NexusError`` subclasses; handlers here turn them, validation failures,
HTTP errors and anything unexpected into that shape. No stack trace reaches a client.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: ErrorBody


class NexusError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request cannot be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        self.headers = headers
        super().__init__(self.message)


class BadRequest(NexusError):
    pass


class ValidationFailed(NexusError):
    status_code = 422
    code = "validation_error"
    message = "Some fields are invalid."

    @classmethod
    def field(cls, field: str, message: str, *, code: str = "invalid") -> ValidationFailed:
        return cls(message, details=[{"field": field, "message": message, "type": code}])


class Unauthorized(NexusError):
    status_code = 401
    code = "unauthorized"
    message = "Authentication is required."


class Forbidden(NexusError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(NexusError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(NexusError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class PayloadTooLarge(NexusError):
    status_code = 413
    code = "payload_too_large"
    message = "The request body is too large."


class RateLimited(NexusError):
    status_code = 429
    code = "rate_limited"
    message = "Too many requests; try again later."


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        # Drop the "body"/"query" prefix: clients want the field's own path.
        field = ".".join(location[1:]) if len(location) > 1 else ".".join(location)
        details.append(
            {
                "field": field,
                "location": location[0] if location else None,
                "message": error.get("msg", "invalid"),
                "type": error.get("type", "invalid"),
            }
        )
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NexusError)
    async def _nexus_error(_request: Request, exc: NexusError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        if any(detail["type"] == "json_invalid" for detail in details):
            return error_response(400, "malformed_json", "The body is not valid JSON.", details)
        return error_response(422, "validation_error", "Some fields are invalid.", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(
            exc.status_code, code, message, headers=dict(exc.headers) if exc.headers else None
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return error_response(500, "internal_error", "An unexpected error occurred.")
