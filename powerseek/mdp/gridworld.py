"""ASCII gridworlds: maps to MDPs and back.

A map is a rectangle of characters, one row per line, row 0 at the top:

=============  ==============================================================
``#``          wall
``.``          open cell
``S``          the start cell (an open cell; at most one per map)
``A``-``Z``    a *terminal* cell (absorbing: its only action is ``stay``), named
               by its letter unless `names` gives a longer name (``S`` excepted)
``a``-``z``    a *named* open cell with the usual moves
=============  ==============================================================

States are the open cells as ``(row, col)`` tuples in row-major order.
Actions are named ``up``, ``down``, ``left``, ``right`` and ``stay``.

Conventions (POWERplay's by default, theory.md C.10):

* ``stay=True``: every cell has a ``stay`` self-loop; ``stay=False`` drops it
  (terminal cells keep theirs).
* ``bump="absent"``: a move off the grid or into a wall is not an action.
  ``bump="stay"``: it is an action that leaves the agent where it is. Both give
  the same optimal values (with ``stay``) but different action optimality
  probabilities, since ties are then spread over more actions.
* ``noise=ε``: with probability ε the move slips, the next cell then being
  drawn uniformly from the targets of *all* the state's actions (the intended
  one included), as POWERplay's ``stochastic_noise_level``:
  T(s, a) = (1 − ε)·e_{target(a)} + ε·mean_b e_{target(b)}.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._validation import as_float, quote, short_value
from ..exceptions import InvalidMDPError, InvalidParameterError, InvalidTypeError, ParseError
from ._model import MDP

__all__ = [
    "ACTIONS",
    "GridLayout",
    "named_cells",
    "parse",
    "render",
]

WALL = "#"
OPEN = "."
START = "S"
#: Action names, in the order they appear at each cell.
ACTIONS = ("up", "down", "left", "right", "stay")
_MOVES = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
_BUMP_CONVENTIONS = ("absent", "stay")
_LEGEND = (
    "'#' (wall), '.' (open cell), 'S' (start), a capital letter (terminal cell) "
    "or a small letter (named cell)"
)


@dataclass(frozen=True)
class GridLayout:
    """What a gridworld MDP remembers of its map, beyond its open cells.

    Stored as ``mdp.metadata["grid"]``; :func:`render` uses it to draw the map.

    Attributes
    ----------
    shape : tuple of int
        ``(n_rows, n_cols)`` of the map, walls included.
    marks : tuple of ((row, col), str)
        Legend characters of open cells other than ``.`` (start, terminal and
        named cells), in row-major order.
    names : tuple of (str, str)
        Long names given to legend letters, sorted by letter.
    stay, bump, noise
        The conventions the map was compiled with.
    walls : tuple of ((row, col), str)
        Thin walls between two open cells, each as the upper or left cell and
        ``"down"`` or ``"right"``, sorted.
    """

    shape: tuple[int, int]
    marks: tuple[tuple[tuple[int, int], str], ...] = ()
    names: tuple[tuple[str, str], ...] = ()
    stay: bool = True
    bump: str = "absent"
    noise: float = 0.0
    walls: tuple[tuple[tuple[int, int], str], ...] = ()

    def mark_of(self, cell: tuple[int, int]) -> str:
        """The legend character of an open cell (``"."`` if unmarked).

        Parameters
        ----------
        cell : tuple of int
            An open cell (row, col).

        """
        return dict(self.marks).get(cell, OPEN)

    def name_of(self, letter: str) -> str:
        """The long name of a legend letter (the letter itself by default).

        Parameters
        ----------
        letter : str
            A legend letter.

        """
        return dict(self.names).get(letter, letter)


def parse(
    text: str | Iterable[str],
    *,
    stay: bool = True,
    bump: str = "absent",
    noise: float = 0.0,
    names: Mapping[str, str] | None = None,
    walls: Iterable[Any] | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    source: str = "<map>",
    first_line: int = 1,
) -> MDP:
    """Compile an ASCII map into an MDP.

    Parameters
    ----------
    text : str or sequence of str
        The map (see the module docstring for the legend). Leading and
        trailing blank lines are ignored.
    stay : bool, default True
        Give every cell a ``stay`` action.
    bump : {"absent", "stay"}, default "absent"
        What a move into a wall or off the grid is.
    noise : float in [0, 1], default 0
        Slip probability, spread evenly over the targets of the cell's actions.
    names : mapping, optional
        Long names for legend letters, e.g. ``{"G": "goal"}``.
    walls : iterable of (row, col, direction), optional
        Thin walls: each blocks the move from open cell (row, col) in `direction`
        (``"up"``, ``"down"``, ``"left"`` or ``"right"``) to its open neighbour, and
        the move back. A blocked move is absent or stays put, as `bump` says.
    name, metadata
        Passed to :class:`~powerseek.MDP`; the layout is added to the metadata
        as ``"grid"`` and the start cell as ``"start"``.
    source : str
        File name used in error messages.
    first_line : int
        Line number (in `source`) of the map's first line, for error messages.

    Returns
    -------
    MDP

    Raises
    ------
    ParseError
        A ragged row, an unknown character, no open cell, two start cells.
    InvalidParameterError
        A bad option value, or a cell left without any action.

    Examples
    --------
    >>> mdp = parse('''
    ... S.#
    ... ..G
    ... ''')
    >>> mdp.states
    ((0, 0), (0, 1), (1, 0), (1, 1), (1, 2))
    >>> mdp.actions_of((0, 0))
    ('down', 'right', 'stay')
    >>> mdp.actions_of((1, 2))  # 'G' is terminal
    ('stay',)
    >>> mdp.metadata["start"]
    (0, 0)
    >>> print(render(mdp))
    S.#
    ..G

    A thin wall under the start cell:

    >>> parse("S.\\n..", walls=[(0, 0, "down")]).actions_of((0, 0))
    ('right', 'stay')
    """
    stay, bump, noise = _check_options(stay, bump, noise)
    rows, first_line = _split_rows(text, source, first_line)
    marks: dict[tuple[int, int], str] = {}
    start: tuple[int, int] | None = None
    width = len(rows[0])
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ParseError(
                f"row {r} has {len(row)} columns; expected {width}, as the first row "
                f"(line {first_line}). Every row of a map has the same width: pad with '#'.",
                source=source,
                line=first_line + r,
            )
        for c, char in enumerate(row):
            if char in (WALL, OPEN):
                continue
            if not (char.isascii() and char.isalpha()):
                raise ParseError(
                    f"unknown character {char!r}; expected {_LEGEND}.",
                    source=source,
                    line=first_line + r,
                    column=c + 1,
                )
            if char == START:
                if start is not None:
                    raise ParseError(
                        f"a second start cell 'S' (the first is at line {first_line + start[0]}, "
                        f"column {start[1] + 1}); a map has at most one start.",
                        source=source,
                        line=first_line + r,
                        column=c + 1,
                    )
                start = (r, c)
            marks[(r, c)] = char
    cells = [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch != WALL]
    if not cells:
        raise ParseError("the map has no open cell.", source=source, line=first_line)
    name_pairs = _check_names(names, set(marks.values()), source)
    layout = GridLayout(
        shape=(len(rows), width),
        marks=tuple(sorted(marks.items())),
        names=name_pairs,
        stay=stay,
        bump=bump,
        noise=noise,
        walls=_check_walls(walls, set(cells)),
    )
    return _compile(cells, layout, start, name, metadata, source, first_line)


def _compile(cells, layout, start, name, metadata, source, first_line) -> MDP:
    """Build the MDP of a list of open cells under `layout`'s conventions.

    Array operations over all cells at once (a 1000x1000 map has 10^6 cells):
    each cell's targets in the order of :data:`ACTIONS`, then one row of the
    transition matrix per (cell, action), entries in the order a per-cell loop
    would write them, so duplicates sum identically.
    """
    n_rows, n_cols = layout.shape
    rr = np.fromiter((r for r, _ in cells), dtype=np.int64, count=len(cells))
    cc = np.fromiter((c for _, c in cells), dtype=np.int64, count=len(cells))
    n = rr.size
    own = np.arange(n)
    index = np.full((n_rows + 2, n_cols + 2), -1, dtype=np.int64)  # a wall border
    index[rr + 1, cc + 1] = own
    targets = np.full((n, len(ACTIONS)), -1, dtype=np.int64)
    blocked = np.zeros((n_rows + 2, n_cols + 2, 4), dtype=bool)  # (cell, move) behind a wall
    for (r, c), direction in layout.walls:
        dr, dc = _MOVES[direction]
        j = ACTIONS.index(direction)
        blocked[r + 1, c + 1, j] = True
        blocked[r + 1 + dr, c + 1 + dc, j ^ 1] = True  # up/down and left/right pair up
    for j, action in enumerate(ACTIONS[:4]):
        dr, dc = _MOVES[action]
        column = index[rr + 1 + dr, cc + 1 + dc]
        column = np.where(blocked[rr + 1, cc + 1, j], -1, column)
        if layout.bump == "stay":
            column = np.where(column < 0, own, column)
        targets[:, j] = column
    if layout.stay:
        targets[:, 4] = own
    terminal = [
        int(index[r + 1, c + 1])
        for (r, c), mark in layout.marks
        if mark.isupper() and mark != START
    ]
    if terminal:
        targets[terminal, :4] = -1
        targets[terminal, 4] = np.asarray(terminal)
    valid = targets >= 0
    counts = valid.sum(axis=1)
    if not counts.all():
        i = int(np.flatnonzero(counts == 0)[0])
        r, c = int(rr[i]), int(cc[i])
        raise InvalidParameterError(
            f"cell ({r}, {c}) ({source}, line {first_line + r}, column {c + 1}) has no "
            "open neighbour and `stay` is off, so it has no action. Allow `stay`, use "
            "bump='stay', open a neighbour or mark the cell terminal."
        )
    # one tuple of labels per distinct pattern of available moves
    codes = valid @ (1 << np.arange(len(ACTIONS)))
    patterns = {
        int(code): tuple(a for j, a in enumerate(ACTIONS) if int(code) >> j & 1)
        for code in np.unique(codes)
    }
    actions = [patterns[code] for code in codes.tolist()]
    owner, column = np.nonzero(valid)  # row-major: by cell, then in ACTIONS order
    pair_target = targets[owner, column]
    n_pairs = pair_target.size
    if layout.noise == 0.0:
        matrix = sp.csr_array(
            (np.ones(n_pairs), pair_target, np.arange(n_pairs + 1)), shape=(n_pairs, n)
        )
    else:
        # Per pair, up to len(ACTIONS) + 1 entries: with k > 1 targets, noise/k to
        # each of the cell's targets in action order, then 1 − noise to its own
        # (duplicates summed as a per-cell loop's coo_array would sum them).
        k = counts[owner]
        noisy = k > 1
        width = len(ACTIONS) + 1
        keep = np.zeros((n_pairs, width), dtype=bool)
        keep[:, :-1] = valid[owner] & noisy[:, None]
        keep[:, -1] = True
        indices = np.empty((n_pairs, width), dtype=np.int64)
        indices[:, :-1] = targets[owner]
        indices[:, -1] = pair_target
        data = np.empty((n_pairs, width))
        data[:, :-1] = (layout.noise / k)[:, None]
        data[:, -1] = np.where(noisy, 1.0 - layout.noise, 1.0)
        indptr = np.zeros(n_pairs + 1, dtype=np.int64)
        np.cumsum(keep.sum(axis=1), out=indptr[1:])
        matrix = sp.csr_array((data[keep], indices[keep], indptr), shape=(n_pairs, n))
        matrix.sum_duplicates()
    merged = dict(metadata or {})
    merged["grid"] = layout
    if start is not None:
        merged["start"] = start
    return MDP.from_arrays(cells, actions, matrix, name=name, metadata=merged)


def render(mdp: MDP) -> str:
    """Draw a gridworld MDP as its ASCII map.

    Uses the layout recorded by :func:`parse` when there is one (so
    ``render(parse(text))`` gives back `text`); otherwise the map is inferred
    from ``(row, col)`` state labels: the bounding box of the states, walls
    elsewhere, ``T`` for terminal states and ``S`` for the ``start`` metadata.

    Parameters
    ----------
    mdp : MDP
        A gridworld, as :func:`from_map` or a ``.grid`` file builds it.

    Returns
    -------
    str

    Raises
    ------
    InvalidMDPError
        If a state is not a ``(row, col)`` pair of non-negative integers.

    Examples
    --------
    >>> from powerseek import MDP
    >>> mdp = MDP({(0, 0): {"right": (0, 1)}, (0, 1): {"stay": (0, 1)}, (1, 1): {"up": (0, 1)}})
    >>> print(render(mdp))
    .T
    #.
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    cells = [_as_cell(state) for state in mdp.states]
    layout = mdp.metadata.get("grid")
    if isinstance(layout, GridLayout):
        n_rows, n_cols = layout.shape
        marks = dict(layout.marks)
    else:
        n_rows = max(r for r, _ in cells) + 1
        n_cols = max(c for _, c in cells) + 1
        marks = {cell: "T" for cell in mdp.terminal_states()}
        if "start" in mdp.metadata:
            marks[mdp.metadata["start"]] = START
    grid = [[WALL] * n_cols for _ in range(n_rows)]
    for r, c in cells:
        if r >= n_rows or c >= n_cols:
            raise InvalidMDPError(
                f"state ({r}, {c}) lies outside the recorded {n_rows}x{n_cols} map."
            )
        grid[r][c] = marks.get((r, c), OPEN)
    return "\n".join("".join(row) for row in grid)


