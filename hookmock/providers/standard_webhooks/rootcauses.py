"""The root causes of a Standard Webhooks receiver's failures, worked out from the whole report,
and the requests that tell them apart when no correctly signed event was acknowledged.

The usual mistakes of these receivers (seen in the reference libraries' issue trackers and in
hand-written verifiers): verifying re-serialized JSON instead of the raw body; keying the HMAC
with the ``whsec_...`` text instead of the base64-decoded bytes after the prefix; comparing a
hex digest with the base64 one; reading ``webhook-timestamp`` as milliseconds; checking only the
first item of ``webhook-signature``; refusing a retried ``webhook-id``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence

from ...conformance.base import (
    Battery,
    CheckResult,
    Family,
    Verdict,
    is_crash,
    is_refusal,
    is_slow,
)
from ...conformance.explain import explain
from ...conformance.rootcauses import Facts, RootCause
from ...engine.delivery import Delivery
from ...errors import ConfigurationError
from ...generate.events import Event
from .signature import SECRET_PREFIX, HmacKey
from .signed import ROTATION, sender, signed_by

__all__ = ["diagnose", "find_root_causes"]


def _hex_key_diagnosis(b: Battery, name: str) -> None:
    adapter = sender(b)
    keys = adapter.keys
    if not keys or not isinstance(keys[0], HmacKey):
        return
    key = keys[0]
    ts = b.now()
    event = b.event(name)
    msg_id = adapter.message_id(event)
    content = f"{msg_id}.{ts}.".encode() + event.body
    # A receiver that compares hex digests accepts the HMAC written in hex instead of base64.
    hexed = "v1," + hmac.new(key.key, content, hashlib.sha256).hexdigest()
    b.diagnosis["hex-signature"] = b.deliver(
        event, headers={adapter.header_signature: hexed}, timestamp=ts
    )
    try:
        text = b.provider.secret
    except ConfigurationError:  # given as bytes or a parsed key: no text to misuse
        return
    if not text.startswith(SECRET_PREFIX):
        return
    # The whole whsec_... text as the key: neither stripped nor decoded.
    whole = HmacKey(text.encode())
    b.diagnosis["secret-text-as-key"] = signed_by(b, b.event(name), whole, timestamp=ts)
    # The prefix stripped, the rest used as text instead of base64-decoded.
    stripped = HmacKey(text[len(SECRET_PREFIX) :].encode())
    b.diagnosis["secret-not-decoded"] = signed_by(b, b.event(name), stripped, timestamp=ts)


def diagnose(battery: Battery) -> None:
    """When no correctly signed event was acknowledged: the requests that tell Standard
    Webhooks receivers' usual causes apart."""
    name = battery.events[0]
    ms = battery.now() * 1000
    # A receiver that compares webhook-timestamp with a clock in milliseconds accepts this one.
    battery.diagnosis["timestamp-milliseconds"] = battery.deliver(battery.event(name), timestamp=ms)
    # A receiver that verifies json.dumps(json.loads(body)) accepts exactly what Python writes.
    data = battery.event(name).data
    python = Event(name, data, json.dumps(data).encode(), None, "python-json-dumps")
    battery.diagnosis["python-json"] = battery.deliver(python)
    _hex_key_diagnosis(battery, name)


def _statuses(deliveries: Sequence[Delivery]) -> str:
    seen: dict[str, int] = {}
    for d in deliveries:
        key = str(d.status) if d.status is not None else d.outcome.value
        seen[key] = seen.get(key, 0) + 1
    return ", ".join(f"{k}" + (f" ×{n}" if n > 1 else "") for k, n in seen.items())


def find_root_causes(results: Sequence[CheckResult], facts: Facts) -> list[RootCause]:
    """The root causes behind *results*, most fundamental first; marks each explained result."""
    causes = _without_carrier(results, facts) if facts.carrier is None else _with_carrier(results)
    causes += _independent(results, facts)
    return explain(results, causes)


#: What each diagnosis request being acknowledged says, when nothing honest was.
_DIAGNOSES = (
    (
        "timestamp-milliseconds",
        "the receiver reads webhook-timestamp against a clock in milliseconds: the sender "
        "writes Unix seconds, and only a request whose timestamp was written in milliseconds "
        "was acknowledged; compare it with the clock in seconds (Date.now() / 1000)",
    ),
    (
        "python-json",
        "the receiver verifies a re-serialized body: every honest body was refused, but the "
        "same kind of event written as Python's json.dumps writes it was acknowledged; compute "
        "the signature over the raw bytes received",
    ),
    (
        "hex-signature",
        "the receiver compares a hex digest: only a signature item written in hex was "
        "acknowledged; a v1 signature is the base64 of the HMAC-SHA256",
    ),
    (
        "secret-text-as-key",
        "the receiver keys its HMAC with the whole 'whsec_...' text: only a request signed so "
        "was acknowledged; strip the whsec_ prefix and base64-decode the rest to get the key",
    ),
    (
        "secret-not-decoded",
        "the receiver strips whsec_ but keys its HMAC with the base64 text itself: only a "
        "request signed so was acknowledged; base64-decode what follows whsec_ to get the key",
    ),
)


