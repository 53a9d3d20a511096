"""Former path of :mod:`powerseek.explore._games`; import from :mod:`powerseek.explore` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.explore._games", "powerseek.explore")
