"""Former path of :mod:`powerseek.analysis._power`; import from :mod:`powerseek.analysis` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(
    __name__, "powerseek.analysis._power", "powerseek.analysis", function="power"
)
