"""Run the installed console in a real pseudo-terminal and read its screen as text."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pexpect
import pyte


class Terminal:
    def __init__(
        self, args: list[str], *, cols: int = 80, rows: int = 24, env: dict[str, str] | None = None
    ) -> None:
        exe = shutil.which("cso-console", path=str(Path(sys.executable).parent)) or "cso-console"
        full_env = {
            **os.environ,
            "TERM": "xterm-256color",
            "ESCDELAY": "25",
            # no keymap file of whoever runs the tests (a test gives --keymap)
            "XDG_CONFIG_HOME": "/nonexistent/cso-console-tests",
            **(env or {}),
        }
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()  # every byte the console wrote, for checks on the bytes
        self.child = pexpect.spawn(exe, args, dimensions=(rows, cols), env=full_env, timeout=10)

    def _read(self) -> bool | None:
        """One read of what the console wrote (up to 50 ms): True if bytes came, False
        if none, None at the end of the output."""
        try:
            data = self.child.read_nonblocking(65536, timeout=0.05)
        except pexpect.TIMEOUT:
            return False
        except pexpect.EOF:
            return None
        self.raw += data
        self.stream.feed(data)
        return True

    def pump(self, seconds: float = 0.2) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self._read() is None:
                return

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 15.0) -> str:
        """The screen once ``needle`` is on it and the output has paused: a frame read
        in part (the needle drawn, the rest of the frame still on its way) is read whole."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.2)
            if needle in self.text():
                self.quiet()
                return self.text()
        raise AssertionError(f"{needle!r} never appeared; screen was:\n{self.text()}")

    def quiet(self, pause: float = 0.15, limit: float = 3.0) -> None:
        """Read until nothing has come for ``pause`` seconds (at most ``limit``)."""
        end = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < end and time.monotonic() - last < pause:
            came = self._read()
            if came is None:
                return
            if came:
                last = time.monotonic()

    def resize(self, cols: int, rows: int) -> None:
        """The terminal window resized (the console hears SIGWINCH)."""
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)
        self.pump(0.3)

    def send(self, keys: str) -> None:
        self.child.send(keys)
        self.pump(0.3)

    def exit_status(self, timeout: float = 10.0) -> int | None:
        end = time.monotonic() + timeout
        while self.child.isalive() and time.monotonic() < end:
            self.pump(0.1)
        self.child.close()
        return self.child.exitstatus