def named_cells(mdp: MDP) -> dict[str, tuple[tuple[int, int], ...]]:
    """Map each legend name (start, terminal and named cells) to its cells.

    Parameters
    ----------
    mdp : MDP
        A gridworld, as :func:`from_map` or a ``.grid`` file builds it.

    Returns
    -------
    dict of str to tuple of tuple
        Each name's cells ``(row, col)``, in row-major order.

    Examples
    --------
    >>> named_cells(parse("S.G\\n.#G", names={"G": "goal"}))
    {'start': ((0, 0),), 'goal': ((0, 2), (1, 2))}
    """
    if not isinstance(mdp.metadata.get("grid"), GridLayout):
        return {}
    return mdp.legend_names()


# ----------------------------------------------------------------------
# helpers


def _check_options(stay: Any, bump: Any, noise: Any) -> tuple[bool, str, float]:
    if not isinstance(stay, (bool, np.bool_)):
        raise InvalidTypeError(f"`stay` must be True or False; got {stay!r}.")
    if bump not in _BUMP_CONVENTIONS:
        raise InvalidParameterError(
            f"`bump` must be one of {', '.join(map(repr, _BUMP_CONVENTIONS))}; got {bump!r}."
        )
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise InvalidTypeError(f"`noise` must be a number in [0, 1]; got {noise!r}.")
    value = as_float(noise)
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InvalidParameterError(f"`noise` must be in [0, 1]; got {short_value(noise)}.")
    return bool(stay), str(bump), value


