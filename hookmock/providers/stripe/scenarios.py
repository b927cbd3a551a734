"""Coherent sequences of Stripe events: the events one story produces, in the order Stripe sends
them, sharing their ids (the customer's, the subscription's, each invoice's) and times.

``subscription``: a customer signs up for a monthly plan and is billed cycle after cycle
(https://docs.stripe.com/billing/subscriptions/webhooks, "Subscription events" and "Subscription
lifecycle"):

- sign-up: ``customer.created``, ``customer.subscription.created``, then the first invoice's
  ``invoice.created``, ``invoice.finalized``, ``invoice.paid`` and ``invoice.payment_succeeded``;
- each renewal: ``customer.subscription.updated`` (the period moves on) and ``invoice.created``;
  an hour later (Stripe waits an hour after ``invoice.created`` before it finalizes and charges a
  renewal invoice) ``invoice.finalized``, then ``invoice.paid`` and
  ``invoice.payment_succeeded``, or, with ``payment_fails``, the last renewal's
  ``invoice.payment_failed`` and ``customer.subscription.updated`` to ``past_due``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import ConfigurationError
from ...generate.events import Event

if TYPE_CHECKING:
    from ...engine.simulator import Provider

__all__ = ["SCENARIOS", "ScenarioEvent", "build_scenario"]

_Step = tuple[float, str, dict[str, Any]]
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: Stripe's delay between a renewal invoice's creation and its finalization and payment.
_FINALIZE_AFTER = 3600.0
_DAY = 86400.0


@dataclass(frozen=True)
class ScenarioEvent:
    """One event of a scenario, due *at* (provider time, Unix seconds)."""

    at: float
    event: Event


def _id(rng: random.Random, prefix: str, length: int = 14) -> str:
    return prefix + "".join(_BASE62[rng.randrange(62)] for _ in range(length))


def _subscription(params: Mapping[str, Any], start: float, rng: random.Random) -> list[_Step]:
    cycles, days, amount = params["cycles"], params["days"], params["amount"]
    if cycles < 1 or days < 1 or amount < 1:
        raise ConfigurationError(
            "scenario 'subscription': cycles, days and amount must be at least 1 "
            f"(got cycles={cycles}, days={days}, amount={amount})"
        )
    customer = _id(rng, "cus_")
    subscription = _id(rng, "sub_", 24)
    item = _id(rng, "si_")
    price = _id(rng, "price_", 24)
    email = f"customer{rng.randrange(1000, 10000)}@example.com"
    prefix = "".join(_BASE62[10 + rng.randrange(26)] for _ in range(8))
    anchor = int(start)
    start = float(anchor)
    period = int(days * _DAY)

    def sub_values(n: int, status: str) -> dict[str, Any]:
        begin = anchor + n * period
        return {
            "data.object.id": subscription,
            "data.object.customer": customer,
            "data.object.status": status,
            "data.object.created": anchor,
            "data.object.start_date": anchor,
            "data.object.billing_cycle_anchor": anchor,
            "data.object.cancel_at": None,
            "data.object.canceled_at": None,
            "data.object.cancel_at_period_end": False,
            "data.object.ended_at": None,
            "data.object.trial_start": None,
            "data.object.trial_end": None,
            "data.object.items.data.0.id": item,
            "data.object.items.data.0.subscription": subscription,
            "data.object.items.data.0.price.id": price,
            "data.object.items.data.0.price.unit_amount": amount,
            "data.object.items.data.0.price.unit_amount_decimal": str(amount),
            "data.object.items.data.0.current_period_start": begin,
            "data.object.items.data.0.current_period_end": begin + period,
        }

    def invoice_values(invoice: str, n: int, status: str, paid: bool) -> dict[str, Any]:
        begin = anchor + n * period
        values = {
            "data.object.id": invoice,
            "data.object.customer": customer,
            "data.object.customer_email": email,
            "data.object.subscription": subscription,
            "data.object.parent.type": "subscription_details",
            "data.object.parent.subscription_details.subscription": subscription,
            "data.object.billing_reason": "subscription_create" if n == 0 else "subscription_cycle",
            "data.object.status": status,
            "data.object.number": f"{prefix}-{n + 1:04d}" if status != "draft" else None,
            "data.object.amount_due": amount,
            "data.object.amount_paid": amount if paid else 0,
            "data.object.amount_remaining": 0 if paid else amount,
            "data.object.subtotal": amount,
            "data.object.total": amount,
            "data.object.period_start": begin,
            "data.object.period_end": begin + period,
            "data.object.lines.data.0.amount": amount,
            "data.object.lines.data.0.invoice": invoice,
            "data.object.lines.data.0.subscription": subscription,
            "data.object.lines.data.0.period": {"start": begin, "end": begin + period},
        }
        return values

    steps: list[_Step] = [
        (
            start,
            "customer.created",
            {"data.object.id": customer, "data.object.email": email, "data.object.created": anchor},
        ),
        (start + 1, "customer.subscription.created", sub_values(0, "active")),
    ]
    for n in range(cycles):
        invoice = _id(rng, "in_", 24)
        at = anchor + n * period
        finalize = at + (3 if n == 0 else _FINALIZE_AFTER)
        failing = params["payment_fails"] and n == cycles - 1 and n > 0
        if n > 0:
            updated = sub_values(n, "active")
            updated["data.object.latest_invoice"] = invoice
            updated["data.previous_attributes"] = {
                "items": {"data": [{"current_period_start": at - period}]}
            }
            steps.append((at, "customer.subscription.updated", updated))
        created = invoice_values(invoice, n, "draft", paid=False)
        created["data.object.created"] = at + 2
        steps.append((at + 2, "invoice.created", created))
        steps.append((finalize, "invoice.finalized", invoice_values(invoice, n, "open", False)))
        if failing:
            failed = invoice_values(invoice, n, "open", paid=False)
            failed["data.object.attempted"] = True
            failed["data.object.attempt_count"] = 1
            steps.append((finalize + 2, "invoice.payment_failed", failed))
            past_due = sub_values(n, "past_due")
            past_due["data.previous_attributes"] = {"status": "active"}
            steps.append((finalize + 3, "customer.subscription.updated", past_due))
            continue
        paid = invoice_values(invoice, n, "paid", paid=True)
        paid["data.object.status_transitions.paid_at"] = int(finalize) + 2
        steps.append((finalize + 2, "invoice.paid", paid))
        steps.append((finalize + 3, "invoice.payment_succeeded", paid))
    return steps


#: Each scenario: what it is, its parameters with their defaults, and its builder.
SCENARIOS = {
    "subscription": (
        "a subscription's billing cycles: the customer and subscription created, then each "
        "cycle's invoice created, finalized and paid (the last renewal's payment failing with "
        "payment_fails)",
        {"cycles": 2, "days": 30, "amount": 2000, "payment_fails": False},
        _subscription,
    ),
}
#: The largest count a scenario parameter takes.
MAX_PARAM = 10_000_000


def _check_param(scenario: str, key: str, value: Any, default: Any) -> None:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigurationError(
                f"scenario {scenario!r}: {key} must be true or false, got {value!r}; "
                f"e.g. {key}=false"
            )
    elif not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PARAM):
        raise ConfigurationError(
            f"scenario {scenario!r}: {key} must be a whole number from 0 to {MAX_PARAM}, got "
            f"{value!r}; e.g. {key}={default}"
        )


def build_scenario(stripe: Provider, name: str, **params: Any) -> list[ScenarioEvent]:
    """The events of scenario *name*, in the order Stripe sends them, timed from the provider's
    clock (the first event is due now).

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
    for key, value in params.items():
        _check_param(name, key, value, defaults[key])
    rng = random.Random(stripe._ids.getrandbits(64))
    start = stripe.event_time()
    steps = sorted(builder({**defaults, **params}, start, rng), key=lambda step: step[0])
    # Bodies are timed on the clock signing timestamps read; the steps are due on the provider's
    # clock, which advancing has put ahead of it by this much.
    ahead = stripe.clock() - start
    return [
        ScenarioEvent(at + ahead, stripe.fake(event, values, now=at)) for at, event, values in steps
    ]
