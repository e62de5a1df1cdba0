"""qualitygate: one policy over every CI report, one verdict.

Nothing heavy is imported here: ``qualitygate --version`` and the pre-push hook must start fast.
"""

__version__ = "0.1.0"


def main() -> int:
    """The ``qualitygate`` console script and ``python -m qualitygate``. The CLI is imported here, inside
    a guard, so that Ctrl-C while it is still loading ends quietly (exit 130), as it does once a command
    runs, instead of printing a traceback."""
    try:
        from qualitygate.cli import main as cli_main
    except KeyboardInterrupt:
        import sys

        sys.stderr.write("qualitygate: error: interrupted\n")
        return 130
    return cli_main()
