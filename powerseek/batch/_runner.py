"""Batches: environments x distributions x sample counts x discounts, resumable, in one table.

A batch file (TOML) names what to compute::

    name = "grids"                           # optional, recorded in the table
    seed = 1                                 # base seed of every unit
    environments = ["powerplay-3x3", "my-room.grid"]   # catalog names or paths
    distributions = ["uniform", "beta(2, 1)"]           # --dist specs (default uniform)
    samples = [4000]                         # one or more sample counts
    gamma = [0, 0.5, 0.9, 1]                 # discounts, solved on common samples
    quantities = ["power", "optimality"]     # default ["power"]
    method = "auto"                          # solver (optional)
    tol = 1e-9                               # solver error bound, at most 1e-6 (optional)

Orbit comparisons and theorem checks are jobs of their own, as arrays of
tables::

    [[orbit]]                       # powerseek orbit: counts over an orbit
    environment = "candy-wait"
    state = "start"
    actions = ["wait", "candy"]     # or states = ["wait", "candy"]
    gamma = 1
    reward = [0, 0, 0.3, 0.5, 0.9]  # a point mass, or distribution = "SPEC"

    [[check]]                       # powerseek check: which theorems apply, verified
    environment = "turner-fig1"
    state = "start"
    actions = ["right", "left"]     # or states = [...]
    gamma = [0.1, 0.5, 0.9]
    samples = 2000

    [[multiagent]]                  # powerseek multiagent: a joint world of two agents
    environment = "joint.gv"
    other_policy = "uniform"        # the other agent's (fixed or seed) policy
    agent = "H"                     # the acting agent (default the first)
    gamma = [0.6]
    samples = 2000
    correlation = [0, 0.5, 1]       # optional: POWER of both agents per correlation

Each (environment, distribution, sample count, quantity) is a *work unit*,
computed over all discounts on common reward samples. A unit's seed is the
base seed's ``SeedSequence`` child with a spawn key hashed from the unit
itself, so it does not change when units are added, removed or reordered.
Finished units are written to ``DIR/units/`` atomically as they complete and
reused on a rerun, so an interrupted batch loses nothing; a stored unit is
reused only when everything its numbers depend on is unchanged
(:func:`unit_inputs`: the unit, the environment's content, the seeds, the
solver settings ``method`` and ``tol`` and the powerseek version), and
recomputed otherwise. The table
``DIR/results.csv`` (and ``results.parquet`` when pyarrow is installed) has
one row per (unit, γ, state[, action]); ``DIR/provenance.json`` records the
batch file, every unit's seed and the versions of the software.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "s.toml").write_text(
...     'seed = 1\\nenvironments = ["candy-wait"]\\nsamples = [500]\\ngamma = [0.5, 1]\\n')
>>> result = run_batch(read_batch(folder / "s.toml"), folder / "out")
>>> result.computed, result.reused, len(result.rows)
(1, 0, 10)
>>> run_batch(read_batch(folder / "s.toml"), folder / "out").reused
1
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._display import compact_repr
from .._progress import progress_bar
from .._provenance import software_versions
from .._validation import MAX_SOLVER_TOL, as_float, label_text, short_value
from ..exceptions import InvalidParameterError, ParseError, PowerseekError
from ..frames import Tabular, data_frame, require
from ..io import check_output_folder, is_file, write_bytes_atomic, write_text_atomic
from ..solvers import METHODS

__all__ = [
    "COLUMNS", "FILE_FIELDS", "QUANTITIES", "BatchResult", "BatchSpec", "Unit", "check_batch",
    "read_batch", "run_batch", "unit_inputs",
]  # fmt: skip

QUANTITIES = ("power", "optimality")
#: Columns of the results table, in order.
COLUMNS = (
    "batch", "environment", "distribution", "samples", "seed", "gamma", "quantity",
    "state", "action", "value", "stderr", "ci_low", "ci_high",
)  # fmt: skip
_KEYS = {
    "name", "seed", "environments", "distributions", "samples", "gamma", "quantities",
    "method", "tol", "max_work", "orbit", "check", "multiagent",
}  # fmt: skip
_JOB_KEYS = {
    "orbit": {"environment", "state", "states", "actions", "gamma", "reward", "distribution"},
    "check": {"environment", "state", "states", "actions", "gamma", "samples"},
    "multiagent": {
        "environment", "gamma", "samples", "distribution", "other_policy", "agent", "correlation",
    },
}  # fmt: skip


@dataclass(frozen=True)
class BatchSpec:
    """A parsed batch file.

    Attributes
    ----------
    name : str
        The batch's name.
    seed : int
        The base seed every unit's seed derives from.
    environments : tuple of str
        The environments, as names or files.
    distributions : tuple of str
        The reward distributions, in the ``--dist`` notation or as files.
    samples : tuple of int
        Sample counts.
    gammas : tuple of float
        The discount rates.
    quantities : tuple of str
        ``power`` and ``optimality``.
    base : str
        The folder the batch file is in; its relative paths start there.
    text : str
        The batch file's text, for error messages with line numbers.
    jobs : tuple
        The orbit, check and multi-agent jobs.
    method : str
        The solver method.
    tol : float
        The solver's error bound.

    """

    name: str
    seed: int
    environments: tuple[str, ...]
    distributions: tuple[str, ...]
    samples: tuple[int, ...]
    gammas: tuple[float, ...]
    quantities: tuple[str, ...]
    base: str = "."
    text: str = ""
    jobs: tuple = ()
    method: str = "auto"
    tol: float = 1e-9
    #: The most state-samples one unit may take (None: the default bound).
    max_work: float | None = None

    def units(self) -> list[Unit]:
        """The work units and jobs of the batch, in file order.

        The work units, in file order (environment, distribution, samples, quantity),
        then the orbit and check jobs.
        """
        return [
            Unit(env, dist, n, q, self.gammas)
            for env in self.environments
            for dist in self.distributions
            for n in self.samples
            for q in self.quantities
        ] + list(self.jobs)


@dataclass(frozen=True)
class Unit:
    """One work unit of a batch.

    Attributes
    ----------
    environment : str
        The environment, as a name or file.
    distribution : str
        The reward distribution.
    samples : int
        Sample count.
    quantity : str
        What the unit computes: ``power``, ``optimality`` or a job kind.
    gammas : tuple of float
        The discount rates.
    state : str
        The state of an orbit job.
    pair_kind : str
        ``states`` or ``actions``, for orbit and check jobs.
    pair : tuple of str
        The states or actions compared.
    reward : tuple of float
        The reward function of an orbit job.
    other_policy : str
        The other agent's policy, for multi-agent jobs.
    agent : str
        The agent whose POWER a multi-agent job computes.
    correlations : tuple of float
        The reward correlations of a correlation job.

    """

    environment: str
    distribution: str
    samples: int
    quantity: str
    gammas: tuple[float, ...]
    state: str = ""
    pair_kind: str = ""  # "states" or "actions", for orbit and check jobs
    pair: tuple[str, ...] = ()
    reward: tuple[float, ...] = ()
    other_policy: str = ""  # multiagent jobs
    agent: str = ""
    correlations: tuple[float, ...] = ()

    def definition(self) -> dict[str, Any]:
        """The unit as plain data (the multiagent fields only where set).

        Leaving unset fields out keeps the keys and seeds of earlier batch files' units.
        """
        data = asdict(self)
        for name in ("other_policy", "agent", "correlations"):
            if not data[name]:
                del data[name]
        return data

    @property
    def key(self) -> str:
        """A stable identifier: a hash of what the unit computes."""
        text = json.dumps(self.definition(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def seed(self, base: int) -> int:
        """The unit's seed: the base seed's SeedSequence child keyed by the unit's hash.

        Parameters
        ----------
        base : int
            The batch's base seed.

        """
        digest = int(self.key, 16)
        spawn_key = (digest >> 32, digest & 0xFFFFFFFF)
        sequence = np.random.SeedSequence(base, spawn_key=spawn_key)
        return int(sequence.generate_state(1, np.uint64)[0])


@compact_repr
@dataclass
class BatchResult(Tabular):
    """What a batch computed and where it went.

    Attributes
    ----------
    rows : list of dict
        One row per result, as in ``results.csv``.
    computed : int
        Units computed in this run.
    reused : int
        Units read from earlier runs.
    directory : pathlib.Path
        The output folder.
    files : list of pathlib.Path
        The files written.

    """

    rows: list[dict[str, Any]]
    computed: int
    reused: int
    directory: Path
    files: list[Path] = field(default_factory=list)
    #: Of the computed units, how many had been stored with other inputs.
    recomputed: int = 0
    #: Why they were recomputed: the changed input's name -> how many units.
    reasons: dict[str, int] = field(default_factory=dict)

    def to_frame(self):
        """The results table (``DIR/results.csv``) as a pandas DataFrame.

        The power and optimality rows have :data:`COLUMNS`, the names
        :meth:`powerseek.PowerResult.to_frame` uses; orbit and check rows add
        their own columns.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        names = list(COLUMNS) + sorted({k for row in self.rows for k in row} - set(COLUMNS))
        columns = {name: [row.get(name) for row in self.rows] for name in names}
        return columns, {"directory": str(self.directory)}

    def to_xarray(self, quantity: str = "power"):
        """One quantity's rows as an xarray Dataset with dims (..., gamma, state).

        Parameters
        ----------
        quantity : {"power", "optimality"}
            Optimality adds an ``action`` dimension.

        Returns
        -------
        xarray.Dataset
            ``value``, ``stderr``, ``ci_low``, ``ci_high`` over the dims
            ``environment``, ``distribution``, ``samples``, ``gamma``, ``state``
            (and ``action``); NaN where a combination was not computed (states
            differ between environments).
        """
        if quantity not in QUANTITIES:
            raise InvalidParameterError(
                f"`quantity` must be one of {', '.join(QUANTITIES)}; got {quantity!r}."
            )
        require("xarray")
        frame = self.to_frame()
        frame = frame[frame["quantity"] == quantity]
        dims = ["environment", "distribution", "samples", "gamma", "state"]
        if quantity == "optimality":
            dims.append("action")
        data = frame.set_index(dims)[["value", "stderr", "ci_low", "ci_high"]].astype(float)
        dataset = data.to_xarray()
        dataset.attrs.update(directory=str(self.directory), quantity=quantity)
        return dataset


