"""Former module paths, kept for one release.

Implementation modules have private names (``powerseek.solvers._kernels``); their
public names are re-exported by the subpackage (``powerseek.solvers``). The old
paths (``powerseek.solvers.kernels``) are small modules whose names are looked up on
first use: each lookup warns and returns the object from its new place, as scipy's
``_sub_module_deprecation`` does for its old submodules.
"""

from __future__ import annotations

import importlib
import sys
import types
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["moved_module", "moved_names"]


def _message(old: str, new: str, namespace: str, name: str) -> str:
    public = name in getattr(importlib.import_module(namespace), "__all__", ())
    where = f"import it from {namespace}" if public else f"it is private now ({new}.{name})"
    return (
        f"{old} is deprecated and will be removed in the next release; "
        f"{name!r} is not meant to be imported from it: {where}."
    )


class _CallableModule(types.ModuleType):
    """A former module path that shares its name with the subpackage's function.

    ``import powerseek.solvers.solve`` binds the attribute ``solve`` of the
    subpackage to this module; calling it runs the function, so
    ``powerseek.solvers.solve(...)`` keeps working after the old path is imported.
    """

    __function__: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__function__(*args, **kwargs)


def moved_module(
    old: str, new: str, namespace: str, *, function: str | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` for an old path that now lives at `new`.

    Parameters
    ----------
    old : str
        The old module path (the shim's ``__name__``).
    new : str
        The private module that holds the implementation now.
    namespace : str
        The public subpackage that re-exports the module's public names.
    function : str, optional
        The name of the subpackage's function that the old module path shadows
        (``powerseek.solvers.solve``): the old module becomes callable as that function.

    Returns
    -------
    getattr, dir : callable
        To be bound as the old module's ``__getattr__`` and ``__dir__``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     from powerseek.solvers.kernels import segment_max
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    powerseek.solvers.kernels is deprecated and will be removed in the next release;
    'segment_max' is not meant to be imported from it: import it from powerseek.solvers.
    """

    def __getattr__(name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            # Tools (doctest, pickle, inspect) probe dunder names; they are not imports.
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        target = importlib.import_module(new)
        if not hasattr(target, name):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(_message(old, new, namespace, name), DeprecationWarning, stacklevel=2)
        return getattr(target, name)

    def __dir__() -> list[str]:
        return sorted(n for n in dir(importlib.import_module(new)) if not n.startswith("_"))

    if function is not None:
        module = sys.modules[old]
        module.__class__ = _CallableModule
        module.__function__ = getattr(importlib.import_module(new), function)
    return __getattr__, __dir__


def moved_names(namespace: str, moved: dict[str, str]) -> Callable[[str], Any]:
    """Module ``__getattr__`` for names a namespace no longer holds.

    Parameters
    ----------
    namespace : str
        The namespace the names were read from (its ``__name__``).
    moved : dict of str to str
        Each former name and the public module that holds it now.

    Returns
    -------
    callable
        To be bound as the namespace's ``__getattr__``: each moved name warns and
        returns the object from its new module; any other name is an AttributeError.

    Examples
    --------
    >>> import warnings
    >>> import powerseek.analysis
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     rule = powerseek.analysis.is_optimal
    >>> print(caught[0].message)  # doctest: +NORMALIZE_WHITESPACE
    powerseek.analysis.is_optimal is deprecated and will be removed in the next release;
    import it from powerseek.agents.lotteries.
    """

    def __getattr__(name: str) -> Any:
        if name not in moved:
            raise AttributeError(f"module {namespace!r} has no attribute {name!r}")
        warnings.warn(
            f"{namespace}.{name} is deprecated and will be removed in the next release; "
            f"import it from {moved[name]}.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(moved[name]), name)

    return __getattr__
