"""Catalogs read from published OpenAPI documents' ``webhooks`` (tests/data/openapi, see its
README): every webhook generates events that both validators accept, overrides and names are
checked as for Zoom, the reader's errors say what is wrong and where, and Zoom's own catalog is
untouched by catalogs registered beside it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from hookmock.engine.overrides import check_paths
from hookmock.errors import ConfigurationError, UnknownEventError, UnknownFieldError
from hookmock.generate import catalog
from hookmock.generate.catalog import Catalog
from hookmock.generate.fake import REMOVE, generate
from hookmock.providers.openapi import read_openapi
from hookmock.providers.zoom.coherence import GENERATION

from . import zoom_reference

DATA = Path(__file__).resolve().parent / "data" / "openapi"
DOCUMENTS = {
    "test-github": DATA / "github" / "api.github.com.json",
    "test-adyen": DATA / "adyen" / "BalancePlatformConfigurationNotification-v1.json",
    "test-readme": DATA / "readme" / "webhooks.yaml",
}
NOW = 1_795_000_000.0
SEEDS = range(4)


def _read(provider: str) -> Catalog:
    return read_openapi(DOCUMENTS[provider])


CATALOGS = {provider: _read(provider) for provider in DOCUMENTS}
WEBHOOKS = [(provider, name) for provider, held in CATALOGS.items() for name in held.names]


@pytest.fixture(autouse=True)
def _registered() -> Iterator[None]:
    for provider, held in CATALOGS.items():
        catalog.register(provider, held)
    yield
    for provider in CATALOGS:
        catalog.unregister(provider)


def _validators(schema: dict[str, Any]) -> tuple[Any, Any]:
    slow = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return slow, jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def test_the_documents_give_their_webhooks() -> None:
    assert len(CATALOGS["test-github"].names) == 29
    assert "pull-request-opened" in CATALOGS["test-github"].names
    assert CATALOGS["test-adyen"].names[0] == "balancePlatform.accountHolder.created"
    assert len(CATALOGS["test-adyen"].names) == 11
    assert CATALOGS["test-readme"].names == ("newPet",)
    # Every $ref into the document is gone, or points into the schema's own $defs.
    for held in CATALOGS.values():
        for schema in held.schemas.values():
            refs = [
                part
                for part in json.dumps(schema).split('"$ref": ')[1:]
                if not part.startswith('"#/$defs/')
            ]
            assert refs == []


@pytest.mark.parametrize(("provider", "name"), WEBHOOKS)
def test_every_webhook_generates_valid_events(provider: str, name: str) -> None:
    slow, fast = _validators(catalog.load_schema(name, provider))
    for seed in SEEDS:
        data, overridden = generate(name, seed=seed, now=NOW, provider=provider)
        assert overridden == frozenset()
        assert [error.message for error in slow.iter_errors(data)] == []
        assert fast.is_valid(data), [error.message for error in fast.iter_errors(data)]
        assert catalog.schema_errors(name, data, provider) == []


def test_generation_is_reproducible_and_varies_with_the_seed() -> None:
    first = generate("push", seed=7, now=NOW, provider="test-github")[0]
    again = generate("push", seed=7, now=NOW, provider="test-github")[0]
    other = generate("push", seed=8, now=NOW, provider="test-github")[0]
    assert json.dumps(first) == json.dumps(again)
    assert first != other


def test_values_look_real() -> None:
    data = generate(
        "balancePlatform.accountHolder.created", seed=3, now=NOW, provider="test-adyen"
    )[0]
    holder = data["data"]["accountHolder"]
    assert "@" in holder["contactDetails"]["email"]
    assert holder["contactDetails"]["address"]["country"].isupper()
    assert data["type"] == "balancePlatform.accountHolder.created"
    # Times are around the clock's reading.
    when = generate("star-created", seed=1, now=NOW, provider="test-github")[0]["starred_at"]
    assert when is None or when.startswith("2026-11-18T")


def test_the_event_named_in_the_body_is_the_webhook() -> None:
    held = CATALOGS["test-adyen"]
    for name in held.names:
        for seed in SEEDS:
            assert generate(name, seed=seed, now=NOW, provider="test-adyen")[0]["type"] == name
    assert held.notes["balancePlatform.accountHolder.updated"] == [
        "the body's 'type' is 'balancePlatform.accountHolder.updated' (the document allows "
        "'balancePlatform.accountHolder.updated', 'balancePlatform.accountHolder.created'; "
        "narrowed to this event's name)",
        "shares its schema (#/components/schemas/AccountHolderNotificationRequest) with "
        "balancePlatform.accountHolder.created",
    ]


def test_what_the_body_names_is_noted() -> None:
    assert CATALOGS["test-github"].notes["star-created"] == ["the body's 'action' is 'created'"]
    assert "push" not in CATALOGS["test-github"].notes


def test_the_trim_is_reproduced(tmp_path: Path) -> None:
    # Trimming the vendored document to its own webhooks changes nothing: what it keeps is
    # exactly what those webhooks reach.
    source = DOCUMENTS["test-github"]
    out = tmp_path / "again.json"
    tool = Path(__file__).resolve().parents[1] / "tools" / "trim_openapi_webhooks.py"
    names = list(json.loads(source.read_text(encoding="utf-8"))["webhooks"])
    subprocess.run([sys.executable, str(tool), str(source), str(out), *names], check=True)
    assert out.read_bytes() == source.read_bytes()


def test_examples_are_kept() -> None:
    examples = CATALOGS["test-adyen"].examples["balancePlatform.accountHolder.created"]
    assert len(examples) == 2
    for example in examples:
        assert example["type"] == "balancePlatform.accountHolder.created"


def test_overrides_apply_and_typos_are_refused() -> None:
    data, overridden = generate(
        "star-created",
        seed=1,
        now=NOW,
        provider="test-github",
        overrides={"repository.name": "hookmock", "sender": REMOVE},
    )
    assert data["repository"]["name"] == "hookmock"
    assert "sender" not in data
    assert overridden == {"repository.name", "sender"}
    schema = catalog.load_schema("star-created", "test-github")
    check_paths("star-created", schema, {"repository.name": "x"})
    with pytest.raises(UnknownFieldError) as failure:
        check_paths("star-created", schema, {"repository.nmae": "x"})
    assert "did you mean 'repository.name'?" in str(failure.value)


def test_unknown_names_suggest_close_ones() -> None:
    with pytest.raises(UnknownEventError) as failure:
        catalog.find_event("star-creatd", "test-github")
    assert failure.value.suggestions[0] == "star-created"
    assert "star-deleted" in failure.value.suggestions
    with pytest.raises(
        UnknownEventError, match=r"did you mean 'balancePlatform\.cardorder\.created'"
    ):
        catalog.load_schema("balancePlatform.cardOrder.created", "test-adyen")
    with pytest.raises(UnknownEventError):
        generate("no-such-event", seed=1, now=NOW, provider="test-github")


def test_a_catalog_registered_anew_is_generated_anew() -> None:
    held = Catalog(
        {"thing.made": {"type": "object", "properties": {"n": {"const": 1}}, "required": ["n"]}}
    )
    catalog.register("test-anew", held)
    try:
        assert generate("thing.made", seed=1, now=NOW, provider="test-anew")[0] == {"n": 1}
        catalog.register("test-anew", Catalog({"thing.made": {"const": {"n": 2}}}))
        assert generate("thing.made", seed=1, now=NOW, provider="test-anew")[0] == {"n": 2}
        assert catalog.event_names("test-anew") == ("thing.made",)
    finally:
        catalog.unregister("test-anew")
    assert catalog.registered("test-anew") is None


def test_registering_is_checked() -> None:
    with pytest.raises(ConfigurationError, match="'zoom' is one of hookmock's own catalogs"):
        catalog.register("zoom", Catalog({}))
    with pytest.raises(ConfigurationError, match="register\\(\\) takes a Catalog, got dict"):
        catalog.register("x", {})  # type: ignore[arg-type]
    with pytest.raises(
        ConfigurationError, match="the schema of 'a' must be a JSON object, got list"
    ):
        Catalog({"a": []})  # type: ignore[dict-item]


def test_zoom_is_unaffected() -> None:
    assert catalog.registered("zoom") is None
    assert "meeting.started" in catalog.event_names("zoom")
    assert "push" not in catalog.event_names()
    data = generate("meeting.started", seed=5, now=NOW, profile=GENERATION)[0]
    assert data["event"] == "meeting.started"
    assert catalog.schema_errors("meeting.started", data) == []
    with pytest.raises(UnknownEventError) as failure:
        catalog.find_event("meeting.strted")
    assert failure.value.suggestions[0] == "meeting.started"


# -- the reader ---------------------------------------------------------------------------------


def test_a_mapping_with_openapi_3_0_nullable_and_a_recursive_schema() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "webhooks": {
            "tree.grown": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Tree"},
                                "example": {"type": "tree.grown", "node": {"label": "root"}},
                            }
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "Tree": {
                    "type": "object",
                    "required": ["type", "node"],
                    "properties": {
                        "type": {"type": "string", "enum": ["tree.grown", "tree.felled"]},
                        "node": {"$ref": "#/components/schemas/Node"},
                        "height": {"type": "number", "nullable": True, "minimum": 1},
                        "kind": {"type": "string", "enum": ["oak", "ash"], "nullable": True},
                        "planted": {
                            "allOf": [{"$ref": "#/components/schemas/Day"}],
                            "nullable": True,
                        },
                    },
                },
                "Node": {
                    "type": "object",
                    "required": ["label"],
                    "properties": {
                        "label": {"type": "string", "minLength": 1},
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                    },
                },
                "Day": {"type": "string", "format": "date"},
            }
        },
    }
    held = read_openapi(document)
    schema = held.schemas["tree.grown"]
    properties = schema["properties"]
    assert properties["height"]["type"] == ["number", "null"]
    assert properties["kind"]["enum"] == ["oak", "ash", None]
    assert properties["planted"] == {
        "anyOf": [{"allOf": [{"type": "string", "format": "date"}]}, {"type": "null"}]
    }
    assert properties["type"]["enum"] == ["tree.grown"]
    # The recursion is kept once, in $defs.
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert held.examples["tree.grown"] == [{"type": "tree.grown", "node": {"label": "root"}}]
    catalog.register("test-tree", held)
    try:
        slow, fast = _validators(schema)
        for seed in range(20):
            data = generate("tree.grown", seed=seed, now=NOW, provider="test-tree")[0]
            assert list(slow.iter_errors(data)) == [] and fast.is_valid(data)
    finally:
        catalog.unregister("test-tree")


def test_no_webhooks_section() -> None:
    with pytest.raises(ConfigurationError) as failure:
        read_openapi({"openapi": "3.0.3", "info": {}, "paths": {}})
    assert str(failure.value) == (
        "the OpenAPI document (openapi 3.0.3) has no 'webhooks' section: OpenAPI 3.1 lists the "
        "webhooks a provider sends under the top-level 'webhooks' key; OpenAPI 3.0 has none: its "
        "callbacks answer requests the API makes, and are not read"
    )
    with pytest.raises(ConfigurationError, match=r"openapi 3\.1\.0\) has an empty 'webhooks'"):
        read_openapi({"openapi": "3.1.0", "webhooks": {}})


def _hook(schema: Any) -> dict[str, Any]:
    return {"post": {"requestBody": {"content": {"application/json": {"schema": schema}}}}}


def test_a_ref_that_does_not_resolve() -> None:
    document = {
        "openapi": "3.1.0",
        "webhooks": {"a.b": _hook({"properties": {"x": {"$ref": "#/components/schemas/Gone"}}})},
    }
    with pytest.raises(ConfigurationError) as failure:
        read_openapi(document)
    assert str(failure.value) == (
        "the OpenAPI document: $ref '#/components/schemas/Gone' at "
        "webhooks/a.b/post/requestBody/content/application~1json/schema/properties/x "
        "does not resolve"
    )
    outside = {"openapi": "3.1.0", "webhooks": {"a.b": _hook({"$ref": "other.json#/X"})}}
    with pytest.raises(ConfigurationError, match="only references into the document itself"):
        read_openapi(outside)


def test_a_webhook_without_a_json_body() -> None:
    with pytest.raises(
        ConfigurationError, match="webhook 'a' has no 'post' operation \\(it has: get\\)"
    ):
        read_openapi({"openapi": "3.1.0", "webhooks": {"a": {"get": {}}}})
    form = {"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {}}}}}
    with pytest.raises(ConfigurationError, match="has no JSON request body"):
        read_openapi({"openapi": "3.1.0", "webhooks": {"a": form}})


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the OpenAPI document"):
        read_openapi(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": ', encoding="utf-8")
    with pytest.raises(
        ConfigurationError, match=r"broken\.json is not valid JSON: Expecting value at line 1"
    ):
        read_openapi(broken)


def test_yaml_without_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ConfigurationError) as failure:
        read_openapi(DOCUMENTS["test-readme"])
    assert str(failure.value).endswith(
        "webhooks.yaml is YAML, and reading YAML needs PyYAML: pip install pyyaml "
        "(or convert the document to JSON, which needs nothing)"
    )


# -- Zoom's own documents ------------------------------------------------------------------------

#: Events whose schema in Zoom's documents is not JSON Schema: types "long" and
#: "enum, country┃...", a string where a number belongs, a required list with duplicates.
ZOOM_NOT_SCHEMA = {
    "account.settings_updated",
    "task.created",
    "visitor_management.checked_in",
    "visitor_management.checked_out",
    "visitor_management.invitation_created",
    "visitor_management.invitation_updated",
    "zoomroom.location_created",
    "zoomroom.location_deleted",
    "zoomroom.location_updated",
}
#: Events whose schema in Zoom's documents no value meets: required properties that
#: additionalProperties: false forbids, an enum of strings on a list.
ZOOM_DEFECTS = {
    "group.settings_updated",
    "information_barriers.policy_updated",
    "team_chat.app_mention",
    "team_chat.channel_app_added",
    "team_chat.channel_app_removed",
    "team_chat.channel_invitation_created",
    "team_chat.channel_invitation_rejected",
    "team_chat.channel_join_requested",
}


@zoom_reference.needs_reference
def test_zoom_documents_cross_check() -> None:
    documents = sorted((zoom_reference.REFERENCE / "openapi").glob("*.webhooks.json"))
    assert len(documents) == 22
    # Zoom's documents point at #/paths/ where their webhooks are (reference/zoom/README.md).
    with pytest.raises(
        ConfigurationError, match=r"\$ref '#/paths/.*' at webhooks/.* does not resolve"
    ):
        read_openapi(json.loads(documents[0].read_text(encoding="utf-8")))
    failing: set[str] = set()
    not_schema: set[str] = set()
    count = 0
    for number, path in enumerate(documents):
        text = path.read_text(encoding="utf-8").replace('"#/paths/', '"#/webhooks/')
        held = read_openapi(json.loads(text))
        provider = f"test-zoom-{number}"
        catalog.register(provider, held)
        try:
            for name in held.names:
                count += 1
                schema = catalog.load_schema(name, provider)
                try:
                    jsonschema.Draft202012Validator.check_schema(schema)
                except jsonschema.exceptions.SchemaError:
                    # Still generated, but no validator can judge the result.
                    generate(name, seed=0, now=NOW, provider=provider)
                    not_schema.add(name)
                    continue
                for seed in range(2):
                    data = generate(name, seed=seed, now=NOW, provider=provider)[0]
                    if not jsonschema.Draft202012Validator(schema).is_valid(data):
                        failing.add(name)
        finally:
            catalog.unregister(provider)
    assert count == 295
    assert (sorted(not_schema), sorted(failing)) == (sorted(ZOOM_NOT_SCHEMA), sorted(ZOOM_DEFECTS))
