"""Former path of ``powerseek.analysis._visit_optimality``: import from ``powerseek.analysis``.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(
    __name__,
    "powerseek.analysis._visit_optimality",
    "powerseek.analysis",
    function="visit_optimality",
)
