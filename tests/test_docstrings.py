"""Docstrings as a contract: every public function documents its parameters and
what it returns, in numpydoc sections that the API reference renders."""

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import powerseek


def _public_functions():
    """Every function a public namespace or public module lists in ``__all__``."""
    seen = set()
    for info in pkgutil.walk_packages(powerseek.__path__, "powerseek."):
        if "._" in info.name or info.name.startswith("powerseek.cli"):
            continue  # private modules; the command line documents itself in --help
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", []):
            function = getattr(module, name)
            if inspect.isfunction(function) and id(function) not in seen:
                seen.add(id(function))
                yield f"{module.__name__}.{name}", function


FUNCTIONS = dict(_public_functions())


def _section(doc: str, *titles: str) -> bool:
    return any(re.search(rf"^{t}\n{'-' * len(t)}$", doc, re.M) for t in titles)


def _documented_parameters(doc: str) -> set[str]:
    """The names the Parameters section gives entries to (``a, b : type`` is two)."""
    match = re.search(r"^Parameters\n-{10}\n(.*?)(?=^\w[\w ]*\n-{3,}$|\Z)", doc, re.M | re.S)
    if match is None:
        return set()
    names = set()
    for line in match.group(1).splitlines():
        if line and not line[0].isspace():
            names |= {name.strip() for name in line.split(" : ")[0].split(",")}
    return names


def test_the_parameter_reader_reads_numpydoc():
    doc = "Sum.\n\nParameters\n----------\na, b : int\n    Terms.\n**kw\n\n"
    doc += "Returns\n-------\nc : int\n"
    assert _documented_parameters(doc) == {"a", "b", "**kw"}


def test_there_are_public_functions_to_check():
    assert len(FUNCTIONS) > 140


def test_every_public_function_documents_its_parameters():
    missing = []
    for name, function in FUNCTIONS.items():
        parameters = inspect.signature(function).parameters
        doc = inspect.getdoc(function) or ""
        if len(parameters) > 1 and not _section(doc, "Parameters"):
            missing.append(name)
            continue
        documented = _documented_parameters(doc)
        for parameter in parameters.values():
            shown = {
                inspect.Parameter.VAR_POSITIONAL: "*",
                inspect.Parameter.VAR_KEYWORD: "**",
            }.get(parameter.kind, "") + parameter.name
            if len(parameters) > 1 and shown not in documented:
                missing.append(f"{name}({shown})")
    assert not missing


def test_every_public_function_documents_what_it_returns():
    missing = [
        name
        for name, function in FUNCTIONS.items()
        if inspect.signature(function).return_annotation not in (None, "None", inspect._empty)
        and not _section(inspect.getdoc(function) or "", "Returns", "Yields")
    ]
    assert not missing


def test_no_other_parameters_sections():
    """Each parameter gets its own entry; "Other Parameters" once stood in for lists."""
    assert not [n for n, f in FUNCTIONS.items() if "Other Parameters" in (f.__doc__ or "")]


def test_shared_parameter_text_is_filled_in():
    """Placeholders of powerseek._docstrings never reach help() or the docs."""
    from powerseek.agents import Boltzmann, lotteries

    documented = [*FUNCTIONS.values(), Boltzmann.policy, lotteries.is_optimal]
    assert not [f for f in documented if "%(" in (f.__doc__ or "")]
    doc = inspect.getdoc(lotteries.satisfice)
    assert "u : array_like, shape (d,) or (m, d)\n    Utility functions" in doc
    assert "ctx : powerseek.analysis.engine.Context\n    One discount" in inspect.getdoc(
        Boltzmann.policy
    )


def test_an_unknown_shared_entry_is_an_error():
    from powerseek._docstrings import fill

    def f():
        """Nothing.

        Parameters
        ----------
        %(no_such_entry)s
        """

    with pytest.raises(KeyError, match="no_such_entry"):
        fill(f)


def test_the_reference_build_validates_parameters():
    """docs/conf.py keeps numpydoc's checks for missing, unknown and undescribed
    parameters on, so the Sphinx test (warnings as errors) fails on a new gap."""
    conf = (Path(powerseek.__file__).parents[1] / "docs" / "conf.py").read_text()
    assert re.search(r'numpydoc_validation_checks = \{"PR01", "PR02", "PR07"\}', conf)
