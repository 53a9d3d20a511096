"""Former path of :mod:`powerseek.mdp._arrays`; import from :mod:`powerseek.mdp` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.mdp._arrays", "powerseek.mdp")
