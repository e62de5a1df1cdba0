"""Finding, reading and validating the policy file; presets.

Every error names the file, the line and column of the offending key, the key's path and, for a misspelt
key, the closest valid one: ``.github/quality-gates.yml:4:5: quality_gates.complexity.max_cyclomatc:
unknown key (did you mean 'max_cyclomatic'?)``. Exit code 2.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from qualitygate.errors import PolicyError

if TYPE_CHECKING:
    import yaml
    from pydantic import BaseModel, ValidationError

    from qualitygate.policy import Policy
    from qualitygate.policy_schema import PolicyFile

DEFAULT_POLICY = ".github/quality-gates.yml"
PRESETS_DIR = Path(__file__).resolve().parent / "presets"  # a link to the repository's gates/


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yml"))


def preset_path(name: str) -> Path:
    path = PRESETS_DIR / f"{name}.yml"
    if not path.is_file():
        import difflib

        known = preset_names()
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known presets: {', '.join(known)}"
        raise PolicyError(f"--preset {name}", "no such preset", hint=hint)
    return path


def find_policy(config: str | None, root: str) -> str:
    path = config or os.path.join(root, DEFAULT_POLICY)
    if not os.path.isfile(path):
        raise PolicyError(
            path,
            "no policy file" if not os.path.exists(path) else "not a file",
            hint="write one with 'qualitygate init', pass --config FILE, or use --preset NAME",
        )
    return path


def _compose(path: str, text: str) -> yaml.Node | None:
    import yaml

    from qualitygate.policy_yaml import compose

    try:
        return compose(text, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise PolicyError(
            path,
            f"invalid YAML: {problem}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise _reader_error(path, text, exc) from None


def _reader_error(path: str, text: str, exc: Exception) -> PolicyError:
    """The YAML reader's error (a control character) in one line, at its character position."""
    position = getattr(exc, "position", None)
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
    column = position - text.rfind("\n", 0, position) if isinstance(position, int) else None
    problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return PolicyError(path, _clip(f"invalid YAML: {problem}"), line=line, column=column)


