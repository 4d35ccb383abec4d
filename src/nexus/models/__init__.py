"""Every table, one module each; importing this package registers them all."""

from nexus.models.audit_log import AuditLog
from nexus.models.closing_reason import ClosingReason
from nexus.models.company import Company
from nexus.models.connection import ChannelKind, Connection, ConnectionStatus
from nexus.models.contact import Contact
from nexus.models.contact_identity import ContactIdentity, IdentityKind
from nexus.models.conversation import Conversation, ConversationStatus, Priority, TimerKind
from nexus.models.conversation_event import ConversationEvent, ConversationEventKind
from nexus.models.department import Department, DepartmentMember, MembershipRole, RoutingRule
from nexus.models.inbound_event import InboundEvent, InboundEventStatus
from nexus.models.message import Message, MessageDirection, MessageStatus, MessageType
from nexus.models.note import Note
from nexus.models.quick_reply import QuickReply
from nexus.models.realtime_event import RealtimeEvent, RealtimeSequence
from nexus.models.refresh_token import RefreshToken
from nexus.models.tag import ContactTag, ConversationTag, Tag
from nexus.models.user import PresenceStatus, User, UserRole

__all__ = [
    "AuditLog",
    "ChannelKind",
    "ClosingReason",
    "Company",
    "Connection",
    "ConnectionStatus",
    "Contact",
    "ContactIdentity",
    "ContactTag",
    "Conversation",
    "ConversationEvent",
    "ConversationEventKind",
    "ConversationStatus",
    "ConversationTag",
    "Department",
    "DepartmentMember",
    "IdentityKind",
    "InboundEvent",
    "InboundEventStatus",
    "MembershipRole",
    "Message",
    "MessageDirection",
    "MessageStatus",
    "MessageType",
    "Note",
    "PresenceStatus",
    "Priority",
    "QuickReply",
    "RealtimeEvent",
    "RealtimeSequence",
    "RefreshToken",
    "RoutingRule",
    "Tag",
    "TimerKind",
    "User",
    "UserRole",
]
