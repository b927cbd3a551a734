"""Verdicts shared by every provider's battery: on a correctly signed event, which a correct
receiver acknowledges in time and then handles without an error; on a request a correct receiver
refuses (a forgery, a replay); and on an event type it cannot know, which a correct receiver
acknowledges.

Each battery says what it sent and what it expects in its provider's words; the judgement is the
same for all of them, so a forged request acknowledged by a receiver is a failure for every
provider, and a refusal shows something only once a correctly signed event was acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .base import (
    Battery,
    Found,
    Severity,
    carried,
    is_crash,
    is_refusal,
    is_slow,
    no_carrier,
    show,
)

if TYPE_CHECKING:
    from ..engine.delivery import Delivery

__all__ = [
    "DUPLICATE_CRASH",
    "RESERIALIZED",
    "TEXT_MEMBER",
    "VARIANT_TEXT",
    "Refusals",
    "acknowledged_event",
    "bad_input_refused",
    "beside_twin",
    "byte_form",
    "refused",
    "text_variant",
    "unknown_acknowledged",
]

#: Text with a slash, non-ASCII letters and typographic punctuation: the characters whose byte
#: form differs between JSON writers (escaped or raw), so a verifier of re-serialized JSON fails.
#: A byte-form check puts it in the event it sends, so that the form changes the bytes.
VARIANT_TEXT = "Q3 review / planning – the team’s café ünïcödé"
#: The member added to carry that text where an event has no free-text field.
TEXT_MEMBER = "hookmock_note"

#: The likely cause of a 5xx to a duplicate of an event the receiver acknowledged before.
DUPLICATE_CRASH = (
    "the receiver fails on a delivery of an event it has already processed (a unique key, "
    "say); acknowledge it and skip the work"
)
#: The likely cause of a byte form refused while the sender's own form is acknowledged.
RESERIALIZED = (
    "the receiver verifies a re-serialized body (json.dumps(request.json), "
    "JSON.stringify(req.body)) instead of the raw bytes it received"
)


@dataclass(frozen=True)
class Refusals:
    """The likely causes of a 4xx to a correctly signed event, in a provider's words: by status,
    and for any other 4xx (``None``: none to name)."""

    by_status: Mapping[int, str] = field(default_factory=dict)
    otherwise: str | None = None

    def cause(self, delivery: Delivery) -> str | None:
        status = delivery.status
        return self.by_status.get(status, self.otherwise) if status is not None else None

    def valid_event(self, name: str) -> Callable[[Battery], Found]:
        """The check that a correctly signed *name* is acknowledged
        (:func:`acknowledged_event`), with these causes for a 4xx."""
        return lambda b: acknowledged_event(b, name, self)


def acknowledged_event(b: Battery, name: str, refusals: Refusals) -> Found:
    """The verdict on the first correctly signed delivery of event *name*: a correct receiver
    acknowledges it within the deadline, and the work it does after its answer (an in-process
    app's background task) does not fail. *refusals* name the likely cause of a 4xx."""
    delivery = b.signed_delivery(name)
    sent = f"sent: a correctly signed {name}; got {show(delivery)}"
    if delivery.acknowledged:
        b.latencies.append(delivery.elapsed)
        if not delivery.after_response_error:
            return Found(True, show(delivery))
        error = delivery.after_response_error.rstrip().splitlines()
        return Found(
            False,
            f"{sent}, then the application's work after its response failed: "
            f"{error[-1] if error else 'no detail'}\n"
            "a correct receiver acknowledges it and then does its work without an error\n"
            "likely cause: the work done after acknowledging (a background task) fails on this "
            "event; the sender saw a 2xx and will not retry, so the event is lost (the whole "
            "traceback is in the delivery's after_response_error)",
        )
    lines = [sent, f"a correct receiver acknowledges it with a 2xx within {delivery.deadline:g} s"]
    cause: str | None = None
    if is_refusal(delivery):
        cause = refusals.cause(delivery)
    elif is_slow(delivery):
        cause = f"the receiver works on {name} before answering; acknowledge first, then work"
    elif is_crash(delivery):
        cause = f"the handler of {name} fails; see the response"
    if cause:
        lines.append(f"likely cause: {cause}")
    return Found(False, "\n".join(lines))


def refused(
    b: Battery,
    delivery: Delivery,
    sent: str,
    *,
    expected: str,
    cause: str,
    crash: str,
    precise: bool = False,
) -> Found:
    """The verdict on *delivery*, a request (described by *sent*) that a correct receiver
    refuses with a 4xx.

    - refused, after a correctly signed event was acknowledged: PASS (with a remark when
      *precise* and the status is neither 401 nor 403);
    - refused, and nothing correctly signed was acknowledged: inconclusive, since a receiver that
      refuses everything refuses this too;
    - acknowledged: FAIL, *cause* the likely cause; answered with a 5xx: FAIL, *crash* the likely
      cause; anything else (late, no answer, a redirect): FAIL, with *expected*.
    """
    line = f"sent: {sent}; got {show(delivery)}"
    if is_refusal(delivery):
        if b.carrier is None:
            return Found(None, f"{line}\n{no_carrier(b)}")
        vague = precise and delivery.status not in (401, 403)
        remark = "; 401 or 403 says more precisely why" if vague else ""
        return Found(True, f"{show(delivery)}{remark}{carried(b)}")
    lines = [line, expected]
    if delivery.acknowledged:
        lines.append(f"likely cause: {cause}")
    elif is_crash(delivery):
        lines.append(f"likely cause: {crash}")
    return Found(False, "\n".join(lines))


def bad_input_refused(b: Battery, delivery: Delivery, sent: str, failed: str) -> Found:
    """The verdict on *delivery*, bad input (a malformed or unsigned body, described with the
    answer by *sent*): any answer below 500 within the deadline passes, when the receiver
    acknowledged a correctly signed event too (otherwise it shows nothing about this input);
    anything else fails, *failed* saying what a correct receiver does and the likely cause."""
    if delivery.status is not None and delivery.status < 500 and not is_slow(delivery):
        if b.carrier is None:
            return Found(None, f"{sent}\n{no_carrier(b)}")
        return Found(True, show(delivery))
    return Found(False, f"{sent}\n{failed}")


def unknown_acknowledged(b: Battery, delivery: Delivery, sent: str, *, refusal: str) -> Found:
    """The verdict on *delivery*, a correctly signed event of a type the receiver cannot know
    (described by *sent*): a correct receiver acknowledges it within the deadline, and any other
    answer fails. *refusal* says what a refusal costs with this provider. A 5xx fails as an error
    even where the check is a warning (for a refusal): no receiver may fail on what the provider
    sends."""
    if delivery.acknowledged:
        b.latencies.append(delivery.elapsed)
        return Found(True, show(delivery))
    lines = [
        f"sent: {sent}; got {show(delivery)}",
        f"a correct receiver acknowledges it with a 2xx within {delivery.deadline:g} s",
    ]
    if is_refusal(delivery) and b.carrier is not None:
        # Without an acknowledged event, the refusal may be of everything (a wrong secret):
        # the failure stands, its cause is the root causes' to tell.
        lines.append(
            f"likely cause: the receiver refuses event types it does not handle; {refusal}"
        )
    elif is_crash(delivery):
        lines.append("likely cause: the handler fails on an event type it does not know")
        return Found(False, "\n".join(lines), Severity.ERROR)
    return Found(False, "\n".join(lines))


def text_variant(
    serialization: str,
    what: str,
    *,
    with_text: Callable[[Battery, str], tuple[Any, str]],
    id_key: str | None,
    own: str,
) -> Callable[[Battery], Found]:
    """A check of one byte form (*serialization*, described by *what*): the carrier event with
    :data:`VARIANT_TEXT` in it (*with_text* puts it there and says where) in the sender's own
    bytes, then the same values in the byte form, judged by :func:`byte_form` (*own* names the
    sender's bytes). For a provider whose events carry their id at their top level (*id_key*),
    the second goes under the next event's id; ``None`` where each delivery's id is a header
    of its own."""

    def check(b: Battery) -> Found:
        from ..generate.events import Event

        b.establish_baseline()
        name = b.carrier
        if name is None:
            return Found(None, no_carrier(b))
        data, where = with_text(b, name)
        twin = b.deliver(Event.build(name, data, serialization=b.suite.serialization))
        # The same event again under an id of its own: a receiver that deduplicates answers a
        # second delivery for that reason, not for its bytes.
        if id_key is not None:
            data = {**data, id_key: b.event(name).data[id_key]}
        event = Event.build(name, data, serialization=serialization)
        own_bytes = Event.build(name, data, serialization=b.suite.serialization).body
        delivery = b.deliver(event)
        sent = f"a correctly signed {name} with {what} (text with '/' and non-ASCII in {where})"
        return byte_form(b, twin, delivery, sent, own=own, own_bytes=own_bytes)

    return check


def byte_form(
    b: Battery,
    twin: Delivery,
    delivery: Delivery,
    sent: str,
    *,
    own: str,
    own_bytes: bytes | None = None,
) -> Found:
    """The verdict on *delivery*, a correctly signed event in another byte form of the same JSON
    (described by *sent*), after *twin*, the same kind of event in the sender's own bytes (*own*
    names them: ``"Zoom's own bytes"``). A correct receiver verifies the bytes it received,
    whatever their form. Any 4xx to the form is put down to a signature over re-serialized JSON,
    whatever status the receiver refuses with (Zoom's own Node.js SDK answers 400).
    *own_bytes*, when given, are the sender's own bytes of the JSON sent: when they are the bytes
    sent (the event has nothing the form writes differently), the check shows nothing and is
    inconclusive."""
    if own_bytes is not None and delivery.request.body == own_bytes:
        return Found(
            None,
            f"sent: {sent}; got {show(delivery)}\ninconclusive: these bytes are the same in "
            f"{own}, so acknowledging them shows nothing about this byte form",
        )
    return beside_twin(
        b,
        twin,
        delivery,
        sent,
        own=own,
        expected="the signature covers the raw bytes, whatever their form",
        refusal=RESERIALIZED,
        crash="the handler fails on this byte form: does it read the raw text (a field's "
        "position, a fixed layout) instead of parsing the JSON?",
    )


def beside_twin(
    b: Battery,
    twin: Delivery,
    delivery: Delivery,
    sent: str,
    *,
    own: str,
    expected: str,
    refusal: str,
    crash: str,
) -> Found:
    """The verdict on *delivery*, a correctly signed request that differs from *twin*, the same
    kind of event as the sender usually sends it (in *own*), in one way a correct receiver
    accepts (*expected* says why). It means something only when the twin was acknowledged:
    otherwise the check is inconclusive. *refusal* and *crash* are the likely causes of a 4xx
    and of a 5xx."""
    line = f"sent: {sent}; got {show(delivery)}"
    if delivery.acknowledged:
        b.latencies.append(delivery.elapsed)
        return Found(True, show(delivery))
    if not twin.acknowledged:
        return Found(
            None,
            f"{line}\ninconclusive: the same kind of event in {own} was refused too "
            f"({show(twin)}), so this difference is not what was refused",
        )
    lines = [
        line,
        f"a correct receiver acknowledges it: {expected} (the same kind of event in {own} was "
        f"acknowledged: {show(twin)})",
    ]
    if is_refusal(delivery):
        lines.append(f"likely cause: {refusal}")
    elif is_slow(delivery):
        lines.append("likely cause: the work happens before the answer; acknowledge first")
    elif is_crash(delivery):
        lines.append(f"likely cause: {crash}")
    return Found(False, "\n".join(lines))
