"""Shared test configuration: hypothesis profiles.

``ci`` (the default) is deterministic: derandomized, no example database, no
deadline, so a CI run is reproducible. ``thorough`` runs many more randomised
examples for local exploration::

    POWERSEEK_HYPOTHESIS_PROFILE=thorough python -m pytest
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    derandomize=False,
    deadline=None,
    max_examples=2000,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("POWERSEEK_HYPOTHESIS_PROFILE", "ci"))


def pytest_report_header(config):
    return f"hypothesis profile: {settings._current_profile}"
