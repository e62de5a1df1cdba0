"""The exception family of qualitygate.

Every error a user can cause is one of these, carries a one-line message that names the file (and the
line/column or the policy key where known), and the exit code the CLI maps it to::

    QualityGateError                 exit 5 unless a subclass says otherwise
    ├── UsageError                   exit 2  bad command-line arguments
    ├── PolicyError                  exit 2  the policy file is unreadable or invalid
    ├── GitError                     exit 2  the change cannot be computed from git (never "nothing changed")
    │   ├── NotARepositoryError      exit 2  --root is not inside a git work tree, or git is not installed
    │   ├── UnknownRefError          exit 2  the base ref names no commit here (not fetched?)
    │   └── ShallowHistoryError      exit 2  a shallow clone lacks the merge base of the base ref and HEAD
    ├── InputError                   exit 3  a report (or a saved diff) cannot be read
    │   ├── ReportNotFoundError      exit 3  missing path, or a directory where a file is expected
    │   ├── ReportFormatError        exit 3  the bytes are not the format (truncated, wrong shape, bad UTF-8)
    │   ├── UnsafeInputError         exit 3  DTD entities, external references: refused, never expanded
    │   └── UnknownKindError         exit 3  content sniffing could not tell the kind
    ├── GitHubError                  exit 4  the GitHub API refused or could not be reached
    └── PushError                    exit 4  the Prometheus Pushgateway refused or could not be reached

Lower-layer exceptions (lxml, json, yaml, httpx, OSError) are translated with ``raise ... from exc`` at the
boundary where the file name is known, so no traceback ever reaches a user.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (README, "Exit codes")."""

    OK = 0
    GATE_FAILED = 1
    USAGE = 2
    INPUT = 3
    GITHUB = 4
    INTERNAL = 5


class QualityGateError(Exception):
    """Base of every error qualitygate raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


def _location(path: str, line: int | None = None, column: int | None = None) -> str:
    where = path
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return where


class UsageError(QualityGateError):
    exit_code = ExitCode.USAGE


class PolicyError(QualityGateError):
    """The policy file is missing, not YAML, or does not validate."""

    exit_code = ExitCode.USAGE

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.key = key
        prefix = _location(path, line, column)
        body = f"{key}: {message}" if key else message
        super().__init__(f"{prefix}: {body}", hint=hint)


class GitError(QualityGateError):
    """The change a new-code gate needs cannot be computed. One line: what is wrong and what to run."""

    exit_code = ExitCode.USAGE


class NotARepositoryError(GitError):
    pass


class UnknownRefError(GitError):
    pass


class ShallowHistoryError(GitError):
    pass


class InputError(QualityGateError):
    """A report cannot be read. Always names the file."""

    exit_code = ExitCode.INPUT

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        super().__init__(f"{_location(path, line, column)}: {message}", hint=hint)


class ReportNotFoundError(InputError):
    pass


class ReportFormatError(InputError):
    pass


class UnsafeInputError(InputError):
    pass


class UnknownKindError(InputError):
    pass


class GitHubError(QualityGateError):
    exit_code = ExitCode.GITHUB


class PushError(QualityGateError):
    """The Prometheus Pushgateway refused the metrics or could not be reached (``check --push``)."""

    exit_code = ExitCode.GITHUB  # exit 4: the remote service the verdict is sent to failed