def _check_walls(walls: Any, cells: set) -> tuple[tuple[tuple[int, int], str], ...]:
    """Thin walls as sorted ((row, col), "down" | "right") between two open cells."""
    if walls is None:
        return ()
    if isinstance(walls, (str, bytes)) or not isinstance(walls, Iterable):
        raise InvalidTypeError(
            f"`walls` must be a list of (row, col, direction); got {short_value(walls)}."
        )
    out = set()
    for k, wall in enumerate(walls):
        ok = (
            isinstance(wall, (tuple, list)) and len(wall) == 3
            and all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in wall[:2])
            and wall[2] in _MOVES
        )  # fmt: skip
        if not ok:
            raise InvalidParameterError(
                f"`walls`[{k}] must be (row, col, direction) with direction one of "
                f"{', '.join(map(repr, _MOVES))}; got {short_value(wall)}."
            )
        r, c, direction = int(wall[0]), int(wall[1]), wall[2]
        dr, dc = _MOVES[direction]
        other = (r + dr, c + dc)
        if (r, c) not in cells or other not in cells:
            raise InvalidParameterError(
                f"`walls`[{k}] = ({r}, {c}, {direction!r}) must lie between two open cells; "
                f"({r}, {c}) and {other} are not both open."
            )
        out.add(((r, c), direction) if direction in ("down", "right") else
                (other, "down" if direction == "up" else "right"))  # fmt: skip
    return tuple(sorted(out))


