"""Optional extras in the test suite: skip where one is missing, except in CI.

A contributor may install only ``.[test]``; the tests that need the ``docs`` or
``dev`` extra then skip, naming the extra. CI installs every extra (the README's
test command) and sets ``POWERSEEK_REQUIRE_EXTRAS``, under which a missing extra
fails the test instead, so that no check is skipped there unnoticed.
"""

import importlib
import os

import pytest


def require(module: str, extra: str):
    """Import `module`, or skip (fail under ``POWERSEEK_REQUIRE_EXTRAS``) naming `extra`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        message = f"{module} is not installed (pip install -e '.[{extra}]')"
        if os.environ.get("POWERSEEK_REQUIRE_EXTRAS"):
            pytest.fail(f"{message}, and POWERSEEK_REQUIRE_EXTRAS is set.")
        pytest.skip(message)
