"""Results as tidy tables: pandas DataFrames and xarray Datasets.

Every result type's ``to_frame()`` builds its table here, in long format: one
row per state, per state and action, or per γ and state, with the columns of
``powerseek sweep``'s results table where they mean the same thing:

``quantity``
    ``"power"``, ``"optimality"``, ``"expected_power"``, ...
``gamma``, ``state``, ``action``
    State and action labels as ``powerseek show`` prints them (``(2, 3)``).
``row``, ``col``
    For gridworld cells (states that are ``(row, col)`` pairs), as integers.
``value``, ``stderr``, ``ci_low``, ``ci_high``
    The estimate, its standard error and the interval ends (exact results:
    stderr 0, interval ends equal to the value, and the fraction in ``exact``).

The provenance (environment, samples, seed, distribution, solver) goes in
``DataFrame.attrs`` / ``Dataset.attrs``. pandas and xarray are imported only
when a table is asked for (``pip install ".[frames]"``).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ._frozen import frozen
from ._validation import label_text
from .exceptions import install_hint

__all__ = [
    "attrs_of",
    "cell_columns",
    "data_frame",
    "estimate_columns",
    "require",
    "xarray_dataset",
]


def require(module: str):
    """Import pandas or xarray, or say how to install it.

    Parameters
    ----------
    module : {"pandas", "xarray"}

    Returns
    -------
    module

    Examples
    --------
    >>> require("pandas").__name__
    'pandas'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"tables of results need {module}: {install_hint('frames')}.") from None


def cell_columns(states: Sequence[Hashable]) -> dict[str, list]:
    """``state`` as text and, when every state is a grid cell, ``row`` and ``col``.

    Parameters
    ----------
    states : sequence of hashable
        The state labels.

    Returns
    -------
    dict
        Column name -> values, one per state.

    Examples
    --------
    >>> cell_columns([(0, 1), (2, 3)])
    {'state': ['(0, 1)', '(2, 3)'], 'row': [0, 2], 'col': [1, 3]}
    >>> cell_columns(["a"])
    {'state': ['a']}
    """
    columns: dict[str, list] = {"state": [label_text(s) for s in states]}
    if states and all(
        isinstance(s, tuple) and len(s) == 2 and all(isinstance(x, (int, np.integer)) for x in s)
        for s in states
    ):
        columns["row"] = [int(s[0]) for s in states]
        columns["col"] = [int(s[1]) for s in states]
    return columns


def estimate_columns(estimate: Any, index: Any = slice(None)) -> dict[str, np.ndarray]:
    """``value``, ``stderr``, ``ci_low``, ``ci_high`` of an :class:`~powerseek.Estimate`.

    Parameters
    ----------
    estimate : Estimate
        The estimate.
    index : index, default all
        Which entries.

    Returns
    -------
    dict
    """
    return {
        "value": np.asarray(estimate.mean)[index],
        "stderr": np.asarray(estimate.stderr)[index],
        "ci_low": np.asarray(estimate.ci_low)[index],
        "ci_high": np.asarray(estimate.ci_high)[index],
    }


def attrs_of(provenance: Mapping[str, Any] | None, **extra: Any) -> dict[str, Any]:
    """Provenance as flat attributes: numbers and strings kept, the rest as JSON text.

    Flat values keep the attributes writable to netCDF and Parquet metadata.

    Parameters
    ----------
    provenance : mapping or None
        A result's provenance.
    **extra
        More attributes (``solver``, ``confidence``, ...).

    Returns
    -------
    dict

    Examples
    --------
    >>> attrs_of({"environment": "maze", "seed": 3}, solver={"method": "pi"})
    {'environment': 'maze', 'seed': 3, 'solver': '{"method": "pi"}'}
    """
    out: dict[str, Any] = {}
    for key, value in {**(provenance or {}), **extra}.items():
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        else:
            out[key] = json.dumps(value, default=str)
    return out


def _broadcast(columns: Mapping[str, Any]) -> dict[str, list]:
    """Columns as equal-length lists: scalars (and None) repeated."""
    lengths = {len(v) for v in columns.values() if not np.isscalar(v) and v is not None}
    n = max(lengths) if lengths else 1
    return {k: ([v] * n if np.isscalar(v) or v is None else list(v)) for k, v in columns.items()}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def records(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of `columns` as dicts of plain Python values (no pandas needed).

    Parameters
    ----------
    columns : mapping
        Column name -> values; scalars are repeated.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> records({"state": ["a", "b"], "gamma": 0.9, "value": np.array([1.0, 2.0])})
    [{'state': 'a', 'gamma': 0.9, 'value': 1.0}, {'state': 'b', 'gamma': 0.9, 'value': 2.0}]
    """
    data = _broadcast(columns)
    names = list(data)
    return [
        {name: _plain(value) for name, value in zip(names, row)}
        for row in zip(*(data[name] for name in names))
    ]


class Tabular:
    """Gives a result with a ``_columns()`` method (columns, attrs) its :meth:`to_records`.

    A dataclass result's ``provenance`` and ``solver`` records are made read-only
    (:class:`~powerseek._frozen.FrozenDict`) when it is built, as the frozen
    result holding them is.
    """

    def __post_init__(self) -> None:
        for name in ("provenance", "solver"):
            value = self.__dict__.get(name)
            if isinstance(value, (dict, tuple)):  # a sweep holds one record per γ
                object.__setattr__(self, name, frozen(value))

    def _columns(self) -> tuple[dict[str, Any], dict[str, Any]]:  # pragma: no cover
        raise NotImplementedError

    def to_records(self) -> list[dict[str, Any]]:
        """The rows of :meth:`to_frame` as dicts of plain values, without pandas.

        What ``--format jsonl`` prints, one JSON object per row.

        Returns
        -------
        list of dict
        """
        return records(self._columns()[0])


def data_frame(columns: Mapping[str, Iterable], attrs: Mapping[str, Any] | None = None):
    """A pandas DataFrame of `columns` (in order) with `attrs`.

    Parameters
    ----------
    columns : mapping
        Column name -> values; scalars are repeated.
    attrs : mapping, optional
        The frame's ``attrs`` (provenance).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> data_frame({"state": ["a", "b"], "gamma": 0.9, "value": [1.0, 2.0]}).to_dict("list")
    {'state': ['a', 'b'], 'gamma': [0.9, 0.9], 'value': [1.0, 2.0]}
    """
    pd = require("pandas")
    frame = pd.DataFrame(_broadcast(columns), columns=list(columns))
    frame.attrs.update(attrs or {})
    return frame


def xarray_dataset(
    gammas: Sequence[float],
    states: Sequence[Hashable],
    variables: Mapping[str, np.ndarray],
    attrs: Mapping[str, Any],
):
    """An xarray Dataset of (gamma, state) arrays, with cell coordinates for gridworlds.

    Parameters
    ----------
    gammas : sequence of float
        The discount rates, one result per value.
    states : sequence of hashable
        The state labels.
    variables : mapping
        Name -> array of shape (len(gammas), len(states)).
    attrs : mapping
        The dataset's attributes (provenance).

    Returns
    -------
    xarray.Dataset
    """
    xr = require("xarray")
    cells = cell_columns(states)
    coords: dict[str, Any] = {"gamma": np.asarray(gammas, dtype=float), "state": cells["state"]}
    if "row" in cells:
        coords["row"] = ("state", np.asarray(cells["row"]))
        coords["col"] = ("state", np.asarray(cells["col"]))
    data = {name: (("gamma", "state"), np.asarray(values)) for name, values in variables.items()}
    return xr.Dataset(data, coords=coords, attrs=dict(attrs))