def _fail(
    message: str, path: Path, text: str, key: str | None = None, line: int | None = None
) -> ParseError:
    if key is not None:
        for number, content in enumerate(text.splitlines(), 1):
            if content.strip().startswith(key):
                line = number
                break
    return ParseError(message, source=str(path), line=line)


def read_batch(path: str | Path) -> BatchSpec:
    """Read and check a batch file; errors name the file, the key and its line.

    Parameters
    ----------
    path : str or pathlib.Path
        The batch file.

    Returns
    -------
    BatchSpec
    """
    from ..io import parse_document, read_text

    path = Path(path)
    text = read_text(path, "a batch file")
    batch = _Document(parse_document(text, str(path)), path, text)
    unknown = sorted(set(batch.doc) - _KEYS)
    if unknown:
        raise batch.fail(
            f"unknown key {unknown[0]!r}; a batch file holds {', '.join(sorted(_KEYS))}.",
            unknown[0],
        )
    quantities = batch.strings("quantities", ["power"])
    wrong = [q for q in quantities if q not in QUANTITIES]
    if wrong:
        raise batch.fail(
            f"unknown quantity {wrong[0]!r}; use {' or '.join(QUANTITIES)}.", "quantities"
        )
    seed, method, tol, max_work = _settings(batch)
    jobs = _jobs(batch)
    grid = "environments" in batch.doc or not jobs  # a file of jobs alone needs no grid
    return BatchSpec(
        name=str(batch.doc.get("name", path.stem)),
        seed=seed,
        environments=batch.strings("environments") if grid else (),
        distributions=batch.strings("distributions", ["uniform"]),
        samples=(
            batch.numbers("samples", int, lambda n: n >= 2, "sample counts of at least 2")
            if grid
            else ()
        ),
        gammas=tuple(
            float(g)
            for g in (
                batch.numbers("gamma", (int, float), lambda g: 0 <= g <= 1, "discounts in [0, 1]")
                if grid
                else ()
            )
        ),
        quantities=quantities,
        base=str(path.parent),
        text=text,
        jobs=tuple(jobs),
        method=method,
        tol=float(tol),
        max_work=None if max_work is None else as_float(max_work),
    )


