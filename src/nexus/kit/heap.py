"""Long-lived objects, out of the garbage collector's way.

A full collection walks every object the collector tracks, with the event loop frozen
meanwhile. Two kinds of long-lived objects made those walks long:

- the start-up heap (modules, SQLAlchemy's mappers, Pydantic's schemas, the routes):
  measured on the embedded server at 50 webhooks/s, 7 full collections in 15 s of up to
  210 ms each (bench/README.md);
- what a server gathers once it runs, above all its sockets: about 175 tracked objects
  each, so 2,000 sockets made every full collection walk ~400,000 objects, 240-300 ms
  every ~6 s at 200 messages/s, which were most of the webhook → socket p99.

``gc.freeze()`` moves what exists into a permanent generation that collections skip. The
start-up heap is frozen once started; after that, the survivors of every full collection
are frozen too, so the next one walks only what was created since.

A frozen object is still freed when its last reference goes; only a reference cycle among
frozen objects (a closed socket's objects, say) waits. So every ``REFRESH_SECONDS`` one full
collection walks everything again, and frees those cycles: one long pause per interval
instead of one every few seconds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

REFRESH_SECONDS = 600.0
OLDEST_GENERATION = 2  # a collection of this generation is a full one


class SurvivorFreezer:
    """A ``gc.callbacks`` hook: at the end of each full collection, freeze its survivors,
    except that once per ``refresh_seconds`` it unfreezes everything instead, so that the
    next full collection walks the whole heap."""

    def __init__(
        self,
        refresh_seconds: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self._refreshed_at = clock()
        self._walking_everything = False

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase != "stop" or info["generation"] != OLDEST_GENERATION:
            return
        if self._walking_everything:
            self._walking_everything = False
            self._refreshed_at = self._clock()
        elif self._clock() - self._refreshed_at >= self.refresh_seconds:
            gc.unfreeze()
            self._walking_everything = True
            return
        gc.freeze()

    def install(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def uninstall(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)


_survivor_freezer = SurvivorFreezer()


def freeze_startup_heap() -> None:
    """Call once, when a server process has started and before it serves: from then on the
    survivors of each full collection are frozen too. Never in a process that starts app
    after app (the tests): what each app leaves would wait for the refresh to be freed."""
    gc.collect()  # what start-up left as garbage goes now, not into the frozen heap
    gc.freeze()
    _survivor_freezer.install()
