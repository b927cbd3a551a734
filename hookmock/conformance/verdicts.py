"""Verdicts shared by every provider's battery: on a request a correct receiver refuses (a
forgery, a replay), and on an event type it cannot know, which a correct receiver acknowledges.

Each battery says what it sent and what it expects in its provider's words; the judgement is the
same for all of them, so a forged request acknowledged by a receiver is a failure for every
provider, and a refusal shows something only once a correctly signed event was acknowledged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Battery, Found, carried, is_crash, is_refusal, no_carrier, show

if TYPE_CHECKING:
    from ..engine.delivery import Delivery

__all__ = ["refused", "unknown_acknowledged"]


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


def unknown_acknowledged(b: Battery, delivery: Delivery, sent: str, *, refusal: str) -> Found:
    """The verdict on *delivery*, a correctly signed event of a type the receiver cannot know
    (described by *sent*): a correct receiver acknowledges it within the deadline, and any other
    answer fails. *refusal* says what a refusal costs with this provider."""
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
    return Found(False, "\n".join(lines))