class _Document:
    """A batch file's TOML document, with readers whose errors name the file, key and line."""

    def __init__(self, doc: dict, path: Path, text: str) -> None:
        self.doc, self.path, self.text = doc, path, text

    def fail(self, message: str, key: str | None = None, *, line: int | None = None):
        return _fail(message, self.path, self.text, key, line)

    def strings(self, key: str, default: list | None = None) -> tuple:
        """A non-empty list of names (one name stands for a list of one), no repeats."""
        value = self.doc.get(key, default)
        if value is None:
            raise self.fail(f"{key!r} is required: a list of names.")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key!r} must be a non-empty list of strings.", key)
        _refuse_repeats(key, value, self.path, self.text)
        return tuple(value)

    def numbers(self, key: str, kind: Any, check: Any, what: str) -> tuple:
        """A non-empty list of numbers of `kind` that pass `check`, no repeats."""
        value = self.doc.get(key)
        if value is None:
            raise self.fail(f"{key!r} is required: {what}.")
        if not isinstance(value, list):
            value = [value]
        if not value or not all(isinstance(v, kind) and not isinstance(v, bool) for v in value):
            raise self.fail(f"{key!r} must be {what}; got {value!r}.", key)
        bad = [v for v in value if not check(v)]
        if bad:
            raise self.fail(f"{key!r} must be {what}; got {short_value(bad[0])}.", key)
        _refuse_repeats(key, value, self.path, self.text)
        return tuple(value)


def _settings(batch: _Document) -> tuple[int, str, Any, Any]:
    """The seed, solver method, solver tolerance and work bound of a batch file."""
    seed = batch.doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise batch.fail(f"'seed' must be a non-negative integer; got {seed!r}.", "seed")
    method = batch.doc.get("method", "auto")
    if method not in METHODS:
        raise batch.fail(f"'method' must be one of {', '.join(METHODS)}; got {method!r}.", "method")
    tol = batch.doc.get("tol", 1e-9)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol <= MAX_SOLVER_TOL:
        raise batch.fail(
            f"'tol' (the solver tolerance) must be a number in (0, {MAX_SOLVER_TOL:g}]; got "
            f"{tol!r}.",
            "tol",
        )
    max_work = batch.doc.get("max_work")
    if max_work is not None and (
        isinstance(max_work, bool)
        or not isinstance(max_work, (int, float))
        or not as_float(max_work) >= 0
    ):
        raise batch.fail(
            "'max_work' (the most state-samples a unit may take) must be a non-negative "
            f"number; got {short_value(max_work)}.",
            "max_work",
        )
    return seed, method, tol, max_work


