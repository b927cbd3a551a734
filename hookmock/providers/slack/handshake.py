"""Slack's URL verification: the ``url_verification`` request and what may answer it.

Slack's ``url_verification`` page (https://api.slack.com/events/url_verification) lists three
answers, each with status 200: the challenge as plain text, ``challenge=<value>`` form-encoded,
or the JSON ``{"challenge": "<value>"}``. The content type is not what tells them apart here:
a body that is exactly the challenge, a form whose ``challenge`` is it, or a JSON object whose
``challenge`` is it, passes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from ...errors import SubscriptionError
from ...records.masking import mask_url
from ...records.outcome import Outcome

if TYPE_CHECKING:
    from ...engine.delivery import Delivery
    from ...engine.subscription import Subscription

__all__ = ["diagnose_verification", "verify_endpoint"]


def _answer(body: str) -> tuple[str | None, str]:
    """The challenge a body answers with, and the form it took (``None`` if it has none)."""
    text = body.strip()
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = None
    else:
        if isinstance(parsed, dict):
            value = parsed.get("challenge")
            return (value if isinstance(value, str) else None), "JSON"
        if isinstance(parsed, str):
            return None, "a JSON string"
    if "=" in text and "challenge=" in text:
        values = parse_qs(text).get("challenge")
        return (values[0] if values else None), "form"
    return text, "plain text"


def diagnose_verification(delivery: Delivery, challenge: str, token: str) -> tuple[list[str], str]:
    """What is wrong with a receiver's answer to ``url_verification``, and a hint;
    ``([], "")`` if nothing is."""
    response = delivery.response
    if response is None:
        return [f"no usable answer: {delivery.error}"], ""
    problems: list[str] = []
    hint = ""
    if delivery.outcome is Outcome.LATE:
        problems.append(
            f"answered after {delivery.elapsed:.2f} s; Slack waits {delivery.deadline:g} s"
        )
    if response.status != 200:
        problems.append(f"status {response.status}, expected 200")
        if response.status in (401, 403):
            hint = (
                "url_verification is signed like every request: does the receiver verify "
                "X-Slack-Signature over the raw body bytes, with the app's signing secret?"
            )
        elif response.status in (400, 404, 405, 415, 422):
            hint = (
                "does the receiver answer a POST with a JSON body whose type is "
                "'url_verification' on this path, before looking for an 'event'?"
            )
    value, form = _answer(response.text)
    if value == challenge:
        return problems, hint
    if form == "a JSON string":
        problems.append(
            "the body is a JSON string; Slack reads the challenge as plain text, "
            'challenge=... or {"challenge": ...}'
        )
    elif not response.body.strip():
        problems.append("the body is empty; the challenge must come back")
    elif form == "JSON" and value is None:
        problems.append('the JSON answer has no string "challenge"')
    elif value == token:
        problems.append("the answer is the verification token, not the challenge")
    else:
        shown = value if value is not None else response.text
        problems.append(f"the challenge was not echoed: got {shown[:80]!r} ({form})")
    return problems, hint


def verify_endpoint(
    subscription: Subscription, delivery: Delivery, challenge: str, token: str
) -> None:
    """Raise :class:`SubscriptionError` unless *delivery* answered the challenge as Slack
    accepts it (*token*: the app's verification token, named when it comes back instead)."""
    __tracebackhide__ = True
    problems, hint = diagnose_verification(delivery, challenge, token)
    if not problems:
        return
    delivery.notes.extend(problems)
    lines = [
        f"Slack's URL verification of {mask_url(subscription.url)} failed: {problems[0]}",
        f"expected: status 200 within {delivery.deadline:g} s with the challenge {challenge!r}, as "
        'plain text, as challenge=... (form) or as JSON {"challenge": ...}',
        "problems:",
        *(f"  - {p}" for p in problems),
        "the url_verification request:",
        delivery.describe(body_limit=500),
    ]
    if hint:
        lines.append(f"hint: {hint}")
    raise SubscriptionError("\n".join(lines), delivery=delivery, problems=problems)
