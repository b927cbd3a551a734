"""A catalog of events read from the ``webhooks`` section of an OpenAPI 3.1 document.

Each entry of ``webhooks`` is one event, named by its key: its body's schema is at
``webhooks[name].post.requestBody.content["application/json"].schema``. :func:`read_openapi`
makes each schema stand alone, in JSON Schema 2020-12 as validators read it:

- every ``$ref`` into the document (``#/components/schemas/...`` and the like) is replaced by
  what it points at; one that leads back into itself is kept as a reference into ``$defs``,
  where its target is copied once, so that recursion ends;
- OpenAPI 3.0's ``nullable: true`` becomes a type list with ``"null"`` (or a branch that is
  null), and its boolean ``exclusiveMinimum``/``exclusiveMaximum`` become numbers;
- where the body's ``type``, ``event`` or ``action`` property lists the event's own name among
  others in an ``enum`` (several webhooks sharing one schema), that property's enum is narrowed
  to the event's name, so generated events name themselves. The catalog's notes say so, and
  what such a property holds when it holds one value (GitHub's ``action``), and which webhooks
  share one schema.

Documents are JSON, or YAML when PyYAML is installed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigurationError
from ..generate.catalog import Catalog

__all__ = ["read_openapi", "standalone_schemas"]

#: The body properties that may name the event, in the order they are looked at.
_NAMING_FIELDS = ("type", "event", "action", "eventType", "event_type")


def read_openapi(source: str | os.PathLike[str] | Mapping[str, Any]) -> Catalog:
    """The events of an OpenAPI document's ``webhooks`` section, as a :class:`Catalog`.

    :param source: the path or ``http(s)://`` URL of a JSON or YAML document, or the parsed
        document.
    :raises ConfigurationError: when the document cannot be read or fetched, has no
        ``webhooks``, a webhook has no JSON request body schema, or a ``$ref`` does not resolve
        (each named, with where).
    """
    document, label = _load(source)
    webhooks = document.get("webhooks")
    if not isinstance(webhooks, Mapping) or not webhooks:
        version = document.get("openapi", "unknown")
        what = "an empty 'webhooks' section" if webhooks == {} else "no 'webhooks' section"
        hint = (
            "; OpenAPI 3.0 has none: its callbacks answer requests the API makes, and are not read"
            if str(version).startswith("3.0")
            else ""
        )
        raise ConfigurationError(
            f"{label} (openapi {version}) has {what}: OpenAPI 3.1 lists the webhooks a "
            f"provider sends under the top-level 'webhooks' key{hint}"
        )
    schemas: dict[str, dict[str, Any]] = {}
    examples: dict[str, list[Any]] = {}
    notes: dict[str, list[str]] = {}
    shared: dict[str, list[str]] = {}
    for name, item in webhooks.items():
        where = f"webhooks/{_escape(name)}"
        media, media_where = _body(document, item, name, where, label)
        raw = media["schema"]
        if isinstance(raw, Mapping) and isinstance(raw.get("$ref"), str):
            shared.setdefault(raw["$ref"], []).append(name)
        schema = _Resolver(document, label).schema(raw, f"{media_where}/schema")
        narrowed = _narrow(schema, name)
        if narrowed:
            notes.setdefault(name, []).append(narrowed)
        schemas[name] = schema
        found = _examples(document, media, media_where, label)
        if found:
            examples[name] = found
    for ref, names in shared.items():
        if len(names) > 1:
            for name in names:
                others = ", ".join(n for n in names if n != name)
                notes.setdefault(name, []).append(f"shares its schema ({ref}) with {others}")
    return Catalog(schemas, examples=examples, notes=notes)


def standalone_schemas(
    document: Mapping[str, Any], refs: Mapping[str, str], *, label: str
) -> dict[str, dict[str, Any]]:
    """Each name of *refs* and the schema its local ``$ref`` (``#/definitions/...``) points at in
    *document*, made to stand alone as :func:`read_openapi` makes a webhook's schema (see the
    module's docstring). A subschema referred to by several is converted once and shared: the
    schemas are read-only.

    :param label: how messages name the document.
    :raises ConfigurationError: for a ``$ref`` that does not resolve, with where it is.
    """
    resolver = _Resolver(document, label)
    return {name: resolver.schema({"$ref": ref}, ref) for name, ref in refs.items()}


def _load(source: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    if isinstance(source, Mapping):
        return source, "the OpenAPI document"
    if is_url(source):
        label = str(source)
        text = _fetch(label)
        suffix = PurePosixPath(urlsplit(label).path).suffix
    else:
        path = Path(source)
        label, suffix = str(path), path.suffix
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read the OpenAPI document {label}: {exc.strerror}"
            ) from None
        except UnicodeDecodeError as exc:
            raise ConfigurationError(f"{label} is not UTF-8 text: {exc.reason}") from None
    if suffix.lower() in (".yaml", ".yml") or not text.lstrip().startswith(("{", "[")):
        document = _yaml(text, label)
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(
                f"{label} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
    if not isinstance(document, Mapping):
        raise ConfigurationError(
            f"{label} is not an OpenAPI document: its top level is {type(document).__name__}, "
            "not an object"
        )
    return document, label


def is_url(source: object) -> bool:
    """Whether *source* names an OpenAPI document by an ``http://`` or ``https://`` URL."""
    return isinstance(source, str) and source.startswith(("http://", "https://"))


#: The largest OpenAPI document read from a URL (Stripe's, the largest published, is ~7 MB).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def _fetch(url: str) -> str:
    """The text of the document at *url*, read once, with a timeout."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            raw: bytes = answer.read(MAX_DOCUMENT_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise ConfigurationError(
            f"cannot fetch the OpenAPI document {url}: HTTP {exc.code} {exc.reason}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ConfigurationError(
            f"cannot fetch the OpenAPI document {url}: {reason} (download it and pass its path "
            "instead where this machine has no access)"
        ) from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ConfigurationError(
            f"the OpenAPI document at {url} is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB; "
            "download it and pass its path"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{url} is not UTF-8 text: {exc.reason}") from None


def _yaml(text: str, label: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigurationError(
            f"{label} is YAML, and reading YAML needs PyYAML: pip install pyyaml "
            "(or convert the document to JSON, which needs nothing)"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{label} is not valid YAML: {exc}") from None


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _lookup(document: Mapping[str, Any], ref: str) -> Any:
    """What a local ``$ref`` points at, or raise KeyError."""
    if ref == "#":
        return document
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node: Any = document
    for part in ref[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            raise KeyError(ref)
    return node


def _follow(document: Mapping[str, Any], node: Any, where: str, label: str) -> Any:
    """*node*, or what its ``$ref`` leads to (a path item, request body or example)."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            raise ConfigurationError(f"{label}: $ref {ref!r} at {where} leads back to itself")
        seen.add(ref)
        try:
            node = _lookup(document, ref)
        except KeyError:
            raise ConfigurationError(
                f"{label}: $ref {ref!r} at {where} does not resolve"
                + (": only references into the document itself are read" if ref[:1] != "#" else "")
            ) from None
    return node


def _body(
    document: Mapping[str, Any], item: Any, name: str, where: str, label: str
) -> tuple[Mapping[str, Any], str]:
    """The JSON media type object of a webhook's request body, and where it is."""
    item = _follow(document, item, where, label)
    post = item.get("post") if isinstance(item, Mapping) else None
    if not isinstance(post, Mapping):
        methods = sorted(k for k in item if isinstance(item, Mapping) and not k.startswith("x-"))
        raise ConfigurationError(
            f"{label}: webhook {name!r} has no 'post' operation (it has: "
            f"{', '.join(methods) or 'nothing'}); a webhook's body is the request body of its post"
        )
    where = f"{where}/post/requestBody"
    body = _follow(document, post.get("requestBody"), where, label)
    content = body.get("content") if isinstance(body, Mapping) else None
    if not isinstance(content, Mapping) or not content:
        raise ConfigurationError(f"{label}: webhook {name!r} has no request body content ({where})")
    media_type = next(
        (t for t in content if t.split(";")[0].strip() == "application/json"),
        next((t for t in content if t.split(";")[0].strip().endswith("+json")), None),
    )
    if media_type is None:
        raise ConfigurationError(
            f"{label}: webhook {name!r} has no JSON request body ({where}/content has "
            f"{', '.join(content)}); only application/json bodies are read"
        )
    media = content[media_type]
    media_where = f"{where}/content/{_escape(media_type)}"
    if not isinstance(media, Mapping) or "schema" not in media:
        raise ConfigurationError(f"{label}: webhook {name!r} has no schema at {media_where}")
    return media, media_where


def _examples(
    document: Mapping[str, Any], media: Mapping[str, Any], where: str, label: str
) -> list[Any]:
    found: list[Any] = []
    if "example" in media:
        found.append(media["example"])
    for key, example in (media.get("examples") or {}).items():
        example = _follow(document, example, f"{where}/examples/{_escape(key)}", label)
        if isinstance(example, Mapping) and "value" in example:
            found.append(example["value"])
    # Some providers (Zoom) publish an example body as a JSON string.
    out: list[Any] = []
    for value in found:
        if isinstance(value, str) and value.lstrip().startswith("{"):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                continue
        out.append(value)
    return out


class _Resolver:
    """Makes one webhook's schema stand alone (see the module's docstring)."""

    def __init__(self, document: Mapping[str, Any], label: str) -> None:
        self.document = document
        self.label = label
        self.defs: dict[str, Any] = {}
        #: The $defs name of each reference that leads back into itself.
        self.recursive: dict[str, str] = {}
        self.done: dict[str, Any] = {}

    def schema(self, node: Any, where: str) -> dict[str, Any]:
        out = self.convert(node, where, ())
        if not isinstance(out, dict):
            raise ConfigurationError(f"{self.label}: the schema at {where} is not an object")
        if self.defs:
            out = {**out, "$defs": {**out.get("$defs", {}), **self.defs}}
        return out

    def convert(self, node: Any, where: str, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self.convert(v, f"{where}/{i}", stack) for i, v in enumerate(node)]
        if not isinstance(node, Mapping):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self.reference(ref, where, stack)
            rest = {k: v for k, v in node.items() if k not in ("$ref", "description", "summary")}
            if not rest:
                return target
            # In OpenAPI 3.1 (JSON Schema 2020-12) the keywords beside a $ref apply too.
            return {**self.convert(rest, where, stack), "allOf": [target]}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties", "$defs", "definitions"):
                out[key] = {
                    k: self.convert(v, f"{where}/{key}/{_escape(k)}", stack)
                    for k, v in value.items()
                }
            elif key in ("example", "examples", "enum", "const", "default", "required"):
                out[key] = value
            else:
                out[key] = self.convert(value, f"{where}/{key}", stack)
        return _openapi_3_0(out)

    def reference(self, ref: str, where: str, stack: tuple[str, ...]) -> Any:
        if ref in stack or ref in self.recursive:
            name = self.recursive.get(ref)
            if name is None:
                name = self.recursive[ref] = self.def_name(ref)
                # A placeholder first: the copy of the target refers to itself.
                self.defs[name] = {}
                self.defs[name] = self.convert(self.target(ref, where), where, (ref,))
            return {"$ref": f"#/$defs/{name}"}
        if ref in self.done:
            return self.done[ref]
        out = self.convert(self.target(ref, where), where, (*stack, ref))
        self.done[ref] = out
        return out

    def target(self, ref: str, where: str) -> Any:
        try:
            return _lookup(self.document, ref)
        except KeyError:
            outside = (
                ": only references into the document itself are read" if ref[:1] != "#" else ""
            )
            raise ConfigurationError(
                f"{self.label}: $ref {ref!r} at {where} does not resolve{outside}"
            ) from None

    def def_name(self, ref: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_.-]", "_", ref.rsplit("/", 1)[-1]) or "schema"
        name, n = base, 1
        while name in self.defs:
            n += 1
            name = f"{base}_{n}"
        return name


def _openapi_3_0(node: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0's own keywords in JSON Schema's words."""
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(node.get(bound), bool):
            exclusive = node.pop(bound)
            if exclusive and limit in node:
                node[bound] = node.pop(limit)
    if "nullable" not in node:
        return node
    nullable = node.pop("nullable")
    if nullable is not True:
        return node
    typ = node.get("type")
    if typ is None:
        return {"anyOf": [node, {"type": "null"}]}
    types = [typ] if isinstance(typ, str) else list(typ)
    if "null" not in types:
        node["type"] = [*types, "null"]
    if "enum" in node and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    return node


def _narrow(schema: dict[str, Any], name: str) -> str:
    """Narrow the property that names the event to *name*; a note of what the body says the
    event is, or ''."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return ""
    for field in _NAMING_FIELDS:
        node = properties.get(field)
        if not isinstance(node, dict):
            continue
        values = [node["const"]] if "const" in node else node.get("enum")
        if not isinstance(values, list) or not values:
            continue
        if len(values) == 1:
            return f"the body's {field!r} is {values[0]!r}"
        if name in values:
            properties[field] = {**node, "enum": [name]}
            return (
                f"the body's {field!r} is {name!r} (the document allows "
                f"{', '.join(map(repr, values))}; narrowed to this event's name)"
            )
    return ""
