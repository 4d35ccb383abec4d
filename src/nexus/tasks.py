"""Imports every domain's jobs so they are registered before a broker is bound."""

import nexus.auth.tasks
import nexus.routing.tasks  # noqa: F401
