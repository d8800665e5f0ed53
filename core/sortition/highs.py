"""Constructing HiGHS instances without HiGHS writing on the process's standard output.

HiGHS 1.16 prints its banner ("Running HiGHS ... Copyright ...") on standard output
when the process's first instance is constructed, before any option (``output_flag``)
can be set. On a command's output that banner is data corruption:
``kleroterion select --format json > panel.json`` would not be JSON; on the terminal
(``kleroterion demo``, a draw's progress on standard error) it is noise a resident
cannot act on. So the first construction in a process runs with file descriptor 1
pointed at the null device; the solver's version, which support may need, goes to
the ``kleroterion.sortition`` log instead (and into every lottery's manifest). Every
later construction is left alone, since HiGHS prints the banner once. The
redirection lasts one constructor call, under a lock; a thread of the same process
writing to file descriptor 1 at that instant would lose that text, which is why
nothing in kleroterion writes there while a draw starts.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
import threading

import highspy

_LOCK = threading.Lock()
_LOG = logging.getLogger("kleroterion.sortition")
_first_done = False


def _flush_c_stdio() -> None:
    """Flush C's buffered streams, where HiGHS's printf output waits."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # no C library (Windows)
        ctypes.CDLL(None).fflush(None)


def new_instance() -> highspy.Highs:
    """A new ``highspy.Highs``; its banner (the first time) goes nowhere."""
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
            null = os.open(os.devnull, os.O_WRONLY)
        except OSError:  # pragma: no cover - no null device: standard error will do
            null = os.dup(2)
        try:
            os.dup2(null, 1)
            instance = highspy.Highs()  # type: ignore[no-untyped-call]
            _flush_c_stdio()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _LOG.debug("HiGHS %s", _version())
        return instance


def _version() -> str:
    with contextlib.suppress(Exception):  # metadata missing: the version is only a courtesy
        from importlib.metadata import version

        return version("highspy")
    return "(unknown version)"
