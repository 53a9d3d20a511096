"""The ``powerseek`` command line: one module per command group.

``_app`` builds the parser and dispatches; each command's machinery is
imported only when that command runs.
"""

from ._app import main

__all__ = ["main"]
