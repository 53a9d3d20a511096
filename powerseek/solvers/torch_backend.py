"""Former path of ``powerseek.solvers._torch_backend``: import from ``powerseek.solvers``.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(
    __name__, "powerseek.solvers._torch_backend", "powerseek.solvers"
)
