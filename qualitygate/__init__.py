"""qualitygate: one policy over every CI report, one verdict.

Nothing heavy is imported here: ``qualitygate --version`` and the pre-push hook must start fast.
"""

__version__ = "0.1.0"
