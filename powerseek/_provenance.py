"""What a stored result records about the software that computed it."""

from __future__ import annotations

import platform
from importlib import metadata

from . import _version

__all__ = ["software_versions"]


def software_versions() -> dict[str, str]:
    """Versions of powerseek, Python and the libraries behind its numbers, for provenance.

    Returns
    -------
    dict of str to str
        ``{"powerseek": ..., "python": ..., "numpy": ..., ...}``; a library that
        is not installed is recorded as ``"not installed"``.

    Examples
    --------
    >>> from powerseek._provenance import software_versions
    >>> versions = software_versions()
    >>> sorted(versions)[:3]
    ['matplotlib', 'networkx', 'numpy']
    """
    versions = {"powerseek": _version.__version__, "python": platform.python_version()}
    for package in ("numpy", "scipy", "networkx", "sympy", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # pragma: no cover
            versions[package] = "not installed"
    return versions
