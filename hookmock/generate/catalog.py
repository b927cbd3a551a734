"""The schema catalog: find, load and validate against the JSON Schemas of events.

hookmock's own schemas live in the top-level ``schemas/<provider>/<event>.json`` of the project
and ship inside the wheel as ``hookmock/schemas``. A :class:`Catalog` held in memory (read from an
OpenAPI document, say) serves a provider name once :func:`register` ed; every function here
works the same for both. Loaded schemas and compiled validators are cached per process; they are
read-only data, so sharing them between tests is safe.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, SchemaViolationError, UnknownEventError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "Catalog",
    "event_names",
    "find_event",
    "load_schema",
    "register",
    "registered",
    "schema_errors",
    "unregister",
    "validate",
]


class Catalog:
    """The JSON Schemas of a provider's events, held in memory.

    :param schemas: each event name and the schema of its body; every schema must stand alone
        (its ``$ref`` s pointing into itself, such as ``#/$defs/...``).
    :param examples: example bodies published for an event, if any.
    :param notes: remarks on an event a person may want to know (how the document names it).
    """

    __slots__ = ("_validators", "examples", "name_set", "names", "notes", "schemas")

    def __init__(
        self,
        schemas: Mapping[str, Mapping[str, Any]],
        *,
        examples: Mapping[str, list[Any]] | None = None,
        notes: Mapping[str, list[str]] | None = None,
    ) -> None:
        for name, schema in schemas.items():
            if not isinstance(name, str) or not name:
                raise ConfigurationError(f"an event name must be a non-empty string, got {name!r}")
            if not isinstance(schema, Mapping):
                raise ConfigurationError(
                    f"the schema of {name!r} must be a JSON object, got {type(schema).__name__}"
                )
        self.schemas: Mapping[str, dict[str, Any]] = MappingProxyType(
            {name: dict(schema) for name, schema in schemas.items()}
        )
        self.names: tuple[str, ...] = tuple(sorted(self.schemas))
        self.name_set: frozenset[str] = frozenset(self.names)
        self.examples: Mapping[str, list[Any]] = MappingProxyType(dict(examples or {}))
        self.notes: Mapping[str, list[str]] = MappingProxyType(dict(notes or {}))
        self._validators: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<Catalog of {len(self.names)} events>"

    def fast_validator(self, name: str) -> Any:
        """jsonschema-rs's validator of an event's schema, compiled once."""
        validator = self._validators.get(name)
        if validator is None:
            import jsonschema_rs

            validator = self._validators[name] = jsonschema_rs.Draft202012Validator(
                self.schemas[name], validate_formats=True
            )
        return validator


#: The catalogs held in memory, by provider name.
_REGISTERED: dict[str, Catalog] = {}
#: How many times each provider name was registered: whatever is compiled from a catalog's
#: schemas is kept per revision, so that a name registered anew is compiled anew.
_REVISIONS: dict[str, int] = {}


def register(name: str, catalog: Catalog) -> None:
    """Serve *catalog* for the provider *name* in every function of this module (and in
    generation), in place of any catalog registered before under that name.

    :raises ConfigurationError: for a name of one of hookmock's own catalogs (``zoom``).
    """
    if not isinstance(catalog, Catalog):
        raise ConfigurationError(f"register() takes a Catalog, got {type(catalog).__name__}")
    if not name or "/" in name or "\\" in name or name.startswith((".", "_")):
        raise ConfigurationError(f"a provider name must be a plain non-empty name, got {name!r}")
    if (schemas_root() / name).is_dir():
        raise ConfigurationError(
            f"{name!r} is one of hookmock's own catalogs; register this one under another name"
        )
    _REGISTERED[name] = catalog
    _REVISIONS[name] = _REVISIONS.get(name, 0) + 1


def unregister(name: str) -> None:
    """Forget the catalog registered under *name* (nothing happens if there is none)."""
    if _REGISTERED.pop(name, None) is not None:
        _REVISIONS[name] = _REVISIONS.get(name, 0) + 1


def registered(provider: str) -> Catalog | None:
    """The catalog held in memory for *provider*, or None for hookmock's own (files)."""
    return _REGISTERED.get(provider)


def revision(provider: str) -> int:
    """How many times *provider* was registered or unregistered (0 for a file catalog)."""
    return _REVISIONS.get(provider, 0)


@functools.cache
def schemas_root() -> Traversable:
    """The folder that holds ``<provider>/<event>.json``: inside the installed package, or the
    project's top-level ``schemas/`` when running from a checkout."""
    from pathlib import Path

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


def event_names(provider: str = "zoom") -> tuple[str, ...]:
    """Every event name the catalog has for *provider*, sorted."""
    held = _REGISTERED.get(provider)
    return _file_event_names(provider) if held is None else held.names


@functools.cache
def _schemas_folder() -> str | None:
    """:func:`schemas_root` as a plain path, found the same way without pathlib (which a first
    send need not import); None when the schemas are only in a zip archive."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    for folder in (
        os.path.join(package, "schemas"),
        os.path.join(os.path.dirname(package), "schemas"),
    ):
        if os.path.isdir(folder):
            return folder
    return None


@functools.cache
def _file_event_names(provider: str) -> tuple[str, ...]:
    return tuple(sorted(_file_name_set(provider)))


def suggestions(name: str, provider: str = "zoom", limit: int = 5) -> list[str]:
    """Known event names close to *name*: spelling matches first, then names sharing its prefix."""
    import difflib

    names = event_names(provider)
    close = difflib.get_close_matches(name, names, n=limit, cutoff=0.6)
    # The family is what comes before the first dot (meeting.started), or for names without
    # one, before the last dash (GitHub's issues-opened).
    if "." in name or "-" not in name:
        family = name.split(".", 1)[0] + "."
    else:
        family = name.rsplit("-", 1)[0] + "-"
    close += [n for n in names if n.startswith(family) and n not in close]
    return close[:limit]


def find_event(name: str, provider: str = "zoom") -> str:
    """Return *name* when the catalog knows it.

    :raises UnknownEventError: listing the closest known names.
    """
    if name not in _name_set(provider):
        raise UnknownEventError(provider, name, suggestions(name, provider))
    return name


def _name_set(provider: str) -> frozenset[str]:
    held = _REGISTERED.get(provider)
    return _file_name_set(provider) if held is None else held.name_set


@functools.cache
def _file_name_set(provider: str) -> frozenset[str]:
    # Unsorted: a send looks its event up here, and only a listing sorts the names.
    root = _schemas_folder()
    # os.listdir where it can: a Path per file (iterdir) costs milliseconds on the first send.
    if root is not None:
        files = os.listdir(os.path.join(root, provider))
    else:
        files = [e.name for e in (schemas_root() / provider).iterdir()]
    suffix = ".json"
    return frozenset(
        name[: -len(suffix)] for name in files if name.endswith(suffix) and not name.startswith("_")
    )


def load_schema(name: str, provider: str = "zoom") -> dict[str, Any]:
    """The parsed schema of an event (cached: do not modify it)."""
    held = _REGISTERED.get(provider)
    if held is None:
        return _load_file_schema(name, provider)
    find_event(name, provider)
    return held.schemas[name]


@functools.cache
def _load_file_schema(name: str, provider: str) -> dict[str, Any]:
    find_event(name, provider)
    root = _schemas_folder()
    if root is not None:
        with open(os.path.join(root, provider, f"{name}.json"), encoding="utf-8") as file:
            text = file.read()
    else:
        text = (schemas_root() / provider / f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _fast_validator(name: str, provider: str) -> Any:
    held = _REGISTERED.get(provider)
    return _file_fast_validator(name, provider) if held is None else held.fast_validator(name)


@functools.cache
def _file_fast_validator(name: str, provider: str) -> Any:
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
