"""Former path of :mod:`powerseek.io._grid`; import from :mod:`powerseek.io` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.io._grid", "powerseek.io")
