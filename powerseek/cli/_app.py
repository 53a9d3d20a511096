"""The ``powerseek`` command line.

Thin by design: it parses arguments, calls the library and prints. Every
command takes ``ENV``, a catalog name (``powerseek list``) or the path of an
environment file (``.toml``, ``.grid``, node-link ``.json`` or POWERplay ``.gv``). User mistakes
print one line, ``powerseek: error: ...``, to stderr and exit with status 1
(2 for a malformed command line), without a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from .._version import __version__
from ..exceptions import PowerseekError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.print_help()
        return 0
    caught: list[warnings.WarningMessage] = []
    try:
        # Warnings are held until the command ends: a failing command prints its
        # one-line error alone, a succeeding one its warnings after the output.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            status = args.run(args, sys.stdout)
        _print_warnings(caught)
        return status
    except PowerseekError as exc:
        print(f"powerseek: error: {_in_flags(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - output piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"powerseek: error: cannot access{where}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    except MemoryError:
        # the work bound (--max-work) refuses oversized runs up front; this is the net
        # for a bound raised past what this machine holds
        print(
            "powerseek: error: out of memory; use fewer samples, discounts or states, or a "
            "machine with more memory.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("powerseek: interrupted", file=sys.stderr)
        return 130


#: Library parameters and the command-line options that set them, for error messages.
_FLAGS = {
    "`time_limit`": "the time limit (--time-limit)",
    "`cpu_limit`": "the CPU-time limit (--cpu-limit)",
    "`workers` or `scheduler`": "--workers or --scheduler",
}


def _in_flags(message: str) -> str:
    """A library message with its parameter names told as command-line options."""
    for name, flag in _FLAGS.items():
        message = message.replace(name, flag)
    return message


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Each distinct warning once, as one line."""
    seen = set()
    for warning in caught:
        text = f"powerseek: warning: {warning.message}"
        if text not in seen:
            seen.add(text)
            print(text, file=sys.stderr)


def _build_parser() -> argparse.ArgumentParser:
    from . import _agents as cli_agents
    from . import _analysis as analysis
    from . import _batch as cli_sweep
    from . import _environments as environments
    from . import _explore as cli_explore
    from . import _impact as cli_impact
    from . import _measures as cli_measures
    from . import _multiagent as cli_multiagent
    from . import _plot as cli_plot
    from . import _rank as cli_rank
    from . import _side_effects as cli_side_effects
    from . import _symmetry as symmetry

    parser = argparse.ArgumentParser(
        prog="powerseek",
        description=(
            "Analyse power-seeking in Markov decision processes (Turner et al.). "
            "Start with `powerseek list` to see the bundled environments and "
            "`powerseek show ENV` to inspect one."
        ),
        epilog="Run `powerseek COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"powerseek {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    environments.add_parsers(commands)
    analysis.add_parsers(commands)
    cli_rank.add_parser(commands)
    symmetry.add_parsers(commands)
    cli_explore.add_parser(commands)
    cli_multiagent.add_parser(commands)
    cli_agents.add_parser(commands)
    cli_side_effects.add_parser(commands)
    cli_impact.add_parser(commands)
    cli_measures.add_parser(commands)
    cli_plot.add_parsers(commands)
    cli_sweep.add_parser(commands)
    return parser
