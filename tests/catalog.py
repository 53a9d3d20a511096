"""The catalog, listed and loaded once per test session.

Several test modules parametrise over every catalog environment at collection,
and listing the catalog compiles every object level (about 0.4 s each time);
MDPs are frozen values, so one loaded copy serves every test that only reads it.
``tests/io/test_catalog.py`` tests :func:`powerseek.list_environments` and
:func:`powerseek.load` themselves, uncached.
"""

import functools

import powerseek


@functools.cache
def environments() -> tuple:
    """Every catalog entry (:func:`powerseek.list_environments`), computed once."""
    return tuple(powerseek.list_environments())


def names(*, levels: bool = True) -> list[str]:
    """The catalog's names, object levels left out with ``levels=False``."""
    return [info.name for info in environments() if levels or info.format != "level"]


@functools.cache
def load(name: str) -> powerseek.MDP:
    """The catalog environment `name`, loaded once per session (MDPs are immutable)."""
    return powerseek.load(name)
