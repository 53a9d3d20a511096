"""Former path of :mod:`powerseek.symmetry._orbits`; import from :mod:`powerseek.symmetry` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.symmetry._orbits", "powerseek.symmetry")
