"""GitHub's events: every event and action of ``@octokit/webhooks-schemas``, as a catalog.

The package (MIT, https://github.com/octokit/webhooks) is one JSON Schema (draft-07) whose
``definitions`` hold each event's body (``pull_request$opened``, ``push$event``) and the shapes
they share (``repository``, ``user``...). It is vendored gzip'd in ``data/`` (``VERSION`` says
which release; ``tools/build_github_schemas.py`` refreshes it) and read on first use:

- each event is named as GitHub writes it, the action joined by a dot: ``pull_request.opened``;
  an event without actions by its name alone: ``push``, ``ping``;
- each schema is made to stand alone (its ``$ref`` s inlined, see
  :func:`hookmock.providers.openapi.standalone_schemas`), without draft-07's ``$schema`` and
  the TypeScript generator's ``tsAdditionalProperties``;
- :data:`PATCHES` narrow a few places where the community schema is looser than what GitHub
  sends, as GitHub's own OpenAPI description (github/rest-api-description, from which
  githubkit's models are made) states it, so that a generated event is one GitHub could send.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...generate import catalog
from ..openapi import standalone_schemas

__all__ = ["CATALOG_NAME", "DATA", "PATCHES", "event_header", "load_document", "register"]

#: The name GitHub's events are known by in this process's catalogs.
CATALOG_NAME = "github"
DATA = Path(__file__).with_name("data")
SCHEMA_FILE = DATA / "webhooks-schemas.json.gz"

#: Keywords of draft-07 and of octokit's TypeScript generator that 2020-12 validators do not
#: need (a nested ``$schema`` is not allowed there).
_DROPPED = frozenset({"$schema", "tsAdditionalProperties", "tsType"})

_MERGE_TITLE = {"type": "string", "enum": ["PR_TITLE", "MERGE_MESSAGE"]}
_MERGE_MESSAGE = {"type": "string", "enum": ["PR_BODY", "PR_TITLE", "BLANK"]}
_SQUASH_TITLE = {"type": "string", "enum": ["PR_TITLE", "COMMIT_OR_PR_TITLE"]}
_SQUASH_MESSAGE = {"type": "string", "enum": ["PR_BODY", "COMMIT_MESSAGES", "BLANK"]}

#: Where a property of this name, anywhere, is declared as a plain string or number, what
#: GitHub's OpenAPI description says it is. Repositories' merge settings take one of a few
#: values (https://docs.github.com/en/rest/repos/repos#update-a-repository); ids are integers.
_BY_NAME: dict[str, dict[str, Any]] = {
    "merge_commit_title": _MERGE_TITLE,
    "merge_commit_message": _MERGE_MESSAGE,
    "squash_merge_commit_title": _SQUASH_TITLE,
    "squash_merge_commit_message": _SQUASH_MESSAGE,
    # A Marketplace plan's pricing (https://docs.github.com/en/rest/apps/marketplace).
    "price_model": {"type": "string", "enum": ["FREE", "FLAT_RATE", "PER_UNIT"]},
}

#: App permissions that have one level only (GitHub's ``app-permissions`` schema).
_ONE_LEVEL = {
    "workflows": "write",
    "profile": "write",
    "organization_events": "read",
    "organization_plan": "read",
    "organization_copilot_requests": "read",
}


def _integer_ids(node: dict[str, Any]) -> None:
    """Ids and numbers are integers (octokit declares a few as ``number``)."""
    for key, sub in (node.get("properties") or {}).items():
        if (key == "id" or key.endswith("_id") or key == "number") and isinstance(sub, dict):
            typ = sub.get("type")
            if typ == "number":
                sub["type"] = "integer"
            elif isinstance(typ, list) and "number" in typ:
                sub["type"] = ["integer" if t == "number" else t for t in typ]


def _no_string_organization(node: dict[str, Any]) -> None:
    """A repository's optional ``organization`` is declared a string; GitHub's description has
    it an object, when there at all: generated repositories leave it out."""
    properties = node.get("properties")
    if (
        isinstance(properties, dict)
        and "full_name" in properties
        and properties.get("organization") == {"type": "string"}
        and "organization" not in node.get("required", ())
    ):
        del properties["organization"]


def _reviewers_are_users(node: dict[str, Any]) -> None:
    """A pull request's ``requested_reviewers`` are users; requested teams are listed in
    ``requested_teams``."""
    sub = (node.get("properties") or {}).get("requested_reviewers")
    if isinstance(sub, dict) and isinstance(sub.get("items"), dict):
        branches = sub["items"].get("oneOf") or ()
        users = [b for b in branches if b.get("$ref") == "#/definitions/user"]
        if users:
            sub["items"] = users[0]


#: Properties the community schema lets be null where GitHub's description does not: a pull
#: request's ``merged`` flag, its head's ``repo`` and the user who enabled auto-merge.
_NEVER_NULL = frozenset({"merged", "repo", "enabled_by"})


def _never_null(node: dict[str, Any]) -> None:
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return
    for key in _NEVER_NULL & properties.keys():
        sub = properties[key]
        if not isinstance(sub, dict):
            continue
        typ = sub.get("type")
        if isinstance(typ, list) and "null" in typ and len(typ) == 2:
            properties[key] = {**sub, "type": next(t for t in typ if t != "null")}
        for keyword in ("oneOf", "anyOf"):
            branches = sub.get(keyword)
            if isinstance(branches, list) and {"type": "null"} in branches:
                kept = [b for b in branches if b != {"type": "null"}]
                rest = {k: v for k, v in sub.items() if k != keyword}
                properties[key] = {**rest, **kept[0]} if len(kept) == 1 else {**sub, keyword: kept}


def _ping(node: dict[str, Any]) -> None:
    """A ping's ``hook.name`` is always ``web`` (the only kind of webhook there is)."""
    node["properties"]["hook"]["properties"]["name"] = {"type": "string", "enum": ["web"]}


