"""The errors services raise: each carries one sentence a secretariat can act on.

Messages name ids, dates and keys the user gave, never personal data. ``field``, when
set, names the service's parameter the refusal is about, so that a form (or an API
answer) can show it next to the right input.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request the domain rules refuse; ``str(error)`` is the message to show."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(ServiceError):
    """An id or key that does not exist."""


class InvalidInput(ServiceError):
    """A value, a date or a file the rules do not accept."""


class NotAllowed(ServiceError):
    """An action the city's rules or the current state forbid."""


class ConflictError(ServiceError):
    """Someone else changed the same record since it was read; reload and try again."""
