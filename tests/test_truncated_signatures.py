"""A receiver that compares as much of the signature as it was sent (``expected.startswith(
signature)``, refusing only an empty one) lets a forger in with one right hex digit: each
battery refuses it a signature cut to its first half."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import pytest
from werkzeug.wrappers import Request, Response

from hookmock import GitHub, Slack, Stripe
from hookmock.conformance.base import Verdict

SECRET = "truncated-0123456789abcdef0123"


def _digest(message: bytes) -> str:
    return hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()


def _github(req: Request) -> bool:
    given = req.headers.get("x-hub-signature-256", "")
    expected = "sha256=" + _digest(req.get_data())
    return len(given) > len("sha256=") and expected.startswith(given)


def _stripe(req: Request) -> bool:
    items = [part.split("=", 1) for part in req.headers.get("stripe-signature", "").split(",")]
    t = next((v for k, *v in items if k == "t" and v), [""])[0]
    if not t.isdigit() or time.time() - int(t) > 300:
        return False
    expected = _digest(t.encode() + b"." + req.get_data())
    return any(k == "v1" and v and v[0] and expected.startswith(v[0]) for k, *v in items)


def _slack(req: Request) -> bool:
    ts = req.headers.get("x-slack-request-timestamp", "")
    given = req.headers.get("x-slack-signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return False
    expected = "v0=" + _digest(b"v0:" + ts.encode() + b":" + req.get_data())
    return len(given) > len("v0=") and expected.startswith(given)


def _receiver(verified: Callable[[Request], bool]) -> object:
    @Request.application  # type: ignore[arg-type]
    def app(req: Request) -> Response:
        if not verified(req):
            return Response("invalid signature", status=401)
        try:
            data = json.loads(req.get_data())
        except ValueError:
            return Response("not JSON", status=400)
        if isinstance(data, dict) and data.get("type") == "url_verification":
            return Response(data["challenge"], content_type="text/plain")
        return Response("{}", content_type="application/json")

    return app


@pytest.mark.parametrize(
    ("provider", "verified", "check", "sent"),
    [
        (GitHub, _github, "forged-truncated-signature", "cut to its first half"),
        (Stripe, _stripe, "forged-truncated-signature", "cut to its first half"),
        # Slack's prefix check sends the first half alone.
        (Slack, _slack, "forged-signature-prefix", "only the first half of the signature"),
    ],
    ids=["github", "stripe", "slack"],
)
def test_a_prefix_comparison_fails_the_truncated_signature_alone(
    provider: type[GitHub | Stripe | Slack],
    verified: Callable[[Request], bool],
    check: str,
    sent: str,
) -> None:
    report = provider(secret=SECRET, seed=4).check(_receiver(verified))
    failed = [r.id for r in report.results if r.outcome is Verdict.FAIL]
    assert failed == [check], report.table()
    assert sent in report[check].detail
