"""The start-up heap, out of the garbage collector's way.

Everything a process loads while it starts (modules, SQLAlchemy's mappers, Pydantic's
schemas, the routes) lives as long as the process, yet every full collection walked all of
it again: measured on the embedded server at 50 webhooks/s, 7 full collections in 15 s of
up to 210 ms each — the loop frozen, webhooks and sockets waiting (bench/README.md).
``gc.freeze()`` moves what exists into a permanent generation that collections skip.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Call once, when a server process has started and before it serves: later objects
    are collected as usual. Never in a process that starts app after app (the tests): what
    each freeze holds would never be freed."""
    gc.collect()  # what start-up left as garbage goes now, not into the frozen heap
    gc.freeze()