def _webhook_events(definitions: dict[str, Any]) -> None:
    """A webhook's ``events`` name any of the events of the document: the schema lists only
    some (not ``installation``, which an App's webhook receives, nor ``workflow_dispatch``)."""
    families = sorted({key.partition("$")[0] for key in definitions if "$" in key})
    for branch in definitions["webhook-events"]["oneOf"]:
        if "enum" in branch["items"]:
            branch["items"] = {**branch["items"], "enum": families}


def _one_level_permissions(node: dict[str, Any]) -> None:
    """A few App permissions are read-only or write-only."""
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return
    for key in _ONE_LEVEL.keys() & properties.keys():
        sub = properties[key]
        if isinstance(sub, dict) and sub.get("enum") == ["read", "write"]:
            properties[key] = {**sub, "enum": [_ONE_LEVEL[key]]}


def _dequeued(node: dict[str, Any]) -> None:
    """Why a pull request left the merge queue: one of GitHub's reasons."""
    node["properties"]["reason"] = {
        "type": "string",
        "enum": [
            "UNKNOWN_REMOVAL_REASON",
            "MANUAL",
            "MERGE",
            "MERGE_CONFLICT",
            "CI_FAILURE",
            "CI_TIMEOUT",
            "ALREADY_MERGED",
            "QUEUE_CLEARED",
            "ROLL_BACK",
            "BRANCH_PROTECTIONS",
            "GIT_TREE_INVALID",
            "INVALID_MERGE_COMMIT",
        ],
    }


def _branch_protection_rule(node: dict[str, Any]) -> None:
    _add(
        node,
        {
            "lock_branch_enforcement_level": {
                "type": "string",
                "enum": ["off", "non_admins", "everyone"],
            }
        },
    )


def _job_completed(node: dict[str, Any]) -> None:
    """A completed job has finished: ``completed_at`` is a time."""
    job = node["properties"]["workflow_job"]
    job["allOf"][1]["properties"]["completed_at"] = {"type": "string", "format": "date-time"}
    job["allOf"][1]["required"] = [*job["allOf"][1]["required"], "completed_at"]


def _card_after_id(node: dict[str, Any]) -> None:
    """A project card's ``after_id`` is the id of the card before it, or null."""
    node["properties"]["after_id"] = {"type": ["integer", "null"]}


def _job_unfinished(node: dict[str, Any]) -> None:
    """A job that has not finished has no conclusion yet."""
    job = node["properties"]["workflow_job"]
    job["allOf"][1]["properties"]["conclusion"] = {"type": "null"}


def _status_emails(node: dict[str, Any]) -> None:
    """The author and committer of a status's commit have an email address."""
    commit = node["properties"]["commit"]["properties"]["commit"]["properties"]
    for who in ("author", "committer"):
        commit[who]["allOf"][1]["properties"]["email"] = {"type": "string", "format": "email"}


def _status_verified_at(node: dict[str, Any]) -> None:
    """A status's commit verification carries ``verified_at``, when GitHub verified the
    signature (null if it did not)."""
    commit = node["properties"]["commit"]["properties"]["commit"]["properties"]
    _add(
        commit["verification"], {"verified_at": {"type": ["string", "null"], "format": "date-time"}}
    )


