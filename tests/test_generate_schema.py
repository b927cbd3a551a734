"""The generic generator (hookmock.generate.schema): strings within their bounds and of the
alphabet they are drawn from, shared values never handed out twice, the same values for the same
seed; and Provider.cohere, which a provider uses to make a body consistent before it is written."""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass
from typing import Any

import hookmock
from hookmock.generate.events import serialize
from hookmock.generate.fake import _pattern_generator
from hookmock.generate.kinds import pools
from hookmock.generate.schema import compile_schema

NOW = 1_795_000_000.0


@dataclass
class Ctx:
    rng: random.Random
    now: float = NOW


def draws(schema: dict[str, Any], count: int = 50, seed: int = 1) -> list[Any]:
    draw = compile_schema(schema, pools=pools(), pattern=_pattern_generator)
    ctx = Ctx(random.Random(seed))
    return [draw(ctx) for _ in range(count)]


def test_plain_strings_are_letters_and_digits_within_their_bounds() -> None:
    for low, high in ((0, 10**9), (3, 5), (20, 10**9), (7, 7)):
        schema: dict[str, Any] = {"type": "string", "minLength": low}
        if high < 10**9:
            schema["maxLength"] = high
        values = draws(schema)
        assert all(low <= len(v) <= high for v in values), (schema, values)
        assert all(set(v) <= set(string.ascii_letters + string.digits) for v in values)
        assert len(set(values)) > 1


def test_ids_are_uppercase_and_digits_and_a_realistic_value_too_long_is_replaced() -> None:
    ids = draws({"type": "object", "properties": {"id": {"type": "string"}}})
    assert all(len(v["id"]) == 16 for v in ids)
    assert all(set(v["id"]) <= set(string.ascii_uppercase + string.digits) for v in ids)
    short = draws({"type": "object", "properties": {"id": {"type": "string", "maxLength": 4}}})
    assert all(1 <= len(v["id"]) <= 4 for v in short)


def test_the_same_seed_gives_the_same_values() -> None:
    schema = {
        "type": "object",
        "properties": {
            "email": {"type": "string", "format": "email"},
            "html_url": {"type": "string"},
            "note": {"type": ["string", "null"]},
        },
    }
    assert json.dumps(draws(schema, seed=5)) == json.dumps(draws(schema, seed=5))
    assert draws(schema, seed=5) != draws(schema, seed=6)


def test_a_listed_object_is_copied_and_a_listed_scalar_is_given_as_is() -> None:
    objects = draws({"enum": [{"a": [1]}]}, count=2)
    objects[0]["a"].append(2)
    assert objects[1] == {"a": [1]}
    constant = draws({"const": {"a": 1}}, count=2)
    assert constant[0] is not constant[1]
    assert draws({"enum": ["x", "y"]}, count=20).count("x") not in (0, 20)


class RecordingStripe(hookmock.Stripe):
    calls: list[tuple[str, int, float, frozenset[str]]]

    def cohere(
        self,
        event: str,
        data: Any,
        *,
        seed: int,
        now: float,
        overridden: frozenset[str],
        full: bool = False,
    ) -> None:
        self.calls.append((event, seed, now, overridden))
        super().cohere(event, data, seed=seed, now=now, overridden=overridden, full=full)
        data["livemode"] = True


def test_cohere_runs_before_the_body_is_written() -> None:
    stripe = RecordingStripe(secret="whsec_" + "A" * 32, seed=1)
    stripe.calls = []
    event = stripe.fake("customer.created", {"data.object.email": "a@example.com"}, now=NOW)
    assert stripe.calls == [("customer.created", event.seed, NOW, frozenset({"data.object.email"}))]
    assert event.data["livemode"] is True  # what this cohere set, in the bytes too
    assert event.data["id"].startswith("evt_")
    assert event.body == serialize(event.data, "pretty")
