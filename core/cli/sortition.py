"""Sortition commands: ``invite``, ``select``, ``draw`` and ``verify``.

The whole pipeline from a terminal: letters from a registry (``invite``,
:mod:`kleroterion.cli.invite`), the panel draw under quotas with its published
lottery (``select``, :mod:`kleroterion.cli.select`; every seat group in one run with
``--group-column``, :mod:`kleroterion.cli.select_groups`), the public number
recorded afterwards and anyone's check of a published lottery (``draw`` and
``verify``, :mod:`kleroterion.cli.lottery`). Every bad input ends in one line on
stderr naming the file, line, column and value, a non-zero exit and no output file;
never a traceback.

Exit codes: 0 success; 1 bad input or a lottery that does not verify; 2 misuse of
the command line (click's own); 3 quotas that cannot be met (the smallest
relaxation is printed).
"""

from __future__ import annotations

import click
from kleroterion.cli.invite import invite_command
from kleroterion.cli.lottery import draw_command, verify_command
from kleroterion.cli.select import select_command
from kleroterion.cli.terminal import EXIT_INFEASIBLE, EXIT_INPUT, progress_bar

# cli/lifecycle.py imports the progress bar under its former name from here.
progress_printer = progress_bar

__all__ = ["COMMANDS", "EXIT_INFEASIBLE", "EXIT_INPUT"]

COMMANDS: list[click.Command] = [invite_command, select_command, draw_command, verify_command]
