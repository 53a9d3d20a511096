"""The test suite's strategies are powerseek's public ones."""

from powerseek.explore.strategies import *  # noqa: F401,F403
from powerseek.explore.strategies import __all__  # noqa: F401
