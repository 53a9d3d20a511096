"""Read-only dicts for the provenance and solver diagnostics inside frozen results.

A frozen dataclass stops ``result.provenance = {}`` but not
``result.provenance["seed"] = 7``; a :class:`FrozenDict` stops both. It is a dict,
so JSON, pandas ``attrs``, ``==`` with plain dicts, pickling and copying work as
before; only the methods that change it refuse.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FrozenDict", "frozen"]


class FrozenDict(dict):
    """A dict whose contents cannot change.

    Examples
    --------
    >>> d = FrozenDict({"seed": 0})
    >>> d["seed"], d == {"seed": 0}
    (0, True)
    >>> d["seed"] = 1
    Traceback (most recent call last):
    ...
    TypeError: this FrozenDict is read-only (a frozen result's record); change a copy: dict(...)
    """

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "this FrozenDict is read-only (a frozen result's record); change a copy: dict(...)"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple:
        # pickle and copy rebuild it from a plain dict, not item by item
        return (type(self), (dict(self),))

    def __repr__(self) -> str:
        return dict.__repr__(self)


def frozen(value: Any) -> Any:
    """`value` with every dict in it, at any depth, made a :class:`FrozenDict`.

    Parameters
    ----------
    value : object
        A dict, or anything else (returned as it is, lists and tuples walked).

    Returns
    -------
    object
        The same data, read-only where it was a dict.

    Examples
    --------
    >>> record = frozen({"solver": {"method": "policy-iteration"}, "gammas": [0.5]})
    >>> type(record["solver"]).__name__
    'FrozenDict'
    """
    if isinstance(value, dict):
        return FrozenDict({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return [frozen(item) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(frozen(item) for item in value)
    return value
