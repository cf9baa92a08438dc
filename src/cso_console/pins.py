"""PINs: the rules a new PIN must meet, and a salted slow hash of it.

The hash is the standard library's scrypt (``hashlib.scrypt``, OpenSSL's): no extra
dependency, and its cost is set by three numbers we choose. n=2**14, r=8, p=1 uses
128 * r * n = 16 MiB while it runs (freed after) and takes about 50 ms here, inside the
0.2 s and 16 MiB a sign-in may cost (argon2's defaults would hold 64 MiB). The stored form
names its parameters, so they can be raised later without breaking old hashes:
``scrypt$16384$8$1$<salt, base64>$<key, base64>``.

The 16 MiB go back to the system after each hash. glibc maps a block that large only until
the first one is freed; then it raises its threshold and serves the next from the heap of
the calling thread, which keeps it: each thread that had checked a PIN held 16 MiB for
good. :func:`_map_large_blocks` fixes the threshold first (glibc only; elsewhere a no-op).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import sys

N, R, P = 2**14, 8, 1
KEY_BYTES = 32
SALT_BYTES = 16
MIN_LENGTH, MAX_LENGTH = 4, 64
_MAX_MEM = 64 * 1024 * 1024  # OpenSSL's ceiling; the cost itself is 128 * r * n


def check_rules(pin: str) -> str:
    """``pin`` if it may be a PIN; ValueError with a sentence if not."""
    if not MIN_LENGTH <= len(pin) <= MAX_LENGTH:
        raise ValueError(f"A PIN has {MIN_LENGTH} to {MAX_LENGTH} characters.")
    if pin != pin.strip():
        raise ValueError("A PIN cannot begin or end with a space.")
    if not pin.isprintable():
        raise ValueError("A PIN cannot hold control characters.")
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
_MAP_FROM = 1024 * 1024  # blocks from 1 MiB up are mapped, and unmapped when freed


@functools.cache
def _map_large_blocks() -> bool:
    """Fix glibc's mmap threshold (once) so large blocks are returned when freed; False
    where that cannot be done (not glibc), which only costs memory."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # here: only a PIN check needs it

        libc = ctypes.CDLL(None)  # the process's own symbols: libc's among them
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, _MAP_FROM))
    except (OSError, AttributeError):
        return False


def _key(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    _map_large_blocks()
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM, dklen=KEY_BYTES
    )


def hash_pin(pin: str) -> str:
    salt = os.urandom(SALT_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(_key(pin, salt, N, R, P))}"


def _parts(stored: str) -> tuple[int, int, int, bytes, bytes]:
    kind, n, r, p, salt, key = stored.split("$")
    if kind != "scrypt":
        raise ValueError("not an scrypt hash")
    return int(n), int(r), int(p), base64.b64decode(salt), base64.b64decode(key)


def verify(pin: str, stored: str) -> bool:
    """Whether ``pin`` is the one ``stored`` was made from (constant-time compare)."""
    try:
        n, r, p, salt, key = _parts(stored)
        if 128 * r * n > _MAX_MEM:
            return False
        return hmac.compare_digest(_key(pin, salt, n, r, p), key)
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False


def memory_bytes(stored: str) -> int:
    """What checking a PIN against ``stored`` costs in memory."""
    n, r, _p, _salt, _key_ = _parts(stored)
    return 128 * r * n