def _jobs(batch: _Document) -> list[Unit]:
    """The orbit, check and multiagent jobs, in file order; a job given twice is refused."""
    jobs, wheres = [], []
    for kind in ("orbit", "check", "multiagent"):
        tables = batch.doc.get(kind, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise batch.fail(f"{kind!r} must be an array of tables: [[{kind}]].", kind)
        for number, table in enumerate(tables, 1):
            read = _multiagent_job if kind == "multiagent" else _job
            jobs.append(read(kind, number, table, batch.path, batch.text))
            wheres.append((f"[[{kind}]] number {number}", _job_line(batch.text, kind, number)))
    seen: dict[Unit, str] = {}
    for job, (where, line) in zip(jobs, wheres):
        if job in seen:
            raise batch.fail(
                f"{where} repeats {seen[job]}: the same job twice would give the same rows "
                "twice; remove one.",
                line=line,
            )
        seen[job] = where
    return jobs


def _refuse_repeats(key: str, values: list, path: Path, text: str, fail=None) -> None:
    """Refuse a list that names one entry twice: its units would repeat their rows.

    `fail` makes the error of a job's key (with its table's line); by default the
    error names the line of the top-level `key`.
    """
    seen = set()
    for value in values:
        # 0.5 and 0.50 are one discount; 1 and 1.0 too
        same = as_float(value) if isinstance(value, (int, float)) else value
        if same in seen:
            message = (
                f"{key!r} lists {short_value(value)!s} twice; each entry gives its own rows, "
                "so a repeat would duplicate them: remove it."
            )
            raise fail(message) if fail is not None else _fail(message, path, text, key)
        seen.add(same)


def _job_line(text: str, kind: str, number: int) -> int | None:
    """1-based line of the `number`-th ``[[kind]]`` header."""
    header = re.compile(r"^\s*\[\[\s*" + re.escape(kind) + r"\s*\]\]")
    seen = 0
    for line, content in enumerate(text.splitlines(), 1):
        if header.match(content):
            seen += 1
            if seen == number:
                return line
    return None


def _job_start(kind: str, number: int, table: dict, path: Path, text: str):
    """Where a job table is (for messages), its environment, and its error maker.

    The error maker gives a ParseError naming the file and the line of the
    table's ``[[kind]]`` header. Unknown keys are refused here.
    """
    where = f"[[{kind}]] number {number}"
    line = _job_line(text, kind, number)

    def fail(message: str) -> ParseError:
        return _fail(message, path, text, line=line)

    unknown = sorted(set(table) - _JOB_KEYS[kind])
    if unknown:
        raise fail(
            f"{where}: unknown key {unknown[0]!r}; it holds {', '.join(sorted(_JOB_KEYS[kind]))}."
        )
    environment = table.get("environment")
    if not isinstance(environment, str):
        raise fail(f"{where}: 'environment' (a name or file) is required.")
    return where, environment, fail


def _job_samples(table: dict, where: str, fail) -> int:
    samples = table.get("samples", 2000)
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise fail(f"{where}: 'samples' must be an integer of at least 2.")
    return samples


def _job(kind: str, number: int, table: dict, path: Path, text: str) -> Unit:
    where, environment, fail = _job_start(kind, number, table, path, text)
    if ("actions" in table) == ("states" in table):
        raise fail(f"{where}: give either actions = [A1, A2] or states = [S1, S2].")
    pair_kind = "actions" if "actions" in table else "states"
    pair = table[pair_kind]
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
        raise fail(f"{where}: {pair_kind!r} must be two names; got {pair!r}.")
    state = table.get("state", "")
    if (
        pair_kind == "actions"
        and not isinstance(state, str)
        or (pair_kind == "actions" and not state)
    ):
        raise fail(f'{where}: actions need the state they belong to: state = "S".')
    gammas = table.get("gamma", 0.9 if kind == "orbit" else [0.1, 0.5, 0.9])
    gammas = gammas if isinstance(gammas, list) else [gammas]
    if (
        not gammas
        or not all(isinstance(g, (int, float)) and not isinstance(g, bool) for g in gammas)
        or not all(0 <= g <= 1 for g in gammas)
        or (kind == "orbit" and len(gammas) != 1)
    ):
        what = "one discount in [0, 1]" if kind == "orbit" else "discounts in [0, 1]"
        raise fail(f"{where}: 'gamma' must be {what}; got {short_value(table.get('gamma'))}.")
    _refuse_repeats("gamma", gammas, path, text, lambda message: fail(f"{where}: {message}"))
    reward, distribution, samples = (), "", 0
    if kind == "orbit":
        if ("reward" in table) == ("distribution" in table):
            raise fail(f'{where}: give either reward = [one per state] or distribution = "SPEC".')
        if "reward" in table:
            values = table["reward"]
            if not isinstance(values, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values
            ):
                raise fail(f"{where}: 'reward' must be a list of numbers.")
            reward = tuple(as_float(v) for v in values)
            infinite = [v for v, r in zip(values, reward) if not math.isfinite(r)]
            if infinite:
                raise fail(
                    f"{where}: 'reward' must be finite numbers; got {short_value(infinite[0])}."
                )
        else:
            distribution = str(table["distribution"])
    else:
        samples = _job_samples(table, where, fail)
    return Unit(
        environment, distribution, samples, kind, tuple(float(g) for g in gammas),
        state, pair_kind, tuple(pair), reward,
    )  # fmt: skip


def _multiagent_job(kind: str, number: int, table: dict, path: Path, text: str) -> Unit:
    where, environment, fail = _job_start(kind, number, table, path, text)
    gammas = table.get("gamma", [0.6])
    gammas = gammas if isinstance(gammas, list) else [gammas]
    correlations = table.get("correlation", [])
    correlations = correlations if isinstance(correlations, list) else [correlations]

    def numbers_in(values, low, high):
        return all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and low <= v <= high
            for v in values
        )

    if not gammas or not numbers_in(gammas, 0, 1) or (correlations and len(gammas) != 1):
        what = "one discount in (0, 1)" if correlations else "discounts in [0, 1]"
        raise fail(f"{where}: 'gamma' must be {what}; got {short_value(table.get('gamma'))}.")
    _refuse_repeats("gamma", gammas, path, text, lambda message: fail(f"{where}: {message}"))
    _refuse_repeats(
        "correlation", correlations, path, text, lambda message: fail(f"{where}: {message}")
    )
    if not numbers_in(correlations, -1, 1):
        raise fail(
            f"{where}: 'correlation' must be numbers in [-1, 1]; got "
            f"{short_value(table['correlation'])}."
        )
    samples = _job_samples(table, where, fail)
    defaults = (("other_policy", "uniform"), ("agent", ""), ("distribution", "uniform"))
    strings = {key: table.get(key, default) for key, default in defaults}
    for key, value in strings.items():
        if not isinstance(value, str):
            raise fail(f"{where}: {key!r} must be a string; got {value!r}.")
    return Unit(
        environment, strings["distribution"], samples, kind, tuple(float(g) for g in gammas),
        other_policy=strings["other_policy"], agent=strings["agent"] or "",
        correlations=tuple(float(c) for c in correlations),
    )  # fmt: skip