def _without_carrier(results: Sequence[CheckResult], facts: Facts) -> list[RootCause]:
    explained = tuple(
        r.id
        for r in results
        if r.outcome is not Verdict.PASS
        and (
            r.outcome is Verdict.INCONCLUSIVE
            or r.family
            in (Family.EVENT, Family.VARIANT, Family.UNKNOWN, Family.DUPLICATE, Family.LOAD)
        )
    )
    signed = list(facts.signed.values())
    for key, summary in _DIAGNOSES:
        found = facts.diagnosis.get(key)
        if found is not None and found.acknowledged:
            cause = "reserialized-body" if key == "python-json" else key
            return [RootCause(cause, f"{summary} (honest ones got {_statuses(signed)})", explained)]
    if signed and all(d.status in (401, 403) for d in signed):
        summary = (
            f"no correctly signed request was accepted ({_statuses(signed)}): the secret "
            "hookmock signs with is not the one the receiver verifies with; give hookmock the "
            "endpoint's secret (--secret or STANDARD_WEBHOOKS_SECRET; in tests, "
            "standard_webhooks.secret) and the receiver the same, a whsec_... secret for v1 "
            "signatures, or for v1a the whsk_... signing key to hookmock and its whpk_... "
            "public key to the receiver; and check the signed content is "
            "'{webhook-id}.{webhook-timestamp}.{raw body}'"
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


def _last(r: CheckResult) -> Delivery | None:
    return r.deliveries[-1] if r.deliveries else None


def _with_carrier(results: Sequence[CheckResult]) -> list[RootCause]:
    causes: list[RootCause] = []
    failed = [r for r in results if r.outcome in (Verdict.FAIL, Verdict.WARN)]
    # Refused with any 4xx: receivers refuse a signature they cannot match with 400 as often.
    refused_4xx = [r for r in failed if (d := _last(r)) is not None and is_refusal(d)]
    variants = [r.id for r in refused_4xx if r.family is Family.VARIANT and r.id != ROTATION]
    if variants:
        summary = (
            "the receiver verifies a re-serialized body (json.dumps of the parsed JSON, "
            "JSON.stringify(req.body)) instead of the raw bytes it received: other byte forms "
            "of JSON it accepts in the sender's form were refused (a 4xx); verify the raw "
            "body, then parse it"
        )
        causes.append(RootCause("reserialized-body", summary, tuple(variants)))
    if any(r.id == ROTATION for r in refused_4xx):
        summary = (
            "the receiver checks only the first item of webhook-signature: a header whose "
            "second item is the right signature was refused; while a secret is rotated the "
            "sender signs with each, so split the header on spaces and accept any matching v1 "
            "item"
        )
        causes.append(RootCause("first-signature-only", summary, (ROTATION,)))
    events = [r for r in failed if r.family is Family.EVENT and _last(r) is not None]
    crashed = [r for r in events if is_crash(_last(r))]  # type: ignore[arg-type]
    if crashed:
        names = ", ".join(r.id.partition(":")[2] for r in crashed)
        summary = f"the handler fails on {names} (5xx or an exception); see the response"
        causes.append(RootCause("handler-crash", summary, tuple(r.id for r in crashed)))
    slow = [r for r in events if is_slow(_last(r))]  # type: ignore[arg-type]
    if slow:
        names = ", ".join(r.id.partition(":")[2] for r in slow)
        deadline = _last(slow[0]).deadline  # type: ignore[union-attr]
        summary = (
            f"the receiver works before answering {names}, beyond the {deadline:g} s deadline: "
            "acknowledge first, then work (a queue, a background task)"
        )
        also = [
            r.id
            for r in failed
            if r.id in ("deadline-under-load", "duplicate-delivery")
            and any(is_slow(d) for d in r.deliveries)
        ]
        causes.append(RootCause("slow-before-answer", summary, (*(r.id for r in slow), *also)))
    refused = [r for r in events if is_refusal(_last(r))]  # type: ignore[arg-type]
    refused += [
        r
        for r in failed
        if r.id == "unknown-event" and (d := _last(r)) is not None and is_refusal(d)
    ]
    if refused:
        names = ", ".join(r.id.partition(":")[2] or "an unknown type" for r in refused)
        summary = (
            f"the receiver refuses correctly signed events of types it does not handle: {names}; "
            "the sender retries them for a day, then drops them: acknowledge every verified event"
        )
        causes.append(RootCause("refuses-event-types", summary, tuple(r.id for r in refused)))
    duplicate = next((r for r in failed if r.id == "duplicate-delivery"), None)
    if duplicate is not None and len(duplicate.deliveries) >= 2:
        first, again = duplicate.deliveries[-2:]
        if first.acknowledged and is_refusal(again):
            summary = (
                f"the receiver refuses a webhook-id it has seen ({again.status}): a sender "
                "retries a message whose answer it missed with the same webhook-id, and keeps "
                "retrying a refusal; answer 2xx to a duplicate and skip the work"
            )
            causes.append(RootCause("refuses-duplicates", summary, ("duplicate-delivery",)))
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

    def accepted_ids(wanted: Sequence[str]) -> tuple[str, ...]:
        return tuple(r.id for r in results if r.id in wanted and accepted(r.id))

    # A body signed with another key acknowledged: whatever else the receiver checks (that a
    # signature header is there, its timestamp), it does not verify the signature.
    unverified = accepted("forged-wrong-secret")
    if unverified:
        forged = [
            r.id for r in results if r.family in (Family.FORGED, Family.REPLAY) and accepted(r.id)
        ]
        # Byte forms left inconclusive because forgeries were acknowledged (see checks.py).
        forged += [
            r.id
            for r in results
            if r.family is Family.VARIANT and r.outcome is Verdict.INCONCLUSIVE
        ]
        which = (
            "requests without a signature and with a wrong one were"
            if accepted("forged-missing-signature")
            else "a request signed with another secret was"
        )
        summary = (
            f"the receiver does not refuse requests it cannot verify: {which} acknowledged with "
            "a 2xx, as if accepted; verify webhook-signature over "
            "'{webhook-id}.{webhook-timestamp}.{raw body}' before anything else, and refuse "
            "with a 401"
        )
        causes.append(RootCause("no-signature-check", summary, tuple(forged)))
    else:
        stale, future = accepted("replay-stale"), accepted("replay-future")
        if stale and future:
            summary = (
                "the receiver does not compare webhook-timestamp with its clock: a captured "
                "request can be replayed at any time; refuse timestamps more than 5 minutes "
                "away, either way (the reference libraries do)"
            )
            times = ("replay-stale", "replay-future", "forged-non-numeric-timestamp")
            causes.append(RootCause("no-timestamp-check", summary, accepted_ids(times)))
        elif stale or future:
            accepted_way, refused_way = ("old", "ahead") if stale else ("ahead", "old")
            summary = (
                "the receiver compares webhook-timestamp with its clock one way only: a "
                f"timestamp more than 5 minutes {accepted_way} was accepted, one as far "
                f"{refused_way} refused; refuse timestamps more than 5 minutes away, either way "
                "(the reference libraries do)"
            )
            cause = "stale-timestamp-accepted" if stale else "future-timestamp-accepted"
            causes.append(
                RootCause(cause, summary, ("replay-stale",) if stale else ("replay-future",))
            )
        unsigned_parts = [
            r.id
            for r in results
            if r.id in ("forged-other-message-id", "forged-shifted-timestamp") and accepted(r.id)
        ]
        if unsigned_parts:
            summary = (
                "the receiver signs less than '{webhook-id}.{webhook-timestamp}.{raw body}': a "
                "signature made for another webhook-id or timestamp was accepted, so ids and "
                "times can be changed at will; sign exactly the three, joined by dots"
            )
            causes.append(RootCause("partial-signed-content", summary, tuple(unsigned_parts)))
        if accepted("forged-unknown-version") or accepted("forged-malformed-item"):
            items = ("forged-unknown-version", "forged-malformed-item")
            summary = (
                "the receiver does not parse webhook-signature's items: it accepted the right "
                "signature under another version or without the 'version,' form; split items "
                "on spaces, each on its first comma, and compare only v1 items"
            )
            causes.append(RootCause("signature-items-unparsed", summary, accepted_ids(items)))
    crashed = [
        r.id
        for r in results
        if r.family in (Family.MALFORMED, Family.FORGED)
        and r.outcome in (Verdict.FAIL, Verdict.WARN)
        and any(is_crash(d) for d in r.deliveries[-1:])
    ]
    if len(crashed) >= 2:
        summary = (
            "the receiver fails (5xx) on bad input instead of refusing it: it parses or decodes "
            "the body before verifying it, or lets the verifier's errors escape (the "
            "standardwebhooks Python library raises ValueError, not WebhookVerificationError, "
            "on a malformed signature item or a body that is not UTF-8); verify first, catch "
            "both, and answer 400"
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
