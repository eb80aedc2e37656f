"""Bad input ends a command with one line and exit status 2; ``--debug`` shows the traceback.

Every error raised because an input cannot be used (a missing file, a folder where a file was
expected, bytes that are not UTF-8, a record that breaks the schema, an output path that is a
file) is an :class:`InputError` — the subpackages' own errors derive from it — or an ``OSError``.
:func:`run`, the ``xxgk`` entry point, turns each into ``error: <file>: <cause>`` on stderr and
exit status 2. Status 1 stays "the command ran and found problems" (``corpus validate`` listing
them, ``extract --strict`` with failed inputs). Anything else is a bug: one line too, saying so.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import typer
from rich.console import Console

#: Exit status of a command stopped by bad input.
BAD_INPUT = 2

#: Where messages go: stderr, never wrapped (an error is one line however long its path).
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class InputError(Exception):
    """An input cannot be used; the message names it and says why."""


def describe(err: BaseException) -> str:
    """One line for an error: its first line, with the file named where Python knows it."""
    if isinstance(err, OSError) and err.filename is not None:
        cause = err.strerror or type(err).__name__
        return f"{err.filename}: {cause[0].lower() + cause[1:] if cause else cause}"
    if isinstance(err, UnicodeDecodeError):
        return f"not UTF-8 text ({err.reason} at byte {err.start})"
    lines = str(err).strip().splitlines() or [type(err).__name__]
    more = f" (and {len(lines) - 1} more line(s))" if len(lines) > 2 else ""
    head = lines[0] if len(lines) == 1 or not lines[0].endswith(":") else f"{lines[0]} {lines[1]}"
    return head + more


@contextmanager
def reported(*extra: type[BaseException]) -> Iterator[None]:
    """Inside a command: bad input (and the ``extra`` error types) ends it with one line on stderr
    and exit status 2, so that a command behaves the same called from tests or from the shell."""
    try:
        yield
    except (InputError, OSError, *extra) as err:
        err_console.print(f"[red]error:[/red] {describe(err)}")
        raise typer.Exit(BAD_INPUT) from err


def run(app: Callable[..., object], argv: Sequence[str] | None = None) -> None:
    """Run the typer ``app`` on ``argv`` (default ``sys.argv[1:]``): ``--debug`` anywhere lets
    tracebacks through; otherwise an error becomes one line on stderr and exit status 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    try:
        app(args=args, prog_name="xxgk")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted")
        raise SystemExit(130) from None
    except (InputError, OSError) as err:
        if debug:
            raise
        err_console.print(f"[red]error:[/red] {describe(err)}", markup=True)
        raise SystemExit(BAD_INPUT) from None
    except Exception as err:
        if debug:
            raise
        err_console.print(f"[red]error:[/red] unexpected {type(err).__name__}: {describe(err)} "
                          "(rerun with --debug for the traceback, and please report it)", markup=True)
        raise SystemExit(BAD_INPUT) from None