#: The fields of a unit that may name a file, with the suffixes that make a value a file
#: name (None: any value with a suffix that names an existing file). Every file a unit
#: reads is named by one of these, and its contents enter the unit's inputs.
FILE_FIELDS: dict[str, tuple[str, ...] | None] = {
    "environment": None,
    "distribution": (".toml",),
    "other_policy": (".gv", ".dot"),
}


def _input_file(field_name: str, value: str, base: str) -> Path | None:
    """The file a unit's field names, resolved against the batch file's folder, or None.

    A relative name is looked up beside the batch file first, then in the
    working directory, as the environments always were.
    """
    suffixes = FILE_FIELDS[field_name]
    if not value or not Path(value).suffix:
        return None
    if suffixes is not None and Path(value).suffix.lower() not in suffixes:
        return None
    for candidate in (Path(base) / value, Path(value)):
        if is_file(candidate):
            return candidate
    return None if suffixes is None else Path(base) / value


def _file_digests(unit: Unit, base: str) -> dict[str, str]:
    """SHA-256 of the contents of every file the unit reads, by field name."""
    digests = {}
    for name in FILE_FIELDS:
        path = _input_file(name, getattr(unit, name), base)
        if path is None:
            continue
        try:
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise ParseError(f"cannot read the file: {exc.strerror}.", source=str(path)) from None
    return digests


def _environment(name: str, base: str):
    from ..io import load

    path = _input_file("environment", name, base)
    return load(str(path) if path is not None else name)


def _distribution(name: str, base: str, mdp):
    from ..rewards import parse_distribution

    path = _input_file("distribution", name, base)
    return parse_distribution(str(path) if path is not None else name, mdp)


def run_unit(unit: Unit, spec: BatchSpec, mdp=None) -> list[dict[str, Any]]:
    """Compute one unit (on `mdp`, by default loaded from its name) and return its rows."""
    from ..analysis import optimality_sweep, power_sweep

    if mdp is None:
        mdp = _environment(unit.environment, spec.base)
    seed = unit.seed(spec.seed)
    solver = {"method": spec.method, "tol": spec.tol}
    if unit.quantity in ("orbit", "check"):
        return _run_job(unit, spec, mdp, seed)
    if unit.quantity == "multiagent":
        return _run_multiagent(unit, spec, mdp, seed)
    dist = _distribution(unit.distribution, spec.base, mdp)
    head = _row_head(unit, spec, dist, seed)
    rows = []
    if unit.quantity == "power":
        result = power_sweep(
            mdp, list(unit.gammas), dist=dist, n_samples=unit.samples, rng=seed, **solver
        )
        for gamma, estimate in zip(result.gammas, result.estimates):
            for i, state in enumerate(result.states):
                rows.append(
                    {**head, "gamma": gamma, "quantity": "power", "state": label_text(state),
                     "action": "", **_stats(estimate, i)}
                )  # fmt: skip
    else:
        results = optimality_sweep(
            mdp, list(unit.gammas), dist=dist, n_samples=unit.samples, rng=seed, **solver
        )
        for result in results:
            k = 0
            for state, actions in zip(result.states, result.actions):
                for action in actions:
                    rows.append(
                        {**head, "gamma": result.gamma, "quantity": "optimality",
                         "state": label_text(state), "action": label_text(action),
                         **_stats(result.estimate, k)}
                    )  # fmt: skip
                    k += 1
    return rows


