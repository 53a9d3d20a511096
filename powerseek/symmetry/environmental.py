"""Former path of ``powerseek.symmetry._environmental``: import from ``powerseek.symmetry``.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(
    __name__, "powerseek.symmetry._environmental", "powerseek.symmetry"
)
