"""kleroterion: a plugin-based framework for permanent citizens' assemblies.

Plugin authors import everything they need from here: the ``hookimpl`` marker
and the configuration types their hooks return.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast, overload

import pluggy

__version__ = "0.1.0"

_F = TypeVar("_F", bound=Callable[..., Any])


class HookimplMarker(Protocol):
    """pluggy's marker, typed so that decorated hook implementations keep their types."""

    @overload
    def __call__(self, function: _F, /) -> _F: ...

    @overload
    def __call__(
        self,
        function: None = None,
        /,
        *,
        hookwrapper: bool = False,
        optionalhook: bool = False,
        tryfirst: bool = False,
        trylast: bool = False,
        specname: str | None = None,
        wrapper: bool = False,
    ) -> Callable[[_F], _F]: ...


#: Marker for hook implementations in a city or extension plugin.
hookimpl = cast(HookimplMarker, pluggy.HookimplMarker("kleroterion"))

__all__ = ["__version__", "hookimpl"]