def _row_head(unit: Unit, spec: BatchSpec, dist, seed: int) -> dict[str, Any]:
    """The columns a unit's rows share: batch, environment, distribution, samples, seed."""
    return {
        "batch": spec.name,
        "environment": unit.environment,
        "distribution": dist.describe(),
        "samples": unit.samples,
        "seed": seed,
    }


def _run_job(unit: Unit, spec: BatchSpec, mdp, seed: int) -> list[dict[str, Any]]:
    """An orbit comparison or a theorem check, as table rows."""
    from ..mdp import parse_action, parse_state
    from ..rewards import FiniteSupport
    from ..symmetry import (
        action_optimality,
        check_actions,
        check_states,
        compare_over_orbit,
        power_of,
    )

    nan = float("nan")
    if unit.pair_kind == "actions":
        state = parse_state(mdp, unit.state)
        a, b = (parse_action(mdp, state, x) for x in unit.pair)
        subject, pair = label_text(state), f"{label_text(a)} vs {label_text(b)}"
    else:
        state = None
        a, b = (parse_state(mdp, x) for x in unit.pair)
        subject, pair = f"{label_text(a)} vs {label_text(b)}", ""
    head = {"batch": spec.name, "environment": unit.environment, "seed": seed, "state": subject}
    if unit.quantity == "orbit":
        gamma = unit.gammas[0]
        if unit.reward:
            if len(unit.reward) != mdp.n_states:
                raise InvalidParameterError(
                    f"the orbit job on {unit.environment} gives {len(unit.reward)} rewards; "
                    f"it has {mdp.n_states} states."
                )
            dist = FiniteSupport([list(unit.reward)])
        else:
            dist = _distribution(unit.distribution, spec.base, mdp)
        if state is None:
            f1, f2 = power_of(mdp, a, gamma), power_of(mdp, b, gamma)
        else:
            f1 = action_optimality(mdp, state, a, gamma)
            f2 = action_optimality(mdp, state, b, gamma)
        result = compare_over_orbit(mdp, dist, f1, f2, rng=seed)
        head.update(distribution=dist.describe(), samples=result.orbit_size, gamma=gamma)
        blank = {"stderr": nan, "ci_low": nan, "ci_high": nan, "action": pair}
        return [
            {**head, **blank, "quantity": f"orbit {name}", "value": float(value)}
            for name, value in (
                ("greater", result.greater), ("less", result.less), ("equal", result.equal),
                ("share", result.fraction),
            )
        ]  # fmt: skip
    options = {"gammas": unit.gammas, "n_samples": unit.samples, "rng": seed}
    if state is None:
        report = check_states(mdp, a, b, **options)
    else:
        report = check_actions(mdp, state, a, b, **options)
    rows = []
    for check in report.checks:
        value = nan if not check.applies else (0.0 if check.failed else 1.0)
        rows.append(
            {**head, "distribution": "", "samples": unit.samples, "gamma": nan,
             "quantity": "check", "action": f"{check.theorem}" + (f" ({pair})" if pair else ""),
             "value": value, "stderr": nan, "ci_low": nan, "ci_high": nan}
        )  # fmt: skip
    return rows


def _policy_of(unit: Unit, spec: BatchSpec, joint, agent: str):
    from ..multiagent import resolve_policy

    path = _input_file("other_policy", unit.other_policy, spec.base)
    policy = str(path) if path is not None else unit.other_policy
    return resolve_policy(joint, joint.other(agent), policy)


def _run_multiagent(unit: Unit, spec: BatchSpec, mdp, seed: int) -> list[dict[str, Any]]:
    """A multiagent job: POWER of one agent (fixed policy) or of both (per correlation)."""
    from ..multiagent import JointMDP, correlation_sweep, fixed_policy_power_sweep

    joint = JointMDP.from_mdp(mdp)
    agent = unit.agent or joint.agents[0]
    dist = _distribution(unit.distribution, spec.base, mdp)
    policy = _policy_of(unit, spec, joint, agent)
    head = _row_head(unit, spec, dist, seed)
    rows = []
    if not unit.correlations:
        result = fixed_policy_power_sweep(
            joint, list(unit.gammas), other_policy=policy, agent=agent, dist=dist,
            n_samples=unit.samples, rng=seed, method=spec.method, tol=spec.tol,
        )  # fmt: skip
        for gamma, estimate in zip(result.gammas, result.estimates):
            for i, state in enumerate(result.states):
                rows.append(
                    {**head, "gamma": gamma, "quantity": "multiagent power",
                     "state": label_text(state), "action": agent, **_stats(estimate, i)}
                )  # fmt: skip
        return rows
    result = correlation_sweep(
        joint, list(unit.correlations), unit.gammas[0], seed_policy=policy, dist=dist,
        n_samples=unit.samples, rng=seed,
    )  # fmt: skip
    for c, first, second in zip(result.correlations, result.power_first, result.power_second):
        for name, estimate in zip(joint.agents, (first, second)):
            for i, state in enumerate(result.states):
                rows.append(
                    {**head, "gamma": result.gamma,
                     "quantity": f"multiagent power at correlation {c:g}",
                     "state": label_text(state), "action": name, **_stats(estimate, i)}
                )  # fmt: skip
    return rows


