"""Former path of :mod:`powerseek.batch`; import from there instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.batch._runner", "powerseek.batch")
