"""Constructing HiGHS instances without HiGHS writing on the process's standard output.

HiGHS 1.16 prints its banner ("Running HiGHS ... Copyright ...") on standard output
when the process's first instance is constructed, before any option (``output_flag``)
can be set. On a command's output that banner is data corruption:
``kleroterion select --format json > panel.json`` would not be JSON. So the first
construction in a process runs with file descriptor 1 pointed at standard error,
where the banner stays visible for support; every later one is left alone, since
HiGHS prints it once. The redirection lasts one constructor call, under a lock; a
thread of the same process writing to standard output at that instant would see its
text go to standard error, never lost.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import threading

import highspy

_LOCK = threading.Lock()
_first_done = False


def _flush_c_stdio() -> None:
    """Flush C's buffered streams, where HiGHS's printf output waits."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # no C library (Windows)
        ctypes.CDLL(None).fflush(None)


def new_instance() -> highspy.Highs:
    """A new ``highspy.Highs``, its banner (the first time) on standard error."""
    global _first_done
    with _LOCK:
        if _first_done:
            return highspy.Highs()  # type: ignore[no-untyped-call]
        _first_done = True
        with contextlib.suppress(AttributeError, ValueError, OSError):  # no usable sys.stdout
            sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no descriptor 1 at all: nothing to protect
            return highspy.Highs()  # type: ignore[no-untyped-call]
        try:
            os.dup2(2, 1)
            instance = highspy.Highs()  # type: ignore[no-untyped-call]
            _flush_c_stdio()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        return instance
