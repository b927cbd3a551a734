"""Slack's, Stripe's, GitHub's and Standard Webhooks' batteries audited against receivers we
wrote (:mod:`tests.signing_receivers`): the correct receiver passes every check, and each
receiver with one fault fails (or, where the battery cannot tell, leaves inconclusive) the
checks that fault breaks and no other, with the right root cause named.

Time is frozen for the timestamps (the sender signs with the instant the receivers compare
with), and the in-process transport times answers on a clock the ``slow`` faults step instead
of sleeping.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import time_machine

from hookmock import ConformanceReport, GitHub, Slack, StandardWebhooks, Stripe
from hookmock.conformance.base import Family, Verdict
from hookmock.providers.github import battery as github_battery
from hookmock.providers.slack import battery as slack_battery
from hookmock.providers.standard_webhooks import battery as sw_battery
from hookmock.providers.stripe import battery as stripe_battery

from .signing_receivers import PROVIDER_FAULTS, SteppedClock, receiver

NOW = 1_750_000_000
SEED = 7
SECRETS = {
    "slack": "0123456789abcdef0123456789abcdef",
    "stripe": "whsec_0123456789abcdefghijklmnopqrstuv",
    "github": "battery-secret",
    # The specification's example secret.
    "standard_webhooks": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}
MAKERS: dict[str, Callable[..., Slack | Stripe | GitHub | StandardWebhooks]] = {
    "slack": Slack,
    "stripe": Stripe,
    "github": GitHub,
    "standard_webhooks": StandardWebhooks,
}
BATTERIES = {
    "slack": slack_battery,
    "stripe": stripe_battery,
    "github": github_battery,
    "standard_webhooks": sw_battery,
}

#: Failed, undecided (inconclusive), warned.
F, U, W = Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.WARN


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[SteppedClock]:
    """The in-process transport's clock, stepped by the ``slow`` faults; the wall clock frozen."""
    stepped = SteppedClock(time.perf_counter)
    monkeypatch.setattr(time, "perf_counter", stepped)
    with time_machine.travel(NOW, tick=False):
        yield stepped


def _check(provider: str, fault: str | None, clock: SteppedClock) -> ConformanceReport:
    secret = SECRETS[provider]
    app = receiver(provider, secret, *([fault] if fault else []), clock=clock)
    return MAKERS[provider](secret=secret, seed=SEED).check(app, probe=app.processed)


def _not_passed(report: ConformanceReport) -> dict[str, Verdict]:
    return {r.id: r.outcome for r in report.results if r.outcome is not Verdict.PASS}


def _causes(report: ConformanceReport) -> list[str]:
    return [c.id for c in report.root_causes]


def _valid(provider: str) -> dict[str, Verdict]:
    events = BATTERIES[provider].DEFAULT_EVENTS
    return {f"valid-event:{name}": F for name in events}


# -- the correct receiver, and one that refuses with 400 -------------------------------------------


@pytest.mark.parametrize("fault", [None, "refuses-with-400"])
@pytest.mark.parametrize("provider", sorted(PROVIDER_FAULTS))
def test_a_correct_receiver_passes_every_check(
    provider: str, fault: str | None, clock: SteppedClock
) -> None:
    report = _check(provider, fault, clock)
    assert [r.id for r in report.results] == list(BATTERIES[provider].CHECK_IDS)
    assert _not_passed(report) == {}, report.table()
    assert report.root_causes == []


# -- faults the battery sees beside an acknowledged event ------------------------------------------


@dataclass(frozen=True)
class Case:
    provider: str
    fault: str
    #: Every check that does not pass, and how.
    outcomes: dict[str, Verdict]
    #: The root causes named, in order.
    causes: list[str] = field(default_factory=list)
    #: A phrase the first of *outcomes* says (its detail, or its root cause's summary).
    phrase: str = ""