def _marketplace_sender(node: dict[str, Any]) -> None:
    """A Marketplace purchase's ``sender`` is a user like any other, with its ``node_id``."""
    _add(node["properties"]["sender"], {"node_id": {"type": "string"}})


def _auto_merge_title(node: dict[str, Any]) -> None:
    """Auto-merge's ``commit_title`` is a string (empty when the default title is used)."""
    node["properties"]["commit_title"] = {"type": "string"}


def _registry_package_description(node: dict[str, Any]) -> None:
    """An updated registry package's ``description`` is null in GitHub's description."""
    node["properties"]["registry_package"]["properties"]["description"] = {"type": "null"}


def _fork_nulls(node: dict[str, Any]) -> None:
    """A fork is new: GitHub's description has its ``language`` and ``mirror_url`` null."""
    forkee = node["properties"]["forkee"]["allOf"][1]["properties"]
    forkee["language"] = {"type": "null"}
    forkee["mirror_url"] = {"type": "null"}
    forkee["pushed_at"] = {"type": "string", "format": "date-time"}


def _updated_version(node: dict[str, Any]) -> None:
    """An updated package has a version: ``package_version`` is never null."""
    package = next(v for k, v in node["properties"].items() if k.endswith("package"))
    version = package["properties"]["package_version"]
    branches = [b for b in version["oneOf"] if b != {"type": "null"}]
    rest = {k: v for k, v in version.items() if k != "oneOf"}
    package["properties"]["package_version"] = {**rest, **branches[0]}


def _no_free_trial(node: dict[str, Any]) -> None:
    """When a pending change is cancelled, the purchase's ``free_trial_ends_on`` is null in
    GitHub's description."""
    purchase = node["properties"]["marketplace_purchase"]["allOf"][1]
    purchase["properties"]["free_trial_ends_on"] = {"type": "null"}


def _previous_purchase(node: dict[str, Any]) -> None:
    """A Marketplace event's ``previous_marketplace_purchase`` has no free trial running:
    GitHub's description has its ``free_trial_ends_on`` null."""
    properties = node["properties"]
    previous = properties.get("previous_marketplace_purchase")
    if isinstance(previous, dict) and "$ref" in previous:
        properties["previous_marketplace_purchase"] = {
            "allOf": [previous, {"properties": {"free_trial_ends_on": {"type": "null"}}}]
        }


#: A package version's metadata lists, whose items octokit leaves unconstrained.
_METADATA_LISTS = frozenset({"metadata", "docker_metadata", "rubygems_metadata"})


def _metadata_objects(node: dict[str, Any]) -> None:
    """A package version's ``metadata``, ``docker_metadata`` and ``rubygems_metadata`` list
    objects (GitHub's description); octokit lets their items be anything."""
    properties = node.get("properties")
    if not isinstance(properties, dict) or "package_files" not in properties:
        return
    for key in _METADATA_LISTS & properties.keys():
        sub = properties[key]
        if isinstance(sub, dict) and sub.get("type") == "array" and sub.get("items") == {}:
            properties[key] = {**sub, "items": {"type": "object"}}


def _dismissed_review(node: dict[str, Any]) -> None:
    """A dismissed review had been submitted: its ``submitted_at`` is a time."""
    review = node["properties"]["review"]["allOf"][1]["properties"]
    review["submitted_at"] = {"type": "string", "format": "date-time"}


def _location(node: dict[str, Any]) -> None:
    """A secret scanning location declares its properties in its ``oneOf`` branches: beside
    them, ``additionalProperties: false`` refuses every property, so no location is valid."""
    node.pop("additionalProperties", None)


def _add(node: dict[str, Any], fields: dict[str, Any]) -> None:
    node.setdefault("properties", {}).update(fields)
    node["required"] = [
        *node.get("required", ()),
        *(k for k in fields if k not in node.get("required", ())),
    ]


def _team_type(node: dict[str, Any]) -> None:
    """Teams (and their parents) carry ``type``, organization or enterprise team."""
    required = node.get("required") or ()
    if {"slug", "privacy", "permission"} <= set(required) and "type" not in node.get(
        "properties", {}
    ):
        _add(node, {"type": {"type": "string", "enum": ["organization", "enterprise"]}})


def _label(node: dict[str, Any]) -> None:
    """Labels carry ``archived_at`` and ``archived_by``: null for a label in use."""
    _add(node, {"archived_at": {"type": "null"}, "archived_by": {"type": "null"}})


def _discussion(node: dict[str, Any]) -> None:
    _add(
        node,
        {
            "state_reason": {
                "type": ["string", "null"],
                "enum": ["resolved", "outdated", "duplicate", "reopened", None],
            }
        },
    )


