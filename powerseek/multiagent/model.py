"""Former path of ``powerseek.multiagent._model``: import from ``powerseek.multiagent``.

Kept for one release; every name read from here warns (see :mod:`powerseek._deprecation`).
"""

from .._deprecation import moved_module

__getattr__, __dir__ = moved_module(__name__, "powerseek.multiagent._model", "powerseek.multiagent")
