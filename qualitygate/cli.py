"""The command line. Each command's work lives in ``qualitygate.commands.<name>``, imported inside the
command so that ``--help``, ``--version`` and the pre-push hook pay only for what they use."""

from __future__ import annotations

import os
from collections.abc import Callable

import click

from qualitygate import __version__
from qualitygate.errors import ExitCode, QualityGateError

KIND_NAMES = ("cobertura", "lcov", "junit", "radon", "sarif", "k6", "complexipy", "jscpd")


def _fail(message: str, code: int) -> int:
    click.echo(f"qualitygate: error: {message}", err=True)
    return code


def _guard(fn: Callable[[], int], debug: bool = False) -> int:
    """Run a command; map qualitygate errors to their exit codes and anything unexpected to INTERNAL."""
    try:
        return fn()
    except QualityGateError as exc:
        click.echo(f"qualitygate: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  tip: {exc.hint}", err=True)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as exc:  # the last line of defence: never a bare traceback
        if debug or os.environ.get("QUALITYGATE_DEBUG"):
            raise
        return _fail(
            f"internal error: {type(exc).__name__}: {exc} (run with QUALITYGATE_DEBUG=1 for the traceback)",
            int(ExitCode.INTERNAL),
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="qualitygate")
def cli() -> None:
    """One policy over every CI report (coverage, tests, complexity, security, k6), one verdict.

    Exit codes: 0 pass, 1 a gate failed, 2 usage or policy error, 3 unreadable input,
    4 GitHub API error, 5 internal error.
    """


@cli.command("parse")
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@click.option(
    "--kind", type=click.Choice(KIND_NAMES), help="Report kind; sniffed from the content if omitted."
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def parse_cmd(ctx: click.Context, file: str, kind: str | None, fmt: str) -> None:
    """Read one report and print its metrics."""
    from qualitygate.commands import parse

    ctx.exit(_guard(lambda: parse.run(file, kind, fmt)))


def main(argv: list[str] | None = None) -> int:
    try:
        rv = cli.main(args=argv, prog_name="qualitygate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        return _fail("aborted", 130)
    except click.ClickException as exc:
        exc.show()
        return int(ExitCode.USAGE)
    return rv if isinstance(rv, int) else 0
