"""Former path of ``powerseek.parallel._executors``: import from ``powerseek.parallel``.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.parallel._executors", "powerseek.parallel")
