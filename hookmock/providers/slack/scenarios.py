"""Slack scenarios: events that belong together, with coherent channels, users and timestamps.

``conversation``: in one channel, a person posts a message; another reacts to it
(``reaction_added``, whose ``item`` is that message's channel and ``ts``); the second person
mentions the app (``app_mention``); the first answers in the message's thread (a ``message``
whose ``thread_ts`` is the first message's ``ts`` and ``parent_user_id`` its author). Each
message's ``ts`` is its ``event_ts``: Slack uses one timestamp for both.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import ConfigurationError
from ...generate.events import Event

if TYPE_CHECKING:
    from ...engine.simulator import Provider

__all__ = ["SCENARIOS", "ScenarioEvent", "build_scenario"]


@dataclass(frozen=True)
class ScenarioEvent:
    """One event of a scenario, due *at* (provider time, Unix seconds)."""

    at: float
    event: Event


def _id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(10))


def _conversation(slack: Provider, params: dict[str, Any]) -> list[tuple[float, Event]]:
    rng = random.Random(slack._events.getrandbits(63))
    channel = params["channel"] or _id(rng, "C")
    author = params["user"] or _id(rng, "U")
    other = _id(rng, "U")
    start = slack.event_time()
    common = {"event.channel": channel}
    posted = slack.fake(
        "message",
        {**common, "event.user": author, "event.channel_type": "channel"},
        text=params["text"],
        now=start,
    )
    ts = posted.data["event"]["ts"]
    reacted = slack.fake(
        "reaction_added",
        {
            "event.user": other,
            "event.item_user": author,
            "event.item": {"type": "message", "channel": channel, "ts": ts},
        },
        now=start + 20,
    )
    mentioned = slack.fake(
        "app_mention",
        {**common, "event.user": other},
        text=f"<@{params['bot_user_id']}> {params['mention']}",
        now=start + 45,
    )
    replied = slack.fake(
        "message",
        {
            **common,
            "event.user": author,
            "event.channel_type": "channel",
            "event.thread_ts": ts,
            "event.parent_user_id": author,
        },
        text=params["reply"],
        now=start + 90,
    )
    return [(start, posted), (start + 20, reacted), (start + 45, mentioned), (start + 90, replied)]


_Builder = Callable[["Provider", dict[str, Any]], list[tuple[float, Event]]]

#: Each scenario: what it is, its parameters and their defaults, and how it is built.
SCENARIOS: dict[str, tuple[str, dict[str, Any], _Builder]] = {
    "conversation": (
        "a message, a reaction to it, a mention of the app, a reply in the message's thread",
        {
            "channel": None,
            "user": None,
            "text": "Has anyone looked at the release notes?",
            "mention": "can you summarise this thread?",
            "reply": "I did, they look good.",
        },
        _conversation,
    ),
}


def build_scenario(
    slack: Provider, name: str, *, bot_user_id: str, **params: Any
) -> list[ScenarioEvent]:
    """The events of scenario *name*, in order, timed from the provider's clock.

    :param bot_user_id: the app's bot user, whom the mention names.

    :raises ConfigurationError: for an unknown scenario or parameter.
    """
    try:
        _about, defaults, builder = SCENARIOS[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)}"
        ) from None
    unknown = set(params) - set(defaults)
    if unknown:
        allowed = ", ".join(f"{k}={v!r}" for k, v in defaults.items())
        raise ConfigurationError(
            f"scenario {name!r} has no parameter {', '.join(sorted(unknown))}; it takes: {allowed}"
        )
    for key in ("channel", "user"):
        value = params.get(key)
        prefix = "C" if key == "channel" else "U"
        if value is not None and (not isinstance(value, str) or not value.startswith(prefix)):
            raise ConfigurationError(
                f"scenario {name!r}: {key} must be a Slack id starting with {prefix!r}, "
                f"got {value!r}"
            )
    steps = builder(slack, {**defaults, **params, "bot_user_id": bot_user_id})
    # Bodies are timed on the clock signing timestamps read; the steps are due on the
    # provider's clock, which advancing has put ahead of it by this much.
    ahead = slack.clock() - slack.event_time()
    return [ScenarioEvent(at + ahead, event) for at, event in steps]
