"""PINs: the rules a new PIN must meet, and a salted slow hash of it.

The hash is the standard library's scrypt (``hashlib.scrypt``, OpenSSL's): no extra
dependency, and its cost is set by three numbers we choose. n=2**14, r=8, p=1 uses
128 * r * n = 16 MiB while it runs (freed after) and takes about 50 ms here, inside the
0.2 s and 16 MiB a sign-in may cost (argon2's defaults would hold 64 MiB). The stored form
names its parameters, so they can be raised later without breaking old hashes:
``scrypt$16384$8$1$<salt, base64>$<key, base64>``.

The hash is made in a short-lived child process (this interpreter, isolated, no site
packages: about 50 ms more than in process), so its 16 MiB never land in the console's
memory: the console's peak stays what its screens and rows need. The PIN goes to the child
on a pipe, never in its arguments or environment. Where no child can be started (no
interpreter path, no processes left), the hash is made here instead.

Made here, the 16 MiB go back to the system after each hash. glibc maps a block that large
only until the first one is freed; then it raises its threshold and serves the next from
the heap of the calling thread, which keeps it: each thread that had checked a PIN held
16 MiB for good. :func:`_map_large_blocks` fixes the threshold first (glibc only;
elsewhere a no-op).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import subprocess
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


# The child reads pin, salt, n, r, p, maxmem and dklen, one a line (pin and salt in base64,
# either may be empty), on stdin; it writes "key <key in base64>", or "refused" when scrypt
# refuses the numbers. Anything else (an interpreter that did not start, a crash) is no
# answer: the hash is then made here.
_CHILD = """
import base64, hashlib, sys
pin, salt, n, r, p, maxmem, dklen = sys.stdin.read().split("\\n")
try:
    key = hashlib.scrypt(base64.b64decode(pin), salt=base64.b64decode(salt), n=int(n),
                         r=int(r), p=int(p), maxmem=int(maxmem), dklen=int(dklen))
except (ValueError, MemoryError, OverflowError):
    sys.stdout.write("refused")
else:
    sys.stdout.write("key " + base64.b64encode(key).decode("ascii"))
"""
_CHILD_SECONDS = 30.0


def _key(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    secret = pin.encode("utf-8")
    try:
        return _key_apart(secret, salt, n, r, p)
    except (OSError, subprocess.SubprocessError):  # no child: made here
        _map_large_blocks()
        return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM, dklen=KEY_BYTES)


def _key_apart(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    """scrypt in a child process; ValueError when it refuses the numbers."""
    if not sys.executable:
        raise OSError("no interpreter to start")
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _CHILD],
        input="\n".join(
            [_b64(secret), _b64(salt), str(n), str(r), str(p), str(_MAX_MEM), str(KEY_BYTES)]
        ).encode("ascii"),
        capture_output=True,
        timeout=_CHILD_SECONDS,
        check=False,
    )
    answer = done.stdout.decode("ascii", "replace") if done.returncode == 0 else ""
    if answer == "refused":
        raise ValueError("scrypt refused these parameters")
    kind, _, text = answer.partition(" ")
    try:
        key = base64.b64decode(text, validate=True) if kind == "key" else b""
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise subprocess.SubprocessError(f"no key from the PIN hash child ({done.returncode})")
    return key


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
