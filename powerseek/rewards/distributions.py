"""Former path of ``powerseek.rewards._distributions``: import from ``powerseek.rewards``.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(
    __name__, "powerseek.rewards._distributions", "powerseek.rewards"
)