def _construct(path: str, node: yaml.Node) -> Any:
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls("")
    try:
        return loader.construct_document(node)
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # a collection its tag cannot hold: `!!omap 1`
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(
            path,
            _clip(f"invalid YAML value: {problem}"),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    finally:
        loader.dispose()


def _child(node: yaml.Node, part: int | str, want_key: bool) -> yaml.Node | None:
    """The value (or, ``want_key``, the key) under ``part`` of a mapping or sequence node."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if str(k.value) == str(part):
                return cast("yaml.Node", k if want_key else v)
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return cast("yaml.Node", node.value[part])
    return None


def _node_at(root: yaml.Node | None, loc: tuple[int | str, ...], want_key: bool = False) -> yaml.Node | None:
    """The node at a pydantic error location, or the deepest one found on the way. ``want_key``: the last
    key's node itself (for an unknown key), else its value."""
    node = root
    for i, part in enumerate(loc):
        if node is None:
            break
        child = _child(node, part, want_key and i == len(loc) - 1)
        if child is None:
            break
        node = child
    return node


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model that owns the last key of ``loc`` (for 'did you mean')."""
    from pydantic import BaseModel

    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = _innermost_model(field.annotation)
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _innermost_model(annotation: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _innermost_model(arg)
        if found is not None:
            return found
    return None


def _data_path(err: Any, data: Any) -> tuple[int | str, ...]:
    """The error's location in the data: the parts of pydantic's location that are keys or indexes of the
    data on the way (it inserts validator and union-member names such as ``function-after[...]``, and a
    key may contain ``[``); the last part is kept for a key that is unknown or missing."""
    out: list[int | str] = []
    current = data
    for i, part in enumerate(err["loc"]):
        found = (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        )
        if found:
            current = current[part]
        elif not (i == len(err["loc"]) - 1 and err["type"] in {"extra_forbidden", "missing"}):
            continue
        out.append(part)
    return tuple(out)


def _unknown_key(model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[str, str | None]:
    """``unknown key (did you mean 'x'?)``, or a hint listing the keys allowed there."""
    owner = _model_at(model, loc)
    if owner is None:
        return "unknown key", None
    import difflib

    choices = list(owner.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), choices, n=1)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)", None
    return "unknown key", f"allowed here: {', '.join(choices)}"


MESSAGE_CHARS = 300  # no error message repeats a long value in full


def _shown(value: object) -> str:
    """A bounded ``repr`` (a few items, a few levels, a short string), whatever the value's size."""
    import reprlib

    r = reprlib.Repr()
    r.maxstring = r.maxother = 60
    r.maxlist = r.maxdict = r.maxset = r.maxtuple = 6
    r.maxlevel = 3
    return r.repr(value)


def _clip(text: str) -> str:
    return text if len(text) <= MESSAGE_CHARS else f"{text[:MESSAGE_CHARS]}... ({len(text)} characters)"


def _value_problem(err: Any) -> str:
    msg: str = _clip(err["msg"].removeprefix("Value error, "))
    if err["type"] not in {"value_error", "missing"} and "input" in err:
        msg += f" (got {_shown(err['input'])})"
    return msg


def _format_error(
    path: str, root: yaml.Node | None, exc: ValidationError, model: type[BaseModel], data: Any
) -> PolicyError:
    """The first validation error as ``FILE:LINE:COL: key.path: what is wrong``."""
    err = exc.errors(include_url=False)[0]
    loc = _data_path(err, data)
    unknown = err["type"] == "extra_forbidden"
    msg, hint = _unknown_key(model, loc) if unknown else (_value_problem(err), None)
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more error{'s' if more > 1 else ''})"
    node = _node_at(root, loc, want_key=unknown)
    mark = node.start_mark if node is not None else None
    return PolicyError(
        path,
        msg,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        key=_clip(".".join(str(p) for p in loc)) or None,
        hint=hint,
    )


def _validate(raw: bytes, shown: str) -> Policy:
    """YAML -> pydantic validation -> normalised policy; every fault a PolicyError with file:line:col.
    The YAML is read before pydantic is imported: a policy refused there costs no schema, and one in the
    common forms is validated by hand (the same result, without pydantic's import and schema build)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    root = _compose(shown, text)
    data = _construct(shown, root) if root is not None else None
    if not isinstance(data, dict):
        raise PolicyError(
            shown, "the policy must be a mapping with 'quality_gates:' or 'gates:'", line=1, column=1
        )
    from qualitygate.policy_fast import fast_spec
    from qualitygate.policy_normalise import normalise

    spec = fast_spec(data) or _schema_validate(shown, root, data)
    try:
        policy = normalise(spec, shown)
    except ValueError as exc:
        raise PolicyError(shown, _clip(str(exc))) from None
    if not policy.gates:
        raise PolicyError(
            shown,
            "the policy has no gates: an empty policy would pass anything",
            hint="see 'qualitygate init'",
        )
    return policy


def _schema_validate(shown: str, root: yaml.Node | None, data: dict[Any, Any]) -> PolicyFile:
    """pydantic's validation, for any policy the hand validator (:mod:`qualitygate.policy_fast`) leaves
    to it: every error is reported from here."""
    from pydantic import ValidationError

    from qualitygate.policy_schema import PolicyFile

    try:
        return PolicyFile.model_validate(data)
    except ValidationError as exc:
        raise _format_error(shown, root, exc, PolicyFile, data) from None


def cache_dir() -> str | None:
    """Where validated policies are kept (``QUALITYGATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/qualitygate``,
    else ``~/.cache/qualitygate``); None when ``QUALITYGATE_NO_CACHE`` is set."""
    if os.environ.get("QUALITYGATE_NO_CACHE"):
        return None
    explicit = os.environ.get("QUALITYGATE_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "qualitygate")


CACHE_ENTRY_BYTES = 4 << 20  # a larger entry is not one this version wrote


def _cache_entry(raw: bytes) -> tuple[str, bytes] | None:
    """Where a policy's cache entry lives and the key its content is sealed with: both from the SHA-256 of
    the policy's bytes and this qualitygate version, so an edited policy or an upgrade never reads a stale
    entry."""
    import hashlib

    from qualitygate import __version__

    folder = cache_dir()
    if folder is None:
        return None
    key = hashlib.sha256(__version__.encode() + b"\0" + raw).digest()
    return os.path.join(folder, f"policy-{key.hex()}.json"), key


def _seal(key: bytes, payload: bytes) -> bytes:
    """An HMAC-SHA256 of an entry's content: an entry edited by hand (a threshold changed), truncated, or
    copied under another policy's name no longer matches and is ignored. The key is no secret (anyone who
    can read the policy can compute it): it checks integrity, not authorship."""
    import hmac

    return hmac.new(key, payload, "sha256").hexdigest().encode()


def _cached(entry: str, key: bytes) -> Policy | None:
    """The policy of a cache entry whose seal matches its content; None for anything else (absent,
    unreadable, edited, another format), and the caller validates the file afresh."""
    import hmac
    import json

    from qualitygate.policy import policy_from_dict

    try:
        with open(entry, "rb") as fh:
            data = fh.read(CACHE_ENTRY_BYTES + 1)
        if len(data) > CACHE_ENTRY_BYTES:
            return None
        sealed = json.loads(data)
        payload = sealed["policy"].encode()
        if not hmac.compare_digest(sealed["seal"].encode(), _seal(key, payload)):
            return None
        return policy_from_dict(json.loads(payload))
    except (OSError, ValueError, LookupError, TypeError, AttributeError, RecursionError):
        return None


def _remember(entry: str, key: bytes, policy: Policy) -> None:
    import json
    import tempfile

    from qualitygate.policy import policy_to_dict

    payload = json.dumps(policy_to_dict(policy))
    sealed = {"seal": _seal(key, payload.encode()).decode(), "policy": payload}  # the exact bytes sealed
    try:
        os.makedirs(os.path.dirname(entry), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(entry), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(sealed, fh)
        os.replace(tmp, entry)
    except OSError:
        pass  # a read-only home is no reason to fail a check


def load_policy(path: str, *, display: str | None = None) -> Policy:
    """Read, validate and normalise a policy file. Raises PolicyError (exit 2) with file:line:col.

    The pre-push hook runs this thousands of times on an unchanged file, and validation (building the
    pydantic schema) is most of a check's own cost, so a validated policy is cached by content hash
    (:func:`cache_dir`); any change to the file, or another qualitygate version, validates it afresh.
    """
    from dataclasses import replace

    shown = display or path
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise PolicyError(shown, f"cannot read: {exc.strerror or exc}") from None
    cache = _cache_entry(raw)
    policy = _cached(*cache) if cache else None
    if policy is not None:
        return replace(policy, source=shown)
    policy = _validate(raw, shown)
    if cache:
        _remember(*cache, policy)
    return policy


def node_position(path: str, loc: tuple[int | str, ...]) -> tuple[int | None, int | None]:
    """The line and column (1-based) of the node at ``loc`` in a policy file, for an error found after
    validation (a waiver's horizon depends on the day): the file is composed again, only on that path."""
    try:
        node = _node_at(_compose(path, Path(path).read_text(encoding="utf-8")), loc)
    except (OSError, UnicodeDecodeError, PolicyError):
        return None, None
    if node is None:
        return None, None
    return node.start_mark.line + 1, node.start_mark.column + 1
