"""Scenarios: the events GitHub sends as something happens, coherent with each other.

``"pull_request"``: a pull request's life. It is opened (head at one commit), a push to its
branch synchronizes it (``before`` the first commit, ``after`` a second), a review approving the
second commit is submitted, and it is merged (``closed`` with ``merged: true`` and a merge
commit). Every event names the same repository, sender, pull request (id, number, title,
branches) and the same head commit where GitHub's would; the events are 10, 30 and 40 minutes
apart on the provider's clock.
"""

from __future__ import annotations

import random
import time
from typing import Any

from ...engine.simulator import Provider
from ...errors import ConfigurationError
from ...generate.events import Event

__all__ = ["SCENARIOS", "build_scenario"]

#: Each scenario: what it plays, and its parameters with their defaults.
SCENARIOS: dict[str, tuple[str, dict[str, Any]]] = {
    "pull_request": (
        "a pull request opened, pushed to (synchronize), approved in a review, closed and merged",
        {
            "number": None,
            "title": "Add retries to the webhook receiver",
            "branch": "retries",
            "base": "main",
        },
    ),
}


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def build_scenario(github: Provider, name: str, **params: Any) -> list[tuple[float, Event]]:
    """Each event of the scenario *name* and when it happens (provider time).

    :raises ConfigurationError: for an unknown scenario or parameter.
    """
    if name not in SCENARIOS:
        raise ConfigurationError(f"unknown GitHub scenario {name!r}; known: {', '.join(SCENARIOS)}")
    defaults = SCENARIOS[name][1]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ConfigurationError(
            f"scenario {name!r} has no parameter {', '.join(unknown)}; its parameters: "
            f"{', '.join(defaults)}"
        )
    return _pull_request(github, **{**defaults, **params})


def _pull_request(
    github: Provider,
    *,
    number: int | None,
    title: str,
    branch: str,
    base: str,
) -> list[tuple[float, Event]]:
    rng = random.Random(github.seed ^ 0x9A11)
    start = github.clock()
    number = number if number is not None else rng.randrange(1, 5000)
    first, second, merge = _sha(rng), _sha(rng), _sha(rng)
    pull_id = rng.randrange(10**9, 3 * 10**9)
    opened = github.fake(
        "pull_request.opened",
        {
            "number": number,
            "pull_request.id": pull_id,
            "pull_request.title": title,
            "pull_request.head.ref": branch,
            "pull_request.head.sha": first,
            "pull_request.base.ref": base,
            "pull_request.created_at": _iso(start),
            "pull_request.updated_at": _iso(start),
            "pull_request.merged": False,
            "pull_request.draft": False,
        },
        now=start,
    )
    shared = {
        "repository": opened.data["repository"],
        "sender": opened.data["sender"],
        "pull_request.id": pull_id,
        "pull_request.number": number,
        "pull_request.title": title,
        "pull_request.user": opened.data["pull_request"]["user"],
        "pull_request.head.ref": branch,
        "pull_request.base.ref": base,
        "pull_request.created_at": _iso(start),
    }
    synced_at = start + 600
    synchronize = github.fake(
        "pull_request.synchronize",
        {
            **shared,
            "number": number,
            "before": first,
            "after": second,
            "pull_request.head.sha": second,
            "pull_request.updated_at": _iso(synced_at),
            "pull_request.merged": False,
        },
        now=synced_at,
    )
    reviewed_at = start + 1800
    review = github.fake(
        "pull_request_review.submitted",
        {
            **shared,
            "pull_request.head.sha": second,
            "pull_request.updated_at": _iso(reviewed_at),
            "review.state": "approved",
            "review.commit_id": second,
            "review.submitted_at": _iso(reviewed_at),
        },
        now=reviewed_at,
    )
    merged_at = start + 2400
    closed = github.fake(
        "pull_request.closed",
        {
            **shared,
            "number": number,
            "pull_request.head.sha": second,
            "pull_request.merged": True,
            "pull_request.merged_at": _iso(merged_at),
            "pull_request.closed_at": _iso(merged_at),
            "pull_request.updated_at": _iso(merged_at),
            "pull_request.merge_commit_sha": merge,
            "pull_request.merged_by": opened.data["sender"],
        },
        now=merged_at,
    )
    return [(start, opened), (synced_at, synchronize), (reviewed_at, review), (merged_at, closed)]