def _check_job(job: Unit, spec: BatchSpec, mdp) -> None:
    """Labels, rewards and distributions of a job, checked before any work."""
    from ..mdp import parse_action, parse_state

    if job.quantity == "multiagent":
        from ..multiagent import JointMDP

        joint = JointMDP.from_mdp(mdp)
        agent = job.agent or joint.agents[0]
        joint.agent_index(agent)
        _policy_of(job, spec, joint, agent)
        _distribution(job.distribution, spec.base, mdp)
        return

    if job.pair_kind == "actions":
        state = parse_state(mdp, job.state)
        for action in job.pair:
            parse_action(mdp, state, action)
    else:
        for state in job.pair:
            parse_state(mdp, state)
    if job.quantity == "orbit" and job.reward and len(job.reward) != mdp.n_states:
        raise InvalidParameterError(
            f"the orbit job on {job.environment} gives {len(job.reward)} rewards; it has "
            f"{mdp.n_states} states."
        )
    if job.quantity == "orbit" and not job.reward:
        _distribution(job.distribution, spec.base, mdp)


def _check_unit_work(unit: Unit, spec: BatchSpec, mdp) -> None:
    """Refuse a unit larger than the batch's work bound, before any unit runs."""
    from ..budget import check_work

    if unit.quantity == "orbit":  # one point mass or the default sample count: small
        return
    runs, what = len(unit.gammas), "discounts"
    if unit.correlations:
        runs, what = 2 * len(unit.correlations), "solves (two per correlation)"
    where = f"the unit {unit.quantity} on {unit.environment}: "
    try:
        check_work(
            mdp.n_states, unit.samples, runs, spec.max_work, runs=what, option="max_work",
            raise_with="set max_work = {work} in the batch file",
        )  # fmt: skip
    except InvalidParameterError as exc:
        raise InvalidParameterError(where + str(exc)) from None


def _stats(estimate, k: int) -> dict[str, float]:
    return {
        "value": float(estimate.mean[k]),
        "stderr": float(estimate.stderr[k]),
        "ci_low": float(estimate.ci_low[k]),
        "ci_high": float(estimate.ci_high[k]),
    }


def unit_inputs(unit: Unit, spec: BatchSpec, mdp) -> dict[str, Any]:
    """Everything a unit's numbers depend on, as plain JSON values.

    A finished unit is reused only when its stored inputs equal these: the
    unit itself (environment name, distribution, samples, discounts, quantity,
    job labels), the digest of the loaded environment's dynamics
    (:meth:`MDP.digest`, so an edited file counts, whatever its name), the
    SHA-256 of the contents of every file the unit reads (each field of
    :data:`FILE_FIELDS` that names a file: environment, distribution, the other
    agent's policy), the batch's base seed and the unit's seed, the solver
    settings and the version of powerseek.

    Parameters
    ----------
    unit : Unit
        The work unit.
    spec : BatchSpec
        The batch the unit belongs to (for its base seed and solver settings).
    mdp : MDP
        The unit's environment as loaded.

    Returns
    -------
    dict
        JSON-ready values; equal dicts mean the stored unit can be reused.
    """
    from .. import _version

    files = _file_digests(unit, spec.base)
    return json.loads(
        json.dumps(
            {
                "unit": unit.definition(),
                "environment": mdp.digest(),
                # only where the unit reads files, so that the stored units of
                # catalog worlds keep their inputs
                **({"files": files} if files else {}),
                "base_seed": spec.seed,
                "seed": unit.seed(spec.seed),
                # orbit and check jobs run the solvers at their defaults
                "solver": (
                    {"method": spec.method, "tol": spec.tol}
                    if unit.quantity in (*QUANTITIES, "multiagent")
                    else None
                ),
                "powerseek": _version.__version__,
            }
        )
    )  # tuples as JSON lists


#: What each input is called when a stored unit is recomputed because of it.
_INPUT_NAMES = {
    "unit": "the unit's definition changed",
    "environment": "the environment's content changed",
    "files": "a file the unit reads changed",
    "base_seed": "the seed changed",
    "seed": "the seed changed",
    "solver": "the solver settings changed",
    "powerseek": "the powerseek version changed",
}


def _finished(path: Path, inputs: dict[str, Any]) -> tuple[list | None, str | None]:
    """The stored rows of a unit if its inputs match, else (None, why not).

    The reason is None for a unit never computed, else what made the stored
    one stale: the first input that changed, or an unreadable file.
    """
    if not path.exists():
        return None, None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, "the stored file was unreadable"
    if not isinstance(stored, dict) or not isinstance(stored.get("rows"), list):
        return None, "the stored file was unreadable"
    previous = stored.get("inputs")
    if not isinstance(previous, dict):
        return None, "the stored file recorded no inputs"
    for key in [*inputs, *(key for key in previous if key not in inputs)]:
        if previous.get(key) != inputs.get(key):
            return None, _INPUT_NAMES.get(key, "the stored file recorded other inputs")
    return stored["rows"], None


