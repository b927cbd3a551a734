"""The root causes of a Zoom receiver's failures, worked out from the whole report.

One defect often fails many checks (a wrong secret token fails every check that needs an
accepted request). Each :class:`RootCause` names the defect and the checks it explains, so a
report can say "fix first: ..." and each of those checks "explained by ..." instead of guessing
at a cause from its own delivery alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...conformance.base import CheckResult, Family, Verdict, is_crash, is_refusal, is_slow
from ...conformance.explain import explain
from ...conformance.rootcauses import Facts, RootCause
from ...engine.delivery import Delivery
from ...records.limits import PAST_THE_BOUND

__all__ = ["find_root_causes"]


def _statuses(deliveries: Sequence[Delivery]) -> str:
    seen: dict[str, int] = {}
    for d in deliveries:
        key = str(d.status) if d.status is not None else d.outcome.value
        seen[key] = seen.get(key, 0) + 1
    return ", ".join(f"{k}" + (f" ×{n}" if n > 1 else "") for k, n in seen.items())


def _ids(results: Sequence[CheckResult], wanted: set[str]) -> tuple[str, ...]:
    return tuple(r.id for r in results if r.id in wanted)


def find_root_causes(results: Sequence[CheckResult], facts: Facts) -> list[RootCause]:
    """The root causes behind *results*, most fundamental first; marks each explained result."""
    causes = (
        _without_carrier(results, facts) if facts.carrier is None else _with_carrier(results, facts)
    )
    causes += _independent(results, facts)
    return explain(results, causes)


def _dependent(results: Sequence[CheckResult]) -> set[str]:
    """Checks that fail or stay inconclusive when nothing signed is acknowledged, whatever else
    the receiver does right or wrong."""
    found = set()
    for r in results:
        if r.outcome is Verdict.PASS:
            continue
        if r.outcome is Verdict.INCONCLUSIVE or r.family in (
            Family.VALIDATION,
            Family.EVENT,
            Family.VARIANT,
            Family.UNKNOWN,
            Family.DUPLICATE,
            Family.LOAD,
        ):
            found.add(r.id)
    return found


def _without_carrier(results: Sequence[CheckResult], facts: Facts) -> list[RootCause]:
    explained = _ids(results, _dependent(results))
    signed = list(facts.signed.values())
    ms = facts.diagnosis.get("timestamp-milliseconds")
    python = facts.diagnosis.get("python-json")
    if ms is not None and ms.acknowledged:
        summary = (
            "the receiver reads x-zm-request-timestamp as milliseconds: Zoom sends Unix seconds, "
            f"and every correctly signed request was refused ({_statuses(signed)}) except one "
            "whose timestamp was written in milliseconds; compare it with the clock in seconds"
        )
        return [RootCause("timestamp-milliseconds", summary, explained)]
    if python is not None and python.acknowledged:
        summary = (
            "the receiver verifies a re-serialized body: every body in Zoom's bytes was refused "
            f"({_statuses(signed)}), but the same kind of event written as Python's json.dumps "
            "writes it was acknowledged; compute the signature over the raw bytes received"
        )
        return [RootCause("reserialized-body", summary, explained)]
    sent = [d for r in results for d in r.deliveries] + list(facts.diagnosis.values())
    # A request that got no answer (a body cut short, a connection closed) says nothing about
    # which status the route answers with.
    answered = [d for d in sent if d.status is not None]
    statuses = {d.status for d in answered}
    status = statuses.pop() if len(statuses) == 1 else None
    if len(answered) >= 5 and status is not None and all(d.status == status for d in signed):
        same = f"every request got status {status}, whatever was sent (signed or not, JSON or not)"
        if status in (404, 405) or 300 <= status < 400:
            summary = (
                f"{same}: {facts.target} is probably not the receiver's webhook route; check the "
                "URL (or path= for an in-process application)"
            )
            return [RootCause("wrong-path", summary, explained)]
        if status not in (401, 403):
            summary = (
                f"{same}: something answers before the webhook handler looks at the request (a "
                "proxy, an authentication layer, a maintenance page)"
            )
            return [RootCause("same-answer", summary, explained)]
    validation_refused = facts.validation is not None and (
        facts.validation.status in (401, 403)
        or any(p.startswith("encryptedToken ") for p in facts.validation_problems)
    )
    refused = signed and all(d.status in (401, 403) for d in signed)
    if refused and (validation_refused or facts.validation is None):
        also = ", and the URL validation failed too" if facts.validation is not None else ""
        summary = (
            f"no correctly signed request was accepted ({_statuses(signed)}){also}: the secret "
            "token hookmock signs with is not the one the receiver verifies with; give both the "
            "app's secret token (--secret-token or ZOOM_WEBHOOK_SECRET_TOKEN; in tests, "
            "zoom.secret_token)"
        )
        return [RootCause("wrong-secret", summary, explained)]
    if signed and all(is_crash(d) for d in signed):
        summary = (
            f"every correctly signed event made the receiver fail ({_statuses(signed)}): the "
            "handler raises before answering; see the responses"
        )
        return [RootCause("handler-crash", summary, explained)]
    if signed and all(is_slow(d) for d in signed):
        summary = (
            "no correctly signed event was answered within the deadline: the receiver works "
            "before answering; acknowledge first, then work"
        )
        return [RootCause("slow-before-answer", summary, explained)]
    summary = (
        f"no correctly signed event was acknowledged ({_statuses(signed)}), so no refusal of a "
        "forged or malformed request can be told from the refusal of a correct one"
    )
    return [RootCause("nothing-acknowledged", summary, explained)]


def _with_carrier(results: Sequence[CheckResult], facts: Facts) -> list[RootCause]:
    causes: list[RootCause] = []
    by_id = {r.id: r for r in results}
    failed = [r for r in results if r.outcome in (Verdict.FAIL, Verdict.WARN)]

    def last(r: CheckResult) -> Delivery | None:
        return r.deliveries[-1] if r.deliveries else None

    event_fails = [r for r in failed if r.family is Family.EVENT and last(r) is not None]
    variants = [
        r
        for r in failed
        if r.family is Family.VARIANT and (d := last(r)) is not None and is_refusal(d)
    ]
    if variants:
        summary = (
            "the receiver verifies a re-serialized body (json.dumps(request.json), "
            "JSON.stringify(req.body)) instead of the raw bytes it received: other byte forms "
            "of JSON it accepts in Zoom's own form were refused (a 4xx)"
        )
        causes.append(RootCause("reserialized-body", summary, tuple(r.id for r in variants)))
    crashed = [r for r in event_fails if is_crash(last(r))]  # type: ignore[arg-type]
    if crashed:
        names = ", ".join(r.id.partition(":")[2] for r in crashed)
        summary = (
            f"the handler fails on {names} (5xx or an exception): Zoom retries the event, then "
            "drops it; see the response"
        )
        causes.append(RootCause("handler-crash", summary, tuple(r.id for r in crashed)))
    after = [r for r in event_fails if last(r).after_response_error]  # type: ignore[union-attr]
    if after:
        names = ", ".join(r.id.partition(":")[2] for r in after)
        errors = [last(r).after_response_error or "" for r in after]  # type: ignore[union-attr]
        bounded = [PAST_THE_BOUND in e for e in errors]
        lost = "Zoom saw a 2xx and will not retry, so these events are lost"
        if all(bounded):
            summary = (
                f"the work the receiver does after acknowledging {names} was still running at "
                "the bound (background_timeout) and was cancelled: raise the bound if the work "
                f"is meant to take that long; otherwise {lost}"
            )
        else:
            what = "a background task raised" + (
                ", or ran past background_timeout" if any(bounded) else ""
            )
            summary = (
                f"the work the receiver does after acknowledging {names} fails ({what}): {lost}"
            )
        causes.append(RootCause("fails-after-acknowledging", summary, tuple(r.id for r in after)))
    slow = [r for r in event_fails if is_slow(last(r))]  # type: ignore[arg-type]
    if slow:
        names = ", ".join(
            f"{r.id.partition(':')[2]} ({last(r).elapsed * 1000:.0f} ms)"  # type: ignore[union-attr]
            for r in slow
        )
        deadline = last(slow[0]).deadline  # type: ignore[union-attr]
        summary = (
            f"the receiver works before answering {names}, beyond the {deadline:g} s deadline: "
            "acknowledge first, then work (a queue, a background task)"
        )
        also = {"deadline-under-load", "duplicate-delivery"}
        extra = [r.id for r in failed if r.id in also and any(is_slow(d) for d in r.deliveries)]
        causes.append(RootCause("slow-before-answer", summary, (*(r.id for r in slow), *extra)))
    refused = [r for r in event_fails if is_refusal(last(r))]  # type: ignore[arg-type]
    unknown = by_id.get("unknown-event")
    if (
        unknown is not None
        and unknown.outcome is Verdict.FAIL
        and unknown.deliveries
        and is_refusal(unknown.deliveries[-1])
    ):
        refused.append(unknown)
    if refused:
        names = ", ".join(
            f"{r.id.partition(':')[2] or 'an unknown type'} ({last(r).status})"  # type: ignore[union-attr]
            for r in refused
        )
        summary = (
            f"the receiver refuses correctly signed events of types it does not handle: {names}; "
            "Zoom does not retry a 4xx, so these events are lost: acknowledge every verified event"
        )
        causes.append(RootCause("refuses-event-types", summary, tuple(r.id for r in refused)))
    return causes


def _independent(results: Sequence[CheckResult], facts: Facts) -> list[RootCause]:
    """Causes that hold whether or not a signed event was acknowledged."""
    causes: list[RootCause] = []
    by_id = {r.id: r for r in results}

    def accepted(check_id: str) -> bool:
        r = by_id.get(check_id)
        return (
            r is not None
            and r.outcome is Verdict.FAIL
            and any(d.acknowledged for d in r.deliveries[-1:])
        )

    forged = [
        r.id
        for r in results
        if r.family in (Family.FORGED, Family.REPLAY, Family.ORACLE) and accepted(r.id)
    ]
    # Byte forms left inconclusive because forgeries were acknowledged (see checks.py).
    forged += [
        r.id for r in results if r.family is Family.VARIANT and r.outcome is Verdict.INCONCLUSIVE
    ]
    unverified = accepted("forged-missing-signature") and accepted("forged-wrong-secret")
    if unverified:
        summary = (
            "the receiver does not refuse requests it cannot verify: requests without a "
            "signature and with a wrong one were acknowledged with a 2xx, as if accepted; verify "
            "x-zm-signature over the raw body before anything else, and refuse with a 401"
        )
        causes.append(RootCause("no-signature-check", summary, tuple(forged)))
    elif accepted("replay-stale") and accepted("replay-future"):
        summary = (
            "the receiver does not compare x-zm-request-timestamp with its clock: a captured "
            "request can be replayed at any time; refuse timestamps more than the tolerance away"
        )
        ids = {"replay-stale", "replay-future", "forged-non-numeric-timestamp"}
        causes.append(RootCause("no-timestamp-check", summary, _ids(results, ids)))
    oracle = tuple(r.id for r in results if r.family is Family.ORACLE and accepted(r.id))
    if oracle and not unverified:
        summary = (
            "the receiver answers endpoint.url_validation without verifying its signature: it "
            "signs any plainToken for anyone, so anyone can forge events; verify the challenge's "
            "x-zm-signature like any other event's before answering it"
        )
        causes.append(RootCause("url-validation-oracle", summary, oracle))
    crashed = [
        r.id
        for r in results
        if r.family is Family.MALFORMED
        and r.outcome in (Verdict.FAIL, Verdict.WARN)
        and any(is_crash(d) and d.request.header("x-zm-signature") is None for d in r.deliveries)
    ]
    # Well-formed JSON with a wrong signature crashing too: the refusal itself is a 5xx, whatever
    # the body, rather than a parser failing on bad input.
    refused_5xx = [
        r
        for r in results
        if r.family in (Family.FORGED, Family.REPLAY, Family.ORACLE)
        and r.outcome is Verdict.FAIL
        and r.deliveries
        and is_crash(r.deliveries[-1])
    ]
    if by_id.get("forged-wrong-secret") in refused_5xx and len(refused_5xx) >= 2:
        seen = sorted({str(r.deliveries[-1].status or "no status") for r in refused_5xx})
        summary = (
            "the receiver refuses what it cannot verify with a server error "
            f"({', '.join(seen)}), forged JSON and bad input alike: Zoom retries a 5xx, and an "
            "attacker fills the error logs; refuse with a 401"
        )
        explained = tuple(r.id for r in refused_5xx) + tuple(crashed)
        causes.append(RootCause("refuses-with-5xx", summary, explained))
    elif len(crashed) >= 2:
        summary = (
            "the receiver parses or reads the body before verifying it, and fails (5xx) on bad "
            "input: verify the signature over the raw bytes first, then parse, and answer 400 "
            "to what does not parse"
        )
        causes.append(RootCause("parses-before-verifying", summary, tuple(crashed)))
    control = facts.control
    if control is not None and not control.acknowledged:
        downgraded = tuple(
            r.id for r in results if r.family.negative and r.outcome is Verdict.INCONCLUSIVE
        )
        summary = (
            "the receiver stopped acknowledging correctly signed events during the run (a "
            f"correctly signed {control.event.name} sent after the forgeries got "
            f"{control.status or control.outcome.value}): a lockout or rate limit, so its "
            "refusals of the forgeries cannot be trusted"
        )
        causes.append(RootCause("stopped-acknowledging", summary, downgraded))
    return causes
