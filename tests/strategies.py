"""The test suite's strategies are powerseek's public ones."""

from powerseek.explore.strategies import *  # noqa: F401,F403
from powerseek.explore.strategies import __all__  # noqa: F401


def examples(ci: int) -> int:
    """Examples for a slow property: `ci` in the ci profile, scaled up with the profile.

    The ci profile draws 60 examples per property; a property too slow for that draws `ci`
    there and proportionally more under ``thorough`` (2000), so a long local run explores it
    as much as the others.
    """
    from hypothesis import settings

    return max(ci, ci * settings().max_examples // 60)