def check_batch(spec: BatchSpec) -> dict[str, Any]:
    """Load a batch's environments and check everything its units need, before any work.

    Every environment loads, every distribution parses on it, every job's
    labels, policies and rewards fit its environment, and no unit exceeds the
    work bound (``max_work``). :func:`run_batch` calls this first, so that a
    mistake in the last unit is reported before the first one runs.

    Parameters
    ----------
    spec : BatchSpec
        From :func:`read_batch`.

    Returns
    -------
    dict
        Environment name -> loaded MDP. Each is loaded once: the same object
        is checked, keyed and computed on, so a file edited while the batch
        runs cannot slip in.
    """
    environments: dict[str, Any] = {}
    for name in list(spec.environments) + [job.environment for job in spec.jobs]:
        if name not in environments:
            environments[name] = _environment(name, spec.base)
    for environment in spec.environments:
        for dist in spec.distributions:
            _distribution(dist, spec.base, environments[environment])
    for job in spec.jobs:
        _check_job(job, spec, environments[job.environment])
    for unit in spec.units():
        _check_unit_work(unit, spec, environments[unit.environment])
    return environments


def run_batch(
    spec: BatchSpec,
    directory: str | Path,
    *,
    executor: Any = None,
    progress: bool | None = False,
    command: str | None = None,
) -> BatchResult:
    """Run (or finish) a batch into `directory`; return its rows and what was reused.

    Parameters
    ----------
    spec : BatchSpec
        From :func:`read_batch`.
    directory : str or Path
        The output folder; created if needed (not the folders above it).
    executor : concurrent.futures.Executor, optional
        Runs the units in parallel (see :mod:`powerseek.parallel`); finished
        units are saved as they complete, whatever the order.
    progress : bool or None, default False
        A progress bar over the units (None: only on a terminal).
    command : str, optional
        The command line, recorded in ``provenance.json``.

    Returns
    -------
    BatchResult
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise InvalidParameterError(f"{str(directory)!r} exists and is not a folder.")
    units = spec.units()
    environments = check_batch(spec)
    check_output_folder(directory)
    (directory / "units").mkdir(parents=True, exist_ok=True)
    paths = [directory / "units" / f"{unit.key}.json" for unit in units]
    inputs = [unit_inputs(u, spec, environments[u.environment]) for u in units]
    rows: list[list | None] = []
    stale: dict[str, int] = {}
    for path, unit_inputs_ in zip(paths, inputs):
        found, reason = _finished(path, unit_inputs_)
        rows.append(found)
        if reason is not None:
            stale[reason] = stale.get(reason, 0) + 1
    todo = [i for i, r in enumerate(rows) if r is None]
    with progress_bar(progress, total=len(todo), desc=spec.name, unit="unit") as bar:

        def keep(i: int, unit_rows: list) -> None:
            # a file edited while its unit ran would store numbers under the old
            # contents' key: refuse rather than keep them
            if _file_digests(units[i], spec.base) != inputs[i].get("files", {}):
                raise InvalidParameterError(
                    f"a file read by the unit {units[i].key} ({units[i].environment}) changed "
                    "while it ran; run the batch again."
                )
            document = {"unit": asdict(units[i]), "inputs": inputs[i], "rows": unit_rows}
            write_text_atomic(paths[i], json.dumps(document))
            rows[i] = unit_rows
            bar.update(1)

        def job(i: int):
            return (run_unit, units[i], spec, environments[units[i].environment])

        if executor is None:
            for i in todo:
                function, *arguments = job(i)
                keep(i, function(*arguments))
        else:
            from concurrent.futures import as_completed

            futures = {executor.submit(*job(i)): i for i in todo}
            try:
                for future in as_completed(futures):
                    keep(futures[future], future.result())
            except PowerseekError:
                for future in futures:
                    future.cancel()
                raise
    table = [row for unit_rows in rows for row in unit_rows]
    files = [write_text_atomic(directory / "results.csv", _csv(table))]
    files += _parquet(table, directory)
    provenance = {
        "batch": spec.name,
        "batch_file": spec.text,
        "command": command,
        "seed": spec.seed,
        "solver": {"method": spec.method, "tol": spec.tol},
        "units": [
            {**asdict(u), "key": u.key, "seed": u.seed(spec.seed), "inputs": i}
            for u, i in zip(units, inputs)
        ],
        "versions": software_versions(),
    }
    files.append(write_text_atomic(directory / "provenance.json", json.dumps(provenance, indent=2)))
    return BatchResult(
        table, len(todo), len(units) - len(todo), directory, files, sum(stale.values()), stale
    )


def _csv(table: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in table:  # floats to the last bit; missing numbers (NaN) as empty cells
        writer.writerow(
            {k: ("" if v != v else repr(v)) if isinstance(v, float) else v for k, v in row.items()}
        )
    return buffer.getvalue()


def _parquet(table: Sequence[dict[str, Any]], directory: Path) -> list[Path]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return []
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(list(table)), buffer)
    return [write_bytes_atomic(directory / "results.parquet", buffer.getvalue().to_pybytes())]
