"""Former path of ``powerseek._rational``; import from :mod:`powerseek.exact` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek._rational", "powerseek.exact")
