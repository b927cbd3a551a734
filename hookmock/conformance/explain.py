"""Root causes every signing provider shares, and how a battery marks the results they explain.

Three defects explain most of a signature-checking receiver's failures, whoever the sender:
nothing correctly signed is acknowledged (a wrong secret, a wrong path, a verifier of other
bytes), the signature is not verified at all, and the signed timestamp is not compared with the
clock. A provider names them in its own words (which secret, which header, which library does
it right); the conditions and the checks each explains are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..records.outcome import Outcome
from .base import CheckResult, Family, Verdict, is_crash, is_slow
from .rootcauses import Facts, RootCause
from .verdicts import RESERIALIZED

__all__ = ["SignatureCauses", "explain", "signature_causes"]


def explain(results: Sequence[CheckResult], causes: Sequence[RootCause]) -> list[RootCause]:
    """Mark each result with the first of *causes* (most fundamental first) that explains it;
    the causes that explain something, in their order."""
    for cause in causes:
        for result in results:
            if result.id in cause.checks and result.explained_by is None:
                result.explained_by = cause.id
                result.cause_summary = cause.summary
    return [c for c in causes if c.checks]


def _refused(result: CheckResult) -> bool:
    return any(d.outcome is Outcome.REJECTED for d in result.deliveries)


@dataclass(frozen=True)
class SignatureCauses:
    """What a provider says of each shared cause.

    :ivar nothing_acknowledged: what to check when no correctly signed event was acknowledged
        (the secret and where it comes from, the bytes signed, the path).
    :ivar not_verified: why a body signed with another secret was acknowledged, and what
        verifies it right.
    :ivar timestamp_not_checked: why a request signed long ago was acknowledged; ``None`` for a
        provider that signs no timestamp.
    :ivar future_accepted: why a request signed ahead of the clock was acknowledged while a
        stale one was refused; ``None`` for a battery that sends none.
    :ivar stale_accepted: why a stale request was acknowledged while one signed ahead of the
        clock was refused; ``None`` for a battery that sends none ahead of the clock.
    """

    nothing_acknowledged: str
    not_verified: str
    timestamp_not_checked: str | None = None
    future_accepted: str | None = None
    stale_accepted: str | None = None

    def find(self, results: Sequence[CheckResult], facts: Facts) -> list[RootCause]:
        """The root causes behind *results*, most fundamental first, each result they explain
        marked: a battery's :attr:`~hookmock.conformance.base.Suite.root_causes`."""
        return explain(results, signature_causes(results, facts, self))


def signature_causes(
    results: Sequence[CheckResult], facts: Facts, words: SignatureCauses
) -> list[RootCause]:
    """The shared root causes behind *results*, most fundamental first (not yet marked: see
    :func:`explain`).

    - ``nothing-acknowledged``: no correctly signed event was acknowledged (the advice is the
      provider's, unless every answer was late or a 5xx); it explains every
      check that did not pass, and the subscription's own (a URL verification, a ping) when it
      was refused too.
    - ``signature-not-verified``: ``forged-wrong-secret`` failed; it explains the failed
      forgeries, replays and oracle checks.
    - ``reserialized-body``: a byte form of the JSON was refused while the same event in the
      sender's own bytes was acknowledged;
    - ``timestamp-not-checked``: a replay failed while the signature is verified;
      ``future-timestamp-accepted`` when only the one ahead of the clock did,
      ``stale-timestamp-accepted`` when only the stale one did and the one ahead of the clock
      was refused (the clock is compared, one way).
    """
    failed = {r.id for r in results if r.outcome in (Verdict.FAIL, Verdict.WARN)}
    if facts.carrier is None:
        signed = list(facts.signed.values())
        statuses = ", ".join(
            d.outcome.value
            if d.status is None
            else f"{d.status} late"
            if d.outcome is Outcome.LATE
            else str(d.status)
            for d in signed
        )
        advice = words.nothing_acknowledged
        if signed and all(is_slow(d) for d in signed):
            advice = (
                f"none was answered within the {signed[0].deadline:g} s deadline: acknowledge "
                "first, then do the work"
            )
        elif signed and all(is_crash(d) for d in signed):
            advice = "the receiver fails on every one (a 5xx): see the checks' responses"
        return [
            RootCause(
                "nothing-acknowledged",
                f"no correctly signed event was acknowledged (answers: {statuses or 'none'}): "
                f"{advice}",
                tuple(
                    r.id
                    for r in results
                    if r.outcome is not Verdict.PASS
                    and (r.family is not Family.VALIDATION or _refused(r))
                ),
            )
        ]
    if "forged-wrong-secret" in failed:
        explained = (Family.FORGED, Family.REPLAY, Family.ORACLE)
        return [
            RootCause(
                "signature-not-verified",
                words.not_verified,
                tuple(r.id for r in results if r.id in failed and r.family in explained),
            )
        ]
    causes: list[RootCause] = []
    # Byte forms refused beside the sender's own form acknowledged (verdicts.byte_form says so).
    reserialized = tuple(
        r.id
        for r in results
        if r.id in failed
        and r.family is Family.VARIANT
        and f"likely cause: {RESERIALIZED}" in r.detail
    )
    if reserialized:
        summary = (
            f"{RESERIALIZED}: other byte forms of JSON it acknowledges in the sender's own form "
            "were refused; verify the raw body, then parse it"
        )
        causes.append(RootCause("reserialized-body", summary, reserialized))
    replays = tuple(r.id for r in results if r.id in failed and r.family is Family.REPLAY)
    future_refused = any(r.id == "replay-future" and r.outcome is Verdict.PASS for r in results)
    if replays == ("replay-future",) and words.future_accepted is not None:
        causes.append(RootCause("future-timestamp-accepted", words.future_accepted, replays))
    elif replays == ("replay-stale",) and future_refused and words.stale_accepted is not None:
        causes.append(RootCause("stale-timestamp-accepted", words.stale_accepted, replays))
    elif replays and words.timestamp_not_checked is not None:
        causes.append(RootCause("timestamp-not-checked", words.timestamp_not_checked, replays))
    return causes
