"""Taking calls from JSON lines (a phone system, a 311 feed) through the desk."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from cso_console.desk import Desk
from cso_console.domain.commands import ReceiveCall
from cso_console.store import StorageFull, StoreError

FIELDS = (
    "type",
    "location",
    "priority",
    "caller_name",
    "caller_phone",
    "narrative",
    "received_at",
    "source_id",
)


@dataclass
class IntakeReport:
    taken: int = 0
    already: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)
    unverified: int = 0
    readable_lines: int = 0
    stopped: str | None = None  # why intake stopped early (disk full, database busy)
    full: bool = False  # stopped because the disk is full


class LineRefused(ValueError):
    pass


NOT_UTF8 = "not UTF-8 text"


def decode_lines(data: bytes) -> list[str]:
    """The lines of a feed, each decoded alone: one line that is not UTF-8 is refused by
    itself (see :func:`not_utf8`), the others are taken. A leading byte-order mark (as
    Windows tools write) is dropped."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return [line.decode("utf-8", "surrogateescape") for line in data.splitlines()]


def not_utf8(line: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in line)


def derived_source_id(obj: dict[str, Any]) -> str:
    """A stable id for a line that brought none, so re-running a file adds it only once."""
    canonical = json.dumps({k: obj.get(k) for k in FIELDS}, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _text(obj: dict[str, Any], key: str) -> str | None:
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, (str, int)) or isinstance(v, bool):
        raise LineRefused(f"{key} must be text")
    return str(v).strip() or None


def parse_line(line: str, desk: Desk) -> ReceiveCall:
    """One JSON line -> a ReceiveCall, or :class:`LineRefused` saying what is wrong."""
    if not_utf8(line):
        raise LineRefused(NOT_UTF8)
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineRefused(f"not JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise LineRefused("not a JSON object")
    type_text = _text(obj, "type")
    if not type_text:
        raise LineRefused("no type")
    ct = desk.town.find_call_type(type_text)
    if ct is None:
        raise LineRefused(f"unknown call type '{type_text}'")
    if ct.emergency:
        raise LineRefused(
            f"{ct.code} is an emergency type: transfer it to emergency dispatch; "
            "it is not taken for CSO dispatch"
        )
    location = _text(obj, "location")
    if not location:
        raise LineRefused("no location")
    priority = obj.get("priority")
    if priority is not None:
        if isinstance(priority, str) and priority.strip().isdigit():
            priority = int(priority)
        if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 4:
            raise LineRefused(f"priority {obj.get('priority')!r} out of range (1-4)")
    received_at = None
    if obj.get("received_at") is not None:
        raw = _text(obj, "received_at") or ""
        try:
            received_at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise LineRefused(f"received_at '{raw}' is not an ISO-8601 time") from None
        if received_at.tzinfo is None:
            received_at = received_at.astimezone()  # local time of this desk
        received_at = received_at.astimezone(UTC)
        if received_at > desk.now():
            raise LineRefused(f"received_at '{raw}' is in the future")
    try:
        return ReceiveCall(
            type_code=ct.code,
            location=location,
            priority=priority,
            caller_name=_text(obj, "caller_name"),
            caller_phone=_text(obj, "caller_phone"),
            narrative=_text(obj, "narrative") or "",
            received_at=received_at,
            source_id=_text(obj, "source_id") or derived_source_id(obj),
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        raise LineRefused(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None


BATCH_SECONDS = 0.1  # the most a batch holds the write lock
BATCH_LINES = 2000


def take_lines(
    desk: Desk, lines: Iterable[str], on_line: Callable[[], None] | None = None
) -> IntakeReport:
    """Take every good line, in batches (one transaction each, holding the write lock at
    most ~100 ms, all-or-nothing per batch), and report the bad ones. Idempotent by
    source id: a re-run takes only what is not taken yet."""
    report = IntakeReport()
    pending = list(enumerate(lines, 1))
    at = 0
    while at < len(pending):
        batch = IntakeReport()
        done = at
        try:
            with desk.batch():
                started = time.monotonic()
                while done < len(pending) and done - at < BATCH_LINES:
                    if done > at and time.monotonic() - started > BATCH_SECONDS:
                        break
                    number, line = pending[done]
                    done += 1
                    _take_one(desk, number, line, batch)
        except StoreError as exc:
            # The batch was rolled back: nothing of it was taken.
            report.readable_lines += batch.readable_lines
            report.refused += [r for r in batch.refused]
            report.refused.append((pending[at][0], str(exc)))
            report.stopped = f"stopped at line {pending[at][0]}: {exc}"
            report.full = isinstance(exc, StorageFull)
            return report
        if on_line:
            for _ in range(done - at):
                on_line()
        report.taken += batch.taken
        report.already += batch.already
        report.unverified += batch.unverified
        report.readable_lines += batch.readable_lines
        report.refused += batch.refused
        at = done
    return report


def _take_one(desk: Desk, number: int, line: str, report: IntakeReport) -> None:
    if not line.strip():
        return
    try:
        cmd = parse_line(line, desk)
    except LineRefused as exc:
        if not str(exc).startswith("not JSON") and str(exc) not in ("not a JSON object", NOT_UTF8):
            report.readable_lines += 1
        report.refused.append((number, str(exc)))
        return
    report.readable_lines += 1
    outcome = desk.execute(cmd)
    if outcome.already:
        report.already += 1
    elif outcome.ok:
        report.taken += 1
        received = outcome.events[0].payload if outcome.events else {}
        if not received.get("location_verified", True):
            report.unverified += 1
    else:
        report.refused.append((number, outcome.reason))