def _split_rows(text: str | Iterable[str], source: str, first_line: int):
    if isinstance(text, str):
        lines = text.split("\n")
    elif isinstance(text, Iterable):
        lines = []
        for line in text:
            if not isinstance(line, str):
                raise InvalidTypeError(
                    f"A map must be a string or a list of strings; found {type(line).__name__} "
                    f"{line!r}."
                )
            lines.append(line)
    else:
        raise InvalidTypeError(
            f"A map must be a string or a list of strings; got {type(text).__name__}."
        )
    lines = [line.rstrip("\r") for line in lines]
    while lines and not lines[0].strip():
        lines.pop(0)
        first_line += 1
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise ParseError("the map is empty.", source=source, line=first_line)
    return lines, first_line


def _check_names(names: Mapping[str, str] | None, used: set[str], source: str):
    if names is None:
        return ()
    if not isinstance(names, Mapping):
        raise InvalidTypeError(
            f"`names` must map legend letters to names; got {type(names).__name__}."
        )
    pairs = []
    for letter, long_name in names.items():
        if not isinstance(letter, str) or len(letter) != 1 or letter == START:
            raise InvalidParameterError(
                f"`names` keys must be single legend letters other than 'S'; got {letter!r}."
            )
        if letter not in used:
            raise InvalidParameterError(
                f"`names` gives a name to {letter!r}, which the map ({source}) does not use."
            )
        if not isinstance(long_name, str) or not long_name:
            raise InvalidTypeError(
                f"the name of {letter!r} must be a non-empty string; got {long_name!r}."
            )
        # A name that reads as another label would make a state named on the command
        # line (--state, --dist "NAME=...") mean two cells, one of them silently.
        squeezed = "".join(long_name.split())
        if _CELL_TEXT.fullmatch(squeezed):
            raise InvalidParameterError(
                f"`names` gives {letter!r} the name {long_name!r}, which reads as a cell "
                "(row, col); give the letter a name that no cell has."
            )
        if squeezed == "start" or (squeezed in used and squeezed != letter):
            other = "the start cell" if squeezed == "start" else f"the letter {squeezed!r}"
            raise InvalidParameterError(
                f"`names` gives {letter!r} the name {long_name!r}, already the name of "
                f"{other}; give each legend mark its own name."
            )
        pairs.append((letter, long_name))
    return tuple(sorted(pairs))


#: A cell as printed, spaces removed: what a name must not read as.
_CELL_TEXT = re.compile(r"\(-?[0-9]+,-?[0-9]+\)", re.ASCII)


def _as_cell(state: Hashable) -> tuple[int, int]:
    if (
        isinstance(state, tuple)
        and len(state) == 2
        and all(
            isinstance(x, numbers.Integral) and not isinstance(x, bool) and x >= 0 for x in state
        )
    ):
        return int(state[0]), int(state[1])
    raise InvalidMDPError(
        f"only gridworld MDPs can be drawn as maps: their states are (row, col) cells. "
        f"State {quote(state)} is not."
    )
