"""What can go wrong talking to a provider, classified by what the caller must do next.

The outbound pipeline decides between "retry later", "mark failed" and "ask a human" from
the class alone, so every adapter maps its provider's failures onto these classes and
nothing else escapes an adapter (httpx errors included).
"""

from __future__ import annotations

from typing import Any


class ChannelError(Exception):
    """Base of everything raised by ``nexus.channels``."""


class ChannelConfigError(ChannelError):
    """The connection's config or secrets cannot drive this adapter (missing key, bad URL)."""


class NotSupported(ChannelError):
    """The channel has no such operation (e.g. templates outside the Cloud API)."""


# --- inbound -------------------------------------------------------------------------


class WebhookRejected(ChannelError):
    """A webhook delivery that must not be trusted; ``status_code`` is the answer to give."""

    status_code = 403


class MissingSignature(WebhookRejected):
    status_code = 401


class InvalidSignature(WebhookRejected):
    status_code = 403


class HandshakeRefused(WebhookRejected):
    """A GET verification with the wrong mode or verify token."""

    status_code = 403


class MalformedWebhook(ChannelError):
    """The (authentic) body is not the JSON the provider documents; answer 400."""


# --- outbound ------------------------------------------------------------------------


class ProviderError(ChannelError):
    """A provider call that did not succeed. ``code`` is the provider's own error code."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.details = details

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, "
            f"http_status={self.http_status!r})"
        )


class TransientError(ProviderError):
    """Nothing was done; the same call may succeed later. ``retry_after`` is in seconds."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        details: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, http_status=http_status, details=details)
        self.retry_after = retry_after


class RateLimited(TransientError):
    pass


class SessionUnavailable(TransientError):
    """A WhatsApp Web gateway session is not connected (yet); sends work again once it is."""


class PermanentError(ProviderError):
    """Retrying the same call cannot succeed; the message is failed with this reason."""


class AuthenticationFailed(PermanentError):
    """Token or API key refused or lacking permission: an admin must fix the connection."""


class InvalidRequest(PermanentError):
    """The provider (or our own pre-check of its documented limits) refused the payload."""


class RecipientUnavailable(PermanentError):
    """Not on WhatsApp, blocked us, chat not found, undeliverable (131026)."""


class WindowClosed(PermanentError):
    """Cloud API 131047: more than 24 h since the customer's last message; send a template."""


class ChatMigrated(PermanentError):
    """Telegram: the group became a supergroup; resend to ``new_chat_id``."""

    def __init__(self, message: str, *, new_chat_id: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.new_chat_id = new_chat_id


class UnknownOutcome(ProviderError):
    """The request left us but no answer came back (dropped connection, read timeout).

    The provider may or may not have delivered it; re-sending risks a duplicate for the
    customer, so this must be surfaced to a person and never retried automatically.
    """
