"""The schema catalog: find, load and validate against the JSON Schemas of events.

Schemas live in the top-level ``schemas/<provider>/<event>.json`` of the project and ship inside
the wheel as ``hookmock/schemas``. Loaded schemas and compiled validators are cached per process;
they are read-only data, so sharing them between tests is safe.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SchemaViolationError, UnknownEventError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["event_names", "find_event", "load_schema", "schema_errors", "validate"]


@functools.cache
def schemas_root() -> Traversable:
    """The folder that holds ``<provider>/<event>.json``: inside the installed package, or the
    project's top-level ``schemas/`` when running from a checkout."""
    package = Path(__file__).resolve().parent.parent
    if (package / "schemas").is_dir():
        return package / "schemas"
    checkout = package.parent / "schemas"
    if checkout.is_dir():
        return checkout
    # Installed in a zip archive: importlib.resources reads it (and is imported only then).
    from importlib import resources

    packaged = resources.files("hookmock") / "schemas"
    if packaged.is_dir():
        return packaged
    raise RuntimeError(
        "hookmock's schemas are missing: neither hookmock/schemas (installed) nor schemas/ "
        "(checkout) exists; reinstall hookmock"
    )


@functools.cache
def event_names(provider: str = "zoom") -> tuple[str, ...]:
    """Every event name the catalog has for *provider*, sorted."""
    folder = schemas_root() / provider
    # os.listdir where it can: a Path per file (iterdir) costs milliseconds on the first send.
    files = os.listdir(folder) if isinstance(folder, Path) else [e.name for e in folder.iterdir()]
    suffix = ".json"
    return tuple(
        sorted(
            name[: -len(suffix)]
            for name in files
            if name.endswith(suffix) and not name.startswith("_")
        )
    )


def suggestions(name: str, provider: str = "zoom", limit: int = 5) -> list[str]:
    """Known event names close to *name*: spelling matches first, then names sharing its prefix."""
    import difflib

    names = event_names(provider)
    close = difflib.get_close_matches(name, names, n=limit, cutoff=0.6)
    family = name.split(".", 1)[0]
    close += [n for n in names if n.startswith(family + ".") and n not in close]
    return close[:limit]


def find_event(name: str, provider: str = "zoom") -> str:
    """Return *name* when the catalog knows it.

    :raises UnknownEventError: listing the closest known names.
    """
    if name not in _name_set(provider):
        raise UnknownEventError(provider, name, suggestions(name, provider))
    return name


@functools.cache
def _name_set(provider: str) -> frozenset[str]:
    return frozenset(event_names(provider))


@functools.cache
def load_schema(name: str, provider: str = "zoom") -> dict[str, Any]:
    """The parsed schema of an event (cached: do not modify it)."""
    find_event(name, provider)
    text = (schemas_root() / provider / f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _fast_validator(name: str, provider: str) -> Any:
    # jsonschema-rs answers "is it valid?" in microseconds; the pure-Python jsonschema, which
    # ranks errors well, only runs once an event is known to be invalid.
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(load_schema(name, provider), validate_formats=True)


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def schema_errors(name: str, data: Any, provider: str = "zoom") -> list[tuple[str, str]]:
    """``(json_path, message)`` for each way *data* breaks the event's schema; empty when valid.

    The most relevant error comes first (jsonschema's ``best_match`` ranking).
    """
    try:
        if _fast_validator(name, provider).is_valid(data):
            return []
        fast = True
    except ValueError:
        # jsonschema-rs releases before 0.49 cannot read integers beyond 64 bits ("int too big
        # to convert"); should the fast validator refuse a value, jsonschema judges alone.
        fast = False
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        load_schema(name, provider), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    found = list(validator.iter_errors(data))
    errors: list[tuple[str, str]] = []
    if found:
        best = jsonschema.exceptions.best_match(found)
        found.sort(key=lambda error: (error is not best, list(error.absolute_path)))
        errors = [(_json_path(error.absolute_path), _message(error)) for error in found]
    # jsonschema skips format checks whose optional packages are missing (date-time, uri);
    # jsonschema-rs always makes them, so its errors at other paths are added.
    seen = {path for path, _ in errors}
    for error in _fast_validator(name, provider).iter_errors(data) if fast else ():
        path = _json_path(error.instance_path)
        if path not in seen:
            seen.add(path)
            errors.append((path, error.message))
    return errors


def _message(error: Any) -> str:
    rule = error.validator
    if rule in {"type", "enum", "const", "format", "pattern", "minimum", "maximum"}:
        return f"{error.message} (rule: {rule} {json.dumps(error.validator_value)})"
    return f"{error.message} (rule: {rule})"


def validate(name: str, data: Any, provider: str = "zoom") -> None:
    """Raise :class:`SchemaViolationError` naming each JSON path when *data* breaks the schema."""
    errors = schema_errors(name, data, provider)
    if errors:
        raise SchemaViolationError(name, errors)
