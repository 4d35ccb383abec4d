"""Every domain router, in the order FastAPI tries them and the API documentation lists them.

Providers' webhooks come first: they are the hot path, and FastAPI tries the included
routers one by one. Last, at 200 webhooks/s, walking the other routers' routes cost the
server as much CPU as the webhook's own work (py-spy).
"""

from fastapi import APIRouter

from nexus.audit.router import router as audit_router
from nexus.auth.router import router as auth_router
from nexus.closing_reasons.router import router as closing_reasons_router
from nexus.companies.router import router as settings_router
from nexus.connections.router import router as connections_router
from nexus.contacts.router import router as contacts_router
from nexus.conversations.router import router as conversations_router
from nexus.departments.router import router as departments_router
from nexus.messages.router import router as messages_router
from nexus.ops.router import router as ops_router
from nexus.quick_replies.router import router as quick_replies_router
from nexus.realtime.router import router as realtime_router
from nexus.sandbox.router import router as sandbox_router
from nexus.tags.router import router as tags_router
from nexus.templates.router import router as templates_router
from nexus.users.router import router as users_router
from nexus.webhooks.router import router as webhooks_router

ROUTERS: list[APIRouter] = [
    webhooks_router,
    auth_router,
    users_router,
    departments_router,
    conversations_router,
    messages_router,
    templates_router,
    contacts_router,
    connections_router,
    realtime_router,
    quick_replies_router,
    tags_router,
    closing_reasons_router,
    settings_router,
    audit_router,
    sandbox_router,
    ops_router,
]