def _release(node: dict[str, Any]) -> None:
    _add(
        node,
        {
            "updated_at": {"type": ["string", "null"], "format": "date-time"},
            "immutable": {"type": "boolean"},
        },
    )


def _release_asset(node: dict[str, Any]) -> None:
    _add(node, {"digest": {"type": ["string", "null"]}})


#: Changes to the community schema, each with why (in its docstring): ``(definition, change)``;
#: ``"*"`` applies the change to every object schema of the document. They bring it to what
#: GitHub's OpenAPI description (github/rest-api-description) says GitHub sends.
PATCHES: tuple[tuple[str, Callable[[dict[str, Any]], None]], ...] = (
    ("*", _integer_ids),
    ("*", _no_string_organization),
    ("*", _team_type),
    ("*", _reviewers_are_users),
    ("*", _never_null),
    ("*", _one_level_permissions),
    ("*", _metadata_objects),
    ("pull_request$dequeued", _dequeued),
    ("branch-protection-rule", _branch_protection_rule),
    ("workflow_job$completed", _job_completed),
    ("workflow_job$in_progress", _job_unfinished),
    ("workflow_job$queued", _job_unfinished),
    ("workflow_job$waiting", _job_unfinished),
    ("project-card", _card_after_id),
    ("status$event", _status_emails),
    ("status$event", _status_verified_at),
    ("marketplace_purchase$cancelled", _marketplace_sender),
    ("marketplace_purchase$cancelled", _previous_purchase),
    ("marketplace_purchase$changed", _marketplace_sender),
    ("marketplace_purchase$changed", _previous_purchase),
    ("marketplace_purchase$pending_change", _marketplace_sender),
    ("marketplace_purchase$pending_change", _previous_purchase),
    ("marketplace_purchase$pending_change_cancelled", _marketplace_sender),
    ("marketplace_purchase$pending_change_cancelled", _previous_purchase),
    ("marketplace_purchase$purchased", _marketplace_sender),
    ("marketplace_purchase$purchased", _previous_purchase),
    ("marketplace_purchase$pending_change_cancelled", _no_free_trial),
    ("package$updated", _updated_version),
    ("registry_package$updated", _updated_version),
    ("fork$event", _fork_nulls),
    ("pull_request_review$dismissed", _dismissed_review),
    ("auto-merge", _auto_merge_title),
    ("registry_package$updated", _registry_package_description),
    ("secret-scanning-location", _location),
    ("ping$event", _ping),
    ("label", _label),
    ("discussion", _discussion),
    ("release", _release),
    ("release-asset", _release_asset),
)


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items() if k not in _DROPPED}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def _narrow_by_name(node: dict[str, Any]) -> None:
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return
    for key, schema in _BY_NAME.items():
        sub = properties.get(key)
        if isinstance(sub, dict) and "enum" not in sub and sub.get("type") == "string":
            properties[key] = {**sub, **schema}


@functools.cache
def load_document() -> dict[str, Any]:
    """The vendored schema document, cleaned and patched (cached: do not modify it)."""
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as handle:
        document: dict[str, Any] = _clean(json.load(handle))
    definitions = document["definitions"]
    _walk(definitions, _narrow_by_name)
    _webhook_events(definitions)
    for where, change in PATCHES:
        if where == "*":
            _walk(definitions, change)
        else:
            change(definitions[where])
    return document


def event_refs(document: dict[str, Any]) -> dict[str, str]:
    """Each event name and the ``$ref`` of its schema, from the document's top-level ``oneOf``
    (one definition per event, each a ``oneOf`` of one definition per action)."""
    definitions = document["definitions"]
    refs: dict[str, str] = {}
    for entry in document["oneOf"]:
        key = entry["$ref"].rsplit("/", 1)[-1]
        if key.endswith("$event"):
            refs[key.removesuffix("$event")] = entry["$ref"]
            continue
        for branch in definitions[key]["oneOf"]:
            event, _, action = branch["$ref"].rsplit("/", 1)[-1].partition("$")
            refs[f"{event}.{action}"] = branch["$ref"]
    return refs


def event_header(name: str) -> str:
    """``X-GitHub-Event`` of the event *name*: its name without the action."""
    return name.partition(".")[0]


def register() -> str:
    """Register GitHub's catalog (once per process); the name it is known by."""
    if catalog.registered(CATALOG_NAME) is None:
        document = load_document()
        schemas = standalone_schemas(
            document, event_refs(document), label="@octokit/webhooks-schemas"
        )
        catalog.register(CATALOG_NAME, catalog.Catalog(schemas))
    return CATALOG_NAME
