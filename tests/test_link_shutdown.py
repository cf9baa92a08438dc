"""When the console ends, its writer and follower threads have ended too: whoever opened
the desk closes it right after (the CLI, a test), and a connection closed under a thread
still reading it is a crash in SQLite's C code, not an exception. The writer still
finishes every command it was given."""

from __future__ import annotations

import asyncio
import threading
import time

from cso_console.app import ConsoleApp, DeskLink
from cso_console.domain import commands as c
from cso_console.domain.events import EventType

from .ui_app import demo_app, wait_until


def link_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(("desk-writer", "desk-follower"))]


def test_the_follower_has_ended_when_the_console_has(tmp_path):
    started = threading.Event()

    def slow_read() -> int:
        started.set()
        time.sleep(0.5)  # the follower is in the middle of a read as the console ends
        return 1

    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.read(slow_read, lambda _: None)
            assert await asyncio.to_thread(started.wait, 5)
            app.exit(0)
        assert app.link.running == 0, "a desk thread outlived the console"
        app.desk.close()

    asyncio.run(go())


def test_commands_given_before_the_end_are_saved_before_it(tmp_path):
    async def go():
        app = demo_app(tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            call = app.desk.open_calls()[0].call_id
            for i in range(20):
                app.submit(c.AddNote(call=call, text=f"note {i}"))
            app.exit(0)
        assert app.link.running == 0
        events = app.desk.call_events(call)
        notes = [e.payload["text"] for e in events if e.type == EventType.NOTE_ADDED]
        app.desk.close()
        return [text for text in notes if text.startswith("note ")]

    assert asyncio.run(go()) == [f"note {i}" for i in range(20)]


def test_a_bug_in_a_desk_thread_is_said_logged_and_the_thread_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(ConsoleApp, "strict", False)  # as the console runs for real
    run = DeskLink._run
    failures = []

    def broken_once(self: DeskLink, batch: list[object]) -> bool:
        if not failures:
            failures.append(batch)
            raise RuntimeError("a bug in the follower")
        return run(self, batch)

    async def go():
        app = demo_app(tmp_path)
        app.error_log = tmp_path / "logs" / "errors.log"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            monkeypatch.setattr(DeskLink, "_run", broken_once)
            app.link.poll()
            await wait_until(pilot, lambda: "nexpected" in message(app), what="the bug said")
            assert "RuntimeError" in message(app) and app.is_running
            assert app.error_log.exists()
            answers = []
            call = app.desk.open_calls()[0].call_id
            app.submit(c.AddNote(call=call, text="after the bug"), answers.append)
            await wait_until(pilot, lambda: answers, what="the next command answered")
            assert answers[0].ok
        assert app.link.running == 0
        app.desk.close()

    asyncio.run(go())


def message(app: ConsoleApp) -> str:
    return str(app.screen.query_one("#message").render())
