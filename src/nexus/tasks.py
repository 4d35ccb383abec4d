"""Imports every domain's jobs so they are registered before a broker is bound."""

import nexus.auth.tasks
import nexus.bot.tasks
import nexus.connections.tasks
import nexus.inbound.tasks
import nexus.messages.tasks
import nexus.realtime.tasks
import nexus.routing.tasks  # noqa: F401
