"""The values a seed gives stay the values it gives: one digest per provider of the bodies of
every event of its catalog for two seeds, stored in ``tests/data/generation-digests.json``.

A change that alters any generated value for a seed fails here. When the change is meant
(a new kind of value, a rule that makes bodies more real), write the digests anew with
``python -m tests.test_generation_digests`` and say so in the change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hookmock import GitHub, Provider, Slack, StandardWebhooks, Stripe, Zoom

DATA = Path(__file__).resolve().parent / "data"
STORED = DATA / "generation-digests.json"
NOW = 1_795_000_000.0
SEEDS = (1, 2)
WHSEC = "whsec_" + "A" * 32

PROVIDERS: dict[str, Callable[[], Provider]] = {
    "zoom": lambda: Zoom(secret_token="digests", seed=1),
    "standard-webhooks": lambda: StandardWebhooks(secret=WHSEC, seed=1),
    "github": lambda: GitHub(secret="digests", seed=1),
    "stripe": lambda: Stripe(secret="whsec_digests", seed=1),
    "slack": lambda: Slack(secret="digests", seed=1),
    "openapi:adyen": lambda: Provider.from_openapi(
        DATA / "openapi" / "adyen" / "BalancePlatformConfigurationNotification-v1.json",
        secret=WHSEC,
        seed=1,
    ),
}


def digest(provider: Provider) -> str:
    """The SHA-256 of every event's name and body, for each seed, with every field and
    without."""
    total = hashlib.sha256()
    for name in provider.event_names():
        for seed in SEEDS:
            for full in (False, True):
                total.update(name.encode() + b"\0")
                total.update(provider.fake(name, seed=seed, now=NOW, full=full).body + b"\0")
    return total.hexdigest()


@pytest.mark.parametrize("name", sorted(PROVIDERS))
def test_a_seed_gives_the_bodies_it_gave(name: str) -> None:
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    assert digest(PROVIDERS[name]()) == stored[name], (
        f"the bodies generated for {name}'s events from seeds {SEEDS} changed; if that is meant, "
        "run python -m tests.test_generation_digests"
    )


def test_every_provider_is_covered() -> None:
    from hookmock.providers import PROVIDERS as KNOWN

    assert set(KNOWN) <= set(PROVIDERS)


if __name__ == "__main__":
    found = {name: digest(make()) for name, make in sorted(PROVIDERS.items())}
    STORED.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {STORED}")
