"""Former path of :mod:`powerseek.solvers._solve`; import from :mod:`powerseek.solvers` instead.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(
    __name__, "powerseek.solvers._solve", "powerseek.solvers", function="solve"
)
