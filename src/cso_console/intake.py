"""Taking calls from JSON lines (a phone system, a 311 feed) through the desk."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from cso_console.desk import Desk
from cso_console.domain.commands import EARLIEST_RECEIVED, ReceiveCall
from cso_console.domain.record import Invalid
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
    anonymous: int = 0  # taken lines with no source_id and no received_at: new calls
    stopped: str | None = None  # why intake stopped early (disk full, database busy)
    stopped_at: int | None = None  # the first line of the batch not taken
    full: bool = False  # stopped because the disk is full


class LineRefused(ValueError):
    pass


NOT_UTF8 = "not UTF-8 text"
# The longest line taken: every field at its limit fits many times over; a longer line is
# refused unread (its bytes are skipped, never held), so memory stays bounded.
MAX_LINE_BYTES = 64 * 1024
TOO_LONG = f"longer than {MAX_LINE_BYTES:,} bytes; not read"
_CHUNK = 1 << 16


def read_lines(stream: BinaryIO) -> Iterator[str]:
    """The lines of a feed, read as a stream (never the whole file), each decoded alone:
    one line that is not UTF-8 is refused by itself (see :func:`not_utf8`), one longer
    than :data:`MAX_LINE_BYTES` is refused unread (see :func:`too_long`), the others are
    taken. A leading byte-order mark (as Windows tools write) is dropped. Lines end with
    LF or CR LF; a lone CR also ends a line, but only within 64 KiB: a file with only CRs
    that is longer than that is refused as one line too long."""
    first = True
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 2)
        if not raw:
            return
        if first:
            first = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        if len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:
            while raw and not raw.endswith(b"\n"):  # skip the rest, a chunk at a time
                raw = stream.readline(_CHUNK)
            yield _TOO_LONG_LINE
            continue
        for part in raw.splitlines():
            yield part.decode("utf-8", "surrogateescape")


# A line too long to read stands in as this (a lone surrogate no decoder produces).
_TOO_LONG_LINE = "\ud8ff"


def not_utf8(line: str) -> bool:
    return not line.isascii() and any("\udc80" <= ch <= "\udcff" for ch in line)


def too_long(line: str) -> bool:
    return line == _TOO_LONG_LINE


def _legacy_source_id(obj: dict[str, Any]) -> str:
    """The id versions before 0.x derived (an unsalted hash that included the caller's
    name and phone): looked up so a re-run of an old file stays idempotent, never stored."""
    canonical = json.dumps({k: obj.get(k) for k in FIELDS}, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


# What a derived id is made of: what the call says and when, never who called.
DERIVED_FROM = ("type", "location", "priority", "narrative", "received_at")


def derived_source_id(obj: dict[str, Any]) -> str | None:
    """A stable id for a line that brought no source_id but says when it was received, so
    re-running a file takes it once. Made only from fields an export shows (never the
    caller's name or phone), with no salt: it reveals nothing an export does not, and
    every desk given the same line derives the same id. A line with neither a source_id
    nor a received_at has no identity: it is a new call each time (None)."""
    if obj.get("received_at") is None:
        return None
    canonical = json.dumps(
        {k: obj.get(k) for k in DERIVED_FROM}, sort_keys=True, default=str, ensure_ascii=True
    )
    return "line:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _quote(value: object, limit: int = 40) -> str:
    """A value as a refusal quotes it: strings in quotes, cut to ``limit`` characters."""
    if not isinstance(value, str):
        text = repr(value)
        return text[:limit] + "…" if len(text) > limit else text
    return f"'{value[:limit]}…'" if len(value) > limit else f"'{value}'"


def _no_surrogates(key: str, text: str) -> str:
    if not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text):
        raise LineRefused(f"{key} is not valid Unicode text (a lone surrogate escape)")
    return text


def _text(obj: dict[str, Any], key: str) -> str | None:
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, (str, int)) or isinstance(v, bool):
        raise LineRefused(f"{key} must be text")
    if isinstance(v, int):
        v = str(v)  # ints in a JSON line are at most 4,300 digits: json refuses longer
    return _no_surrogates(key, v).strip() or None


def _constant(name: str) -> Any:
    raise LineRefused(f"not JSON ({name} is not a number JSON allows)")


def load_object(line: str) -> dict[str, Any]:
    """A line as a JSON object, or :class:`LineRefused` saying why not (never another
    exception: not UTF-8, too long, nested too deep, a number too long, NaN)."""
    if too_long(line):
        raise LineRefused(TOO_LONG)
    if not_utf8(line):
        raise LineRefused(NOT_UTF8)
    try:
        obj = json.loads(line, parse_constant=_constant)
    except LineRefused:
        raise
    except json.JSONDecodeError as exc:
        raise LineRefused(f"not JSON ({exc.msg})") from None
    except RecursionError:
        raise LineRefused("not JSON this desk reads (nested too deep)") from None
    except ValueError:  # an integer past the int conversion limit (4,300 digits)
        raise LineRefused("not JSON this desk reads (a number too long)") from None
    if not isinstance(obj, dict):
        raise LineRefused("not a JSON object")
    return obj


def _unreadable(reason: str) -> bool:
    return reason.startswith("not JSON") or reason in ("not a JSON object", NOT_UTF8, TOO_LONG)


def _priority(obj: dict[str, Any]) -> int | None:
    priority = obj.get("priority")
    if priority is None:
        return None
    if isinstance(priority, str):
        text = priority.strip()
        # ASCII digits only: "²" and "٣" are digits to Python, not priorities.
        if text.isascii() and text.isdigit() and len(text) <= 2:
            priority = int(text)
    if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= 4:
        raise LineRefused(f"priority {_quote(obj.get('priority'), 12)} out of range (1-4)")
    return priority


def _received_at(obj: dict[str, Any], desk: Desk) -> datetime | None:
    if obj.get("received_at") is None:
        return None
    raw = _text(obj, "received_at") or ""
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise LineRefused(f"received_at {_quote(raw)} is not an ISO-8601 time") from None
    try:
        if when.tzinfo is None:
            when = when.astimezone()  # local time of this desk
        when = when.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 moved across a time zone
        raise LineRefused(f"received_at {_quote(raw)} is out of range") from None
    if when < EARLIEST_RECEIVED:
        raise LineRefused(f"received_at {_quote(raw)} is before 2000")
    if when > desk.now():
        raise LineRefused(f"received_at {_quote(raw)} is in the future")
    return when


def parse_line(line: str, desk: Desk) -> ReceiveCall:
    """One JSON line -> a ReceiveCall, or :class:`LineRefused` saying what is wrong (and
    which field), never quoting the caller's details."""
    obj = load_object(line)
    type_text = _text(obj, "type")
    if not type_text:
        raise LineRefused("no type")
    ct = desk.town.find_call_type(type_text)
    if ct is None:
        raise LineRefused(f"unknown call type {_quote(type_text)}")
    if ct.emergency:
        raise LineRefused(
            f"{ct.code} is an emergency type: transfer it to emergency dispatch; "
            "it is not taken for CSO dispatch"
        )
    location = _text(obj, "location")
    if not location:
        raise LineRefused("no location")
    priority = _priority(obj)
    received_at = _received_at(obj, desk)
    source_id = _text(obj, "source_id")
    try:
        return ReceiveCall(
            type_code=ct.code,
            location=location,
            priority=priority,
            caller_name=_text(obj, "caller_name"),
            caller_phone=_text(obj, "caller_phone"),
            narrative=_text(obj, "narrative") or "",
            received_at=received_at,
            source_id=source_id or derived_source_id(obj),
            earlier_source_ids=() if source_id or not received_at else (_legacy_source_id(obj),),
        )
    except Invalid as exc:
        err = exc.errors()[0]
        raise LineRefused(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None


BATCH_SECONDS = 0.1  # the most a batch holds the write lock (then the store leaves it free)
BATCH_LINES = 2000


def take_lines(
    desk: Desk, lines: Iterable[str], on_line: Callable[[], None] | None = None
) -> IntakeReport:
    """Take every good line, in batches (one transaction each, holding the write lock at
    most ~100 ms, all-or-nothing per batch), and report the bad ones. ``lines`` is read
    as it goes (a stream: never all in memory). Idempotent by source id (given or
    derived): a re-run takes only what is not taken yet; a line with neither a source id
    nor a received_at is a new call each time, and counted in ``anonymous``."""
    report = IntakeReport()
    numbered = enumerate(lines, 1)
    nxt = next(numbered, None)
    while nxt is not None:
        batch = IntakeReport()
        first, count = nxt[0], 0
        try:
            with desk.batch():
                started = time.monotonic()
                while nxt is not None and count < BATCH_LINES:
                    if count and time.monotonic() - started > BATCH_SECONDS:
                        break
                    _take_one(desk, nxt[0], nxt[1], batch)
                    count += 1
                    nxt = next(numbered, None)
        except (StoreError, OSError) as exc:
            # The batch was rolled back: nothing of it was taken.
            why = str(exc) if isinstance(exc, StoreError) else (
                f"the input could not be read ({exc.strerror or exc})"
            )  # fmt: skip
            report.readable_lines += batch.readable_lines
            report.refused += batch.refused
            report.refused.append((first, why))
            report.stopped = f"stopped at line {first}: {why}"
            report.stopped_at = first
            report.full = isinstance(exc, StorageFull)
            return report
        if on_line:
            for _ in range(count):
                on_line()
        report.taken += batch.taken
        report.already += batch.already
        report.unverified += batch.unverified
        report.readable_lines += batch.readable_lines
        report.anonymous += batch.anonymous
        report.refused += batch.refused
    return report


def _take_one(desk: Desk, number: int, line: str, report: IntakeReport) -> None:
    if not line.strip():
        return
    try:
        cmd = parse_line(line, desk)
    except LineRefused as exc:
        if not _unreadable(str(exc)):
            report.readable_lines += 1
        report.refused.append((number, str(exc)))
        return
    report.readable_lines += 1
    outcome = desk.execute(cmd)
    if outcome.already:
        report.already += 1
    elif outcome.ok:
        report.taken += 1
        if cmd.source_id is None:
            report.anonymous += 1
        received = outcome.events[0].payload if outcome.events else {}
        if not received.get("location_verified", True):
            report.unverified += 1
    else:
        report.refused.append((number, outcome.reason))
