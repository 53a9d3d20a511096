"""Former path of ``powerseek.visits._functions``; import from :mod:`powerseek.visits`.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.visits._functions", "powerseek.visits")
