"""Message statuses only move forward (M3): receipts arrive duplicated and out of order."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from nexus.models import Message, MessageStatus

S = MessageStatus
RANK: dict[MessageStatus, int] = {
    S.pending: 0,
    S.sending: 1,
    S.unknown: 1,
    S.failed: 2,
    S.sent: 3,
    S.delivered: 4,
    S.read: 5,
    S.received: 5,
}


def advances(current: MessageStatus, new: MessageStatus) -> bool:
    """Whether a receipt of ``new`` may replace ``current``. ``failed`` is terminal except
    that a later ``delivered``/``read`` proves the message did reach the phone."""
    if current is S.failed:
        return new in (S.delivered, S.read)
    if new is S.failed:
        return current in (S.pending, S.sending, S.unknown, S.sent)
    return RANK[new] > RANK[current]


def advance_clause(new: MessageStatus) -> ColumnElement[bool]:
    """``advances(Message.status, new)`` as SQL, for conditional updates: two receipts racing
    on two workers can never move a status back."""
    allowed = [current for current in MessageStatus if advances(current, new)]
    return Message.status.in_(allowed)
