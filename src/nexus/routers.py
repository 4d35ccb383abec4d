"""Every domain router, in the order they appear in the API documentation."""

from fastapi import APIRouter

from nexus.auth.router import router as auth_router
from nexus.connections.router import router as connections_router
from nexus.conversations.router import router as conversations_router
from nexus.ops.router import router as ops_router
from nexus.users.router import router as users_router

ROUTERS: list[APIRouter] = [
    auth_router,
    users_router,
    conversations_router,
    connections_router,
    ops_router,
]
