"""``qualitygate hook install|uninstall|status``: the local pre-push hook (work: :mod:`qualitygate.hook`)."""

from __future__ import annotations

import click

from qualitygate import hook
from qualitygate.errors import ExitCode


def run_install(repo: str, python: str | None) -> int:
    # --python: always 'PATH -m qualitygate' (an empty executable skips the script lookup)
    result = hook.install(repo, executable="" if python else None, python=python)
    verb = "updated" if result.updated else "installed"
    click.echo(f"qualitygate: pre-push hook {verb}: {result.path}")
    if result.moved:
        click.echo(f"  the hook that was there is kept as {result.chained} and runs first")
    elif result.chained:
        click.echo(f"  chained: {result.chained} runs first")
    click.echo(f"  bypass once: {hook.BYPASS}")
    return int(ExitCode.OK)


def run_uninstall(repo: str) -> int:
    result = hook.uninstall(repo)
    if not result.removed:
        click.echo(f"qualitygate: no qualitygate pre-push hook at {result.path}; nothing changed")
        return int(ExitCode.OK)
    click.echo(f"qualitygate: pre-push hook removed: {result.path}")
    if result.restored:
        click.echo(f"  the previous hook is back in place: {result.restored}")
    return int(ExitCode.OK)


def run_status(repo: str) -> int:
    paths, state, chained = hook.status(repo)
    click.echo(f"{paths.hook}: {state}")
    if chained:
        click.echo(f"  chained: {paths.legacy}")
    return int(ExitCode.OK)
