"""The guard that keeps a screen or widget alive after a bug in one of its handlers.

Textual ends a message pump's loop (and then the app) when a handler raises. Screens,
our widgets and the app dispatch their messages through :class:`Steady`: the error goes
to ``App._handle_exception`` (the console logs it and says so) and the pump goes on
with its next message. ``tests/test_unexpected_error.py`` proves it on the pinned
Textual; ``_dispatch_message`` is a private hook, so an upgrade must keep that test green.
"""

from __future__ import annotations

from asyncio import CancelledError
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.message import Message


class Steady:
    """Mixed in before the Textual class: ``class BoardScreen(Steady, Screen[None])``."""

    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except CancelledError:
            raise
        except Exception as exc:
            app: Any = self.app  # type: ignore[attr-defined]
            app._handle_exception(exc)
