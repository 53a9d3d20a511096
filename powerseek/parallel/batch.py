"""Former path of :mod:`powerseek.parallel._batch`; import from :mod:`powerseek.parallel` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.parallel._batch", "powerseek.parallel")
