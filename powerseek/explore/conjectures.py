"""Former path of ``powerseek.explore._conjectures``: import from ``powerseek.explore``.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.explore._conjectures", "powerseek.explore")