SLACK_VARIANTS = ("valid-key-order", "valid-whitespace", "valid-escaped-slashes")
SLACK_FORGED = {f"forged-{kind}": F for kind, _ in slack_battery._FORGERIES} | {
    "forged-non-numeric-timestamp": W
}
STRIPE_VARIANTS = ("valid-compact", "valid-key-order", "valid-ascii-escapes")
SW_VARIANTS = (
    "valid-key-order",
    "valid-whitespace",
    "valid-escaped-slashes",
    "valid-ascii-escapes",
)

CASES = (
    # -- Slack
    Case(
        "slack",
        "accepts-any-signature",
        {
            **dict.fromkeys((*SLACK_VARIANTS, "valid-ascii-escapes"), U),
            **{
                f"forged-{kind}": F
                for kind in (
                    "wrong-secret",
                    "tampered-body",
                    "last-digit",
                    "signature-prefix",
                    "timestamp-changed",
                    "wrong-version",
                    "empty-signature",
                )
            },
        },
        ["signature-not-verified"],
        "not checked",
    ),
    Case(
        "slack",
        "reserializes-compact",
        {"valid-whitespace": F, "valid-escaped-slashes": F, "valid-ascii-escapes": W},
        ["reserialized-body"],
        "re-serialized body",
    ),
    Case(
        "slack",
        "no-timestamp-check",
        {"replay-stale": F, "replay-future": W},
        ["timestamp-not-checked"],
        "not compared with the clock",
    ),
    Case(
        "slack",
        "stale-only",
        {"replay-future": W},
        ["future-timestamp-accepted"],
        "one way only",
    ),
    Case(
        "slack",
        "future-only",
        {"replay-stale": F},
        ["stale-timestamp-accepted"],
        "one way only",
    ),
    Case(
        "slack",
        "prefix-compare",
        {"forged-last-digit": F, "forged-signature-prefix": F},
        [],
        "not compared in full",
    ),
    Case(
        "slack",
        "raises-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "slack",
        "500-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "slack",
        "500-on-duplicate",
        {"duplicate-delivery": F},
        [],
        "fails on a delivery of an event it has already processed",
    ),
    Case("slack", "processes-duplicates", {"duplicate-delivery": F}, [], "deduplicate on event_id"),
    Case("slack", "slow-on-one", {"valid-event:message": F}, [], "acknowledge first"),
    Case(
        "slack",
        "accepts-all",
        {
            "url-verification": F,
            # The signed challenge is not echoed either: not echoing the unsigned one shows
            # nothing.
            "url-verification-unsigned": U,
            **dict.fromkeys((*SLACK_VARIANTS, "valid-ascii-escapes"), U),
            **SLACK_FORGED,
            "replay-stale": F,
            "replay-future": W,
            # It processes nothing, so the probe never counts: processing once is not shown.
            "duplicate-delivery": U,
        },
        ["signature-not-verified"],
        "the challenge was not echoed",
    ),
    # -- Stripe
    Case(
        "stripe",
        "accepts-any-signature",
        {
            **dict.fromkeys((*STRIPE_VARIANTS, "valid-rotated-secret"), U),
            **{
                f"forged-{kind}": F
                for kind in (
                    "wrong-secret",
                    "tampered-body",
                    "last-digit",
                    "truncated-signature",
                    "other-timestamp",
                    "empty-signature",
                )
            },
        },
        ["signature-not-verified"],
        "without verifying Stripe-Signature",
    ),
    Case(
        "stripe",
        "no-timestamp-check",
        {"replay-stale": F},
        ["timestamp-not-checked"],
        "more than 300 s old",
    ),
    # Stripe's libraries refuse only stale timestamps, so the battery sends none ahead of the
    # clock: one refused that way only is the same receiver as one that checks none, to it.
    Case("stripe", "future-only", {"replay-stale": F}, ["timestamp-not-checked"], "300 s old"),
    Case(
        "stripe",
        "prefix-compare",
        {"forged-last-digit": F, "forged-truncated-signature": F},
        [],
        "not compared in full",
    ),
    Case(
        "stripe",
        "first-signature-only",
        {"valid-rotated-secret": F},
        [],
        "only the first v1 signature is compared",
    ),
    Case(
        "stripe",
        "raises-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "stripe",
        "500-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "stripe",
        "500-on-duplicate",
        {"duplicate-delivery": F},
        [],
        "fails on a delivery of an event it has already processed",
    ),
    Case(
        "stripe",
        "processes-duplicates",
        {"duplicate-delivery": F},
        [],
        "deduplicate on the event's id",
    ),
    Case("stripe", "slow-on-one", {"valid-event:invoice.paid": F}, [], "acknowledge first"),
    Case(
        "stripe",
        "accepts-all",
        {
            **dict.fromkeys((*STRIPE_VARIANTS, "valid-rotated-secret"), U),
            **{f"forged-{kind}": F for kind, _ in stripe_battery._FORGERIES},
            "replay-stale": F,
            # It processes nothing, so the probe never counts: processing once is not shown.
            "duplicate-delivery": U,
        },
        ["signature-not-verified"],
        "without verifying Stripe-Signature",
    ),
    # -- GitHub
    Case(
        "github",
        "accepts-any-signature",
        {
            "forged-wrong-secret": F,
            "forged-empty-signature": F,
            "forged-last-digit": F,
            "forged-truncated-signature": F,
            "forged-changed-body": F,
        },
        ["signature-not-verified"],
        "not verified",
    ),
    Case(
        "github",
        "prefix-compare",
        {"forged-last-digit": F, "forged-truncated-signature": F},
        [],
        "not compared in full",
    ),
    Case(
        "github",
        "raises-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "github",
        "500-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "github",
        "500-on-duplicate",
        {"redelivery": F},
        [],
        "fails on a delivery it has already processed",
    ),
    Case(
        "github",
        "processes-duplicates",
        {"redelivery": F},
        [],
        "remember the delivery GUID",
    ),
    Case("github", "slow-on-one", {"valid-event:issues.opened": F}, [], "acknowledge first"),
    Case(
        "github",
        "accepts-all",
        {
            "forged-wrong-secret": F,
            "forged-no-signature": F,
            "forged-empty-signature": F,
            "forged-last-digit": F,
            "forged-truncated-signature": F,
            "forged-changed-body": F,
            # It acts on nothing, so the probe never counts: acting once is not shown.
            "redelivery": U,
        },
        ["signature-not-verified"],
        "not verified",
    ),
    # -- Standard Webhooks
    Case(
        "standard_webhooks",
        "accepts-any-signature",
        {
            **dict.fromkeys((*SW_VARIANTS, "rotation-second-item"), U),
            **{
                f"forged-{kind}": F
                for kind in (
                    "wrong-secret",
                    "tampered-body",
                    "last-char",
                    "truncated-signature",
                    "other-message-id",
                    "shifted-timestamp",
                    "unknown-version",
                    "malformed-item",
                    "all-items-wrong",
                )
            },
        },
        ["no-signature-check"],
        "without verifying webhook-signature",
    ),
    Case(
        "standard_webhooks",
        "reserializes-compact",
        dict.fromkeys(("valid-whitespace", "valid-escaped-slashes", "valid-ascii-escapes"), F),
        ["reserialized-body"],
        "re-serialized body",
    ),
    Case(
        "standard_webhooks",
        "no-timestamp-check",
        {"replay-stale": F, "replay-future": F},
        ["no-timestamp-check"],
        "does not compare webhook-timestamp with its clock",
    ),
    Case(
        "standard_webhooks",
        "stale-only",
        {"replay-future": F},
        ["future-timestamp-accepted"],
        "one way only",
    ),
    Case(
        "standard_webhooks",
        "future-only",
        {"replay-stale": F},
        ["stale-timestamp-accepted"],
        "one way only",
    ),
    Case(
        "standard_webhooks",
        "prefix-compare",
        {"forged-last-char": F, "forged-truncated-signature": F},
        [],
        "not compared in full",
    ),
    Case(
        "standard_webhooks",
        "first-signature-only",
        {"rotation-second-item": F},
        ["first-signature-only"],
        "first item",
    ),
    Case(
        "standard_webhooks",
        "raises-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "standard_webhooks",
        "500-on-unknown",
        {"unknown-event": F},
        [],
        "the handler fails on an event type it does not know",
    ),
    Case(
        "standard_webhooks",
        "500-on-duplicate",
        {"duplicate-delivery": F},
        [],
        "fails on a webhook-id it has seen",
    ),
    Case(
        "standard_webhooks",
        "processes-duplicates",
        {"duplicate-delivery": F},
        [],
        "deduplicate on webhook-id",
    ),
    Case(
        "standard_webhooks",
        "slow-on-one",
        {"valid-event:invoice.paid": F},
        ["slow-before-answer"],
        "acknowledge first",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.provider}:{c.fault}")
def test_a_fault_fails_its_checks_and_no_other(case: Case, clock: SteppedClock) -> None:
    report = _check(case.provider, case.fault, clock)
    assert _not_passed(report) == case.outcomes, report.table()
    assert _causes(report) == case.causes
    first = report[next(c for c, v in case.outcomes.items() if v is not U)]
    assert case.phrase in first.detail or case.phrase in first.cause_summary, first.detail
    for cause in report.root_causes:
        assert set(cause.checks) <= set(case.outcomes), cause


# -- faults that leave nothing correctly signed acknowledged ---------------------------------------

#: (provider, fault, the root cause, a phrase of its summary).
NOTHING_ACKNOWLEDGED = (
    *(
        ("slack", fault, "nothing-acknowledged", phrase)
        for fault, phrase in (
            ("reserializes-body", "raw body"),
            ("wrong-secret", "signing secret"),
            ("signs-body-only", "signing secret"),
            ("refuses-all", "answers: 401, 401, 401"),
            ("requires-header", "answers: 400, 400, 400"),
            ("slow", "acknowledge first"),
        )
    ),
    *(
        ("stripe", fault, "nothing-acknowledged", phrase)
        for fault, phrase in (
            ("reserializes-body", "raw body"),
            ("reserializes-compact", "raw body"),
            ("wrong-secret", "signing secret"),
            ("signs-body-only", "signing secret"),
            ("refuses-all", "answers: 401"),
            ("requires-header", "answers: 400"),
            ("slow", "acknowledge first"),
        )
    ),
    *(
        ("github", fault, "nothing-acknowledged", phrase)
        for fault, phrase in (
            ("reserializes-body", "raw body"),
            ("wrong-secret", "webhook secret"),
            ("refuses-all", "answers: 401, 401, 401"),
            ("requires-header", "answers: 400, 400, 400"),
            ("slow", "acknowledge first"),
        )
    ),
    ("standard_webhooks", "reserializes-body", "reserialized-body", "json.dumps"),
    ("standard_webhooks", "wrong-secret", "wrong-secret", "whsec_"),
    ("standard_webhooks", "signs-body-only", "wrong-secret", "{webhook-id}.{webhook-timestamp}"),
    ("standard_webhooks", "refuses-all", "wrong-secret", "401 ×4"),
    ("standard_webhooks", "requires-header", "nothing-acknowledged", "400 ×4"),
    ("standard_webhooks", "slow", "slow-before-answer", "acknowledge first"),
)


@pytest.mark.parametrize(
    ("provider", "fault", "cause", "phrase"),
    NOTHING_ACKNOWLEDGED,
    ids=[f"{p}:{f}" for p, f, _, _ in NOTHING_ACKNOWLEDGED],
)
def test_nothing_acknowledged_fails_the_events_and_proves_no_refusal(
    provider: str, fault: str, cause: str, phrase: str, clock: SteppedClock
) -> None:
    report = _check(provider, fault, clock)
    outcomes = {r.id: r.outcome for r in report.results}
    for check_id in _valid(provider):
        assert outcomes[check_id] is F, check_id
    handshake_answered = outcomes.get("url-verification") is Verdict.PASS
    for check in BATTERIES[provider].CHECKS:
        if check.family is Family.ORACLE and handshake_answered:
            # Slack's unsigned url_verification beside a signed one that was answered.
            assert outcomes[check.id] is Verdict.PASS, check.id
        elif check.family.negative or check.family is Family.VARIANT:
            # A refusal shows nothing when correctly signed events are refused too.
            assert outcomes[check.id] is U, check.id
    first = report.root_causes[0]
    assert first.id == cause
    assert phrase in first.summary
    assert "forged-wrong-secret" in first.checks


# -- blind spots: what a battery cannot see, shown so that a change to it is noticed ---------------


def test_github_cannot_tell_a_verifier_of_compact_re_serialized_json(clock: SteppedClock) -> None:
    # GitHub sends compact JSON with raw UTF-8 and unescaped slashes, as JSON.stringify writes
    # it, and its battery sends no other byte form: the receiver's fault never shows.
    report = _check("github", "reserializes-compact", clock)
    assert _not_passed(report) == {}


# -- Standard Webhooks' asymmetric signatures (whsk_ and whpk_ keys, v1a items) -------------------

#: Faults of a v1a receiver and what they fail (an Ed25519 signature is verified, not compared, so
#: comparing a prefix does not apply).
V1A_CASES: dict[str | None, tuple[dict[str, Verdict], list[str]]] = {
    None: ({}, []),
    "first-signature-only": ({"rotation-second-item": F}, ["first-signature-only"]),
    "no-timestamp-check": ({"replay-stale": F, "replay-future": F}, ["no-timestamp-check"]),
    "stale-only": ({"replay-future": F}, ["future-timestamp-accepted"]),
    "accepts-any-signature": (
        {
            **dict.fromkeys((*SW_VARIANTS, "rotation-second-item"), U),
            **{
                f"forged-{kind}": F
                for kind in (
                    "wrong-secret",
                    "tampered-body",
                    "last-char",
                    "truncated-signature",
                    "other-message-id",
                    "shifted-timestamp",
                    "unknown-version",
                    "malformed-item",
                    "all-items-wrong",
                )
            },
        },
        ["no-signature-check"],
    ),
    "wrong-secret": (
        {
            **_valid("standard_webhooks"),
            **{c.id: U for c in sw_battery.CHECKS if c.family.negative},
            **dict.fromkeys((*SW_VARIANTS, "rotation-second-item"), U),
            "unknown-event": F,
            "duplicate-delivery": F,
            "deadline-under-load": U,
        },
        ["wrong-secret"],
    ),
}


@pytest.mark.parametrize("fault", list(V1A_CASES), ids=str)
def test_a_v1a_receiver_is_graded_like_a_v1_one(fault: str | None, clock: SteppedClock) -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = bytes(range(1, 33))
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    private_key = "whsk_" + base64.b64encode(seed).decode()
    public_key = "whpk_" + base64.b64encode(public).decode()
    app = receiver("standard_webhooks", public_key, *([fault] if fault else []), clock=clock)
    report = StandardWebhooks(secret=private_key, seed=SEED).check(app, probe=app.processed)
    honest = report["valid-event:contact.created"].deliveries[0].request
    assert honest.header("webhook-signature").startswith("v1a,")
    outcomes, causes = V1A_CASES[fault]
    assert _not_passed(report) == outcomes, report.table()
    assert _causes(report) == causes
    if fault == "wrong-secret":
        # The advice names the keys a v1a receiver and its sender use, not only v1's whsec_.
        summary = next(c.summary for c in report.root_causes if c.id == "wrong-secret")
        assert "whsk_" in summary and "whpk_" in summary, summary
