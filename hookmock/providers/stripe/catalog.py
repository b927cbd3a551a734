"""Stripe's events as a catalog: one JSON Schema per event type, made from vendored data.

``data/events.json`` names each event type Stripe's SDKs know and the API resource its
``data.object`` is (from the ``stripe`` npm package's TypeScript types); ``data/fixtures.json``
holds one fixture object per resource (stripe/openapi's ``fixtures3.json``, MIT, ``data/LICENSE``).
``tools/build_stripe_catalog.py`` rebuilds both.

Each event's schema is Stripe's event envelope (``id``, ``object``, ``api_version``, ``created``,
``data``, ``livemode``, ``pending_webhooks``, ``request``, ``type``, in the order Stripe writes
them) around a schema of the resource's fixture: every field the fixture has, required, of the
fixture's type (or null: Stripe writes absent values as null), with the fixture's value as its
example, so that a generated object looks like Stripe's own. ``*.updated`` events declare
``data.previous_attributes``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from ...generate import catalog

__all__ = ["API_VERSION", "CATALOG_NAME", "event_objects", "fixture", "load_catalog", "register"]

DATA = Path(__file__).with_name("data")
#: The name Stripe's catalog is registered under.
CATALOG_NAME = "stripe"


@functools.cache
def _events_file() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "events.json").read_text(encoding="utf-8"))
    return data


#: Fixture values changed before use, and why: each is a value stripe-python cannot parse where
#: real events carry another.
_PATCHES: dict[str, dict[str, Any]] = {
    # A map by currency; stripe-python's BalanceSettings reads it as one (``_inner_class_dicts``)
    # and raises on the fixture's null.
    "balance_settings": {"payments.payouts.automatic_transfer_rules_by_currency": {}},
}


@functools.cache
def _fixtures() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))
    resources: dict[str, Any] = dict(data["resources"])
    for resource, changes in _PATCHES.items():
        for path, value in changes.items():
            node = resources[resource]
            *parents, last = path.split(".")
            for part in parents:
                node = node[part]
            node[last] = value
    return resources


#: The API version Stripe's SDKs are pinned to when the catalog was built: the ``api_version``
#: of generated events unless another is asked for.
API_VERSION: str = _events_file()["api_version"]


def event_objects() -> dict[str, str]:
    """Each event type and the API resource its ``data.object`` is (``"customer"``...)."""
    return dict(_events_file()["events"])


def fixture(resource: str) -> Any:
    """A fresh copy of the fixture object of *resource* (``"customer"``, ``"invoice"``...)."""
    return json.loads(json.dumps(_fixtures()[resource]))


_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _schema(value: Any, key: str = "") -> dict[str, Any]:
    """A schema that *value* (a fixture's field) satisfies, with *value* as its example."""
    if isinstance(value, dict):
        fields = dict(value)
        # Stripe writes id and object first, then the other fields.
        ordered = {k: fields.pop(k) for k in ("id", "object") if k in fields} | fields
        return {
            "type": ["object", "null"],
            "properties": {k: _schema(v, k) for k, v in ordered.items()},
            "required": list(ordered),
            "examples": [ordered],
        }
    if isinstance(value, list):
        return {
            "type": ["array", "null"],
            "items": _schema(value[0]) if value else {},
            "examples": [value],
        }
    if value is None:
        return {"examples": [None]}
    if key == "object" and isinstance(value, str):
        # What stripe-python reads to pick the class an object is parsed into.
        return {"const": value}
    return {"type": [_TYPES[type(value)], "null"], "examples": [value]}


def _nullable_object(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": "object"}


def event_schema(name: str, resource: str) -> dict[str, Any]:
    """The schema of the event type *name*, whose ``data.object`` is a *resource*."""
    data: dict[str, Any] = {
        "type": "object",
        "properties": {"object": _nullable_object(_schema(_fixtures()[resource]))},
        "required": ["object"],
    }
    if name.endswith(".updated"):
        data["properties"]["previous_attributes"] = {"type": "object"}
        data["required"].append("previous_attributes")
    nullable_text = {"type": ["string", "null"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Stripe event {name}",
        "description": f"A Stripe event of type {name}; data.object is a {resource}.",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": "^evt_[0-9A-Za-z]{24}$"},
            "object": {"const": "event"},
            "api_version": {"type": ["string", "null"], "examples": [API_VERSION]},
            "created": {"type": "integer", "minimum": 0},
            "data": data,
            "livemode": {"type": "boolean"},
            "pending_webhooks": {"type": "integer", "minimum": 0, "maximum": 16},
            "request": {
                "type": ["object", "null"],
                "properties": {"id": nullable_text, "idempotency_key": nullable_text},
                "required": ["id", "idempotency_key"],
            },
            "type": {"const": name},
        },
        "required": [
            "id",
            "object",
            "api_version",
            "created",
            "data",
            "livemode",
            "pending_webhooks",
            "request",
            "type",
        ],
    }


@functools.cache
def load_catalog() -> catalog.Catalog:
    """Stripe's catalog, built once per process."""
    events = event_objects()
    schemas = {name: event_schema(name, resource) for name, resource in events.items()}
    notes = {
        name: [f"data.object is a {resource} (shaped from Stripe's fixture)"]
        for name, resource in events.items()
    }
    return catalog.Catalog(schemas, notes=notes)


def register() -> str:
    """Serve Stripe's catalog under :data:`CATALOG_NAME` (once; later calls cost nothing)."""
    built = load_catalog()
    if catalog.registered(CATALOG_NAME) is not built:
        catalog.register(CATALOG_NAME, built)
    return CATALOG_NAME
