"""kleroterion: a plugin-based framework for permanent citizens' assemblies.

Plugin authors import everything they need from here: the ``hookimpl`` marker
and the configuration types their hooks return.
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

#: Marker for hook implementations in a city or extension plugin.
hookimpl = pluggy.HookimplMarker("kleroterion")

__all__ = ["__version__", "hookimpl"]
