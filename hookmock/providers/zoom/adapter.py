"""Zoom's adapter: headers, signature, URL validation, deadline and retries (facts and sources
in ZOOM.md), and the helpers that sign and diagnose as Zoom does."""

from __future__ import annotations

import binascii
import json
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...engine.adapter import Adapter, Route, Simulator
from ...engine.delivery import Delivery
from ...engine.subscription import Subscription
from ...errors import ConfigurationError, SubscriptionError
from ...generate.events import Event
from ...records.exchange import Request, host_header
from ...records.masking import mask_url
from ...records.outcome import Outcome
from .coherence import GENERATION
from .signature import URL_VALIDATION, encrypted_token, sign

if TYPE_CHECKING:
    from ...conformance.base import Suite
    from ...server.state import ServerExtension

__all__ = [
    "DEADLINE",
    "SECRET_TOKEN_ENV",
    "USER_AGENT",
    "ZoomAdapter",
    "diagnose_validation",
    "generate_secret_token",
    "request_id",
    "signed_headers",
]

#: Zoom's header values (ZOOM.md §1, from the "Using webhooks" page's example request).
USER_AGENT = "Zoom Marketplace/1.0a"
CONTENT_TYPE = "application/json; charset=utf-8"
#: ``zm-trace-upstream`` of every captured delivery (ZOOM.md §8).
TRACE_UPSTREAM = "Meeting_Web_marketplace-consumer"
#: Seconds Zoom waits for a 2xx (ZOOM.md §3, §4).
DEADLINE = 3.0
#: The environment variable Zoom's own samples read the secret token from.
SECRET_TOKEN_ENV = "ZOOM_WEBHOOK_SECRET_TOKEN"


def signed_headers(
    secret_token: str, body: bytes, *, timestamp: int | str | None = None
) -> dict[str, str]:
    """The headers Zoom would send with *body*: content type, user agent, timestamp, signature."""
    ts = str(int(time.time())) if timestamp is None else str(timestamp)
    return {
        "user-agent": USER_AGENT,
        "content-type": CONTENT_TYPE,
        "x-zm-request-timestamp": ts,
        "x-zm-signature": sign(secret_token, ts, body),
    }


def request_id(rng: random.Random) -> str:
    """An ``x-zm-request-id``: a random (version 4) UUID written with underscores, as Zoom
    writes it (``521662ee_efdf_47fc_b337_0e4aa1fc2876``, ZOOM.md §8)."""
    return _request_id(rng.getrandbits(128))


def _request_id(bits: int) -> str:
    h = f"{bits:032x}"
    # The variant digit: 8, 9, a or b after the low two bits of the 17th hex digit.
    return f"{h[:8]}_{h[8:12]}_4{h[13:16]}_{'89ab'[(bits >> 60) & 3]}{h[17:20]}_{h[20:]}"


#: A request id's variant digit (8, 9, a or b: the low two bits of the random digit drawn in
#: its place), by that digit.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def _header_ids(bits: int) -> tuple[str, str, str]:
    """The ``x-zm-request-id``, ``x-zm-trackingid`` and ``traceparent`` of one draw of 448
    bits: its low 128 bits, the next 128, and the 128 and 64 above them. The draw is written in
    hex once and cut (the highest bits first), instead of each part being masked and written."""
    digits = f"{bits:0112x}"
    # The low 128 bits, as _request_id writes them.
    low = digits[80:]
    request = f"{low[:8]}_{low[8:12]}_4{low[13:16]}_{_VARIANT[low[16]]}{low[17:20]}_{low[20:]}"
    return (
        request,
        "v=2.0;clid=us02;rid=WEB_" + digits[48:80],
        f"00-{digits[16:48]}-{digits[:16]}-02",
    )


#: The headers every delivery starts with, and the one it ends with (see build_request).
_NAMES = (
    "host",
    "user-agent",
    "content-length",
    "content-type",
    "x-zm-request-timestamp",
    "x-zm-signature",
    "x-zm-request-id",
)
_LAST = ("accept-encoding",)


def generate_secret_token() -> str:
    """A random secret token shaped like Zoom's (22 URL-safe characters)."""
    # secrets.token_urlsafe(16), without importing secrets and base64 for every Zoom made
    # without a token: 16 random bytes from the operating system, in URL-safe base64.
    text = binascii.b2a_base64(os.urandom(16), newline=False).decode("ascii")
    return text.rstrip("=").replace("+", "-").replace("/", "_")[:22]


class ZoomAdapter(Adapter):
    """What Zoom does (ZOOM.md): the options are :class:`~hookmock.Zoom`'s ``secret_token``,
    ``verification_token``, ``client_id``, ``traceparent``, ``tracking_id`` and
    ``trace_upstream``."""

    name = "zoom"
    #: The name as Zoom writes it, for messages and the mock server's descriptions.
    title = "Zoom"
    default_deadline = DEADLINE
    #: The keyword the secret is given by, and the environment variable it is read from.
    secret_option = "secret_token"
    secret_env = SECRET_TOKEN_ENV
    # ZOOM.md §4: retry 1 at +5 min after the first attempt, retry 2 +20 min after retry 1,
    # retry 3 +60 min after retry 2; then the event is dropped.
    retry_delays = (5 * 60.0, 20 * 60.0, 60 * 60.0)
    # ZOOM.md §3: re-validation every 72 h; the owner is emailed after 2 and 4 consecutive
    # failures; after 6 the subscription is disabled.
    revalidation_interval = 72 * 3600.0
    revalidation_warnings = (2, 4)
    revalidation_limit = 6
    signature_headers = ("x-zm-request-timestamp", "x-zm-signature")
    # ZOOM.md §8: a retry carries the first attempt's x-zm-request-id (with a fresh timestamp
    # and signature); a re-sent duplicate gets a new one.
    retry_headers = ("x-zm-request-id",)
    timestamp_header = "x-zm-request-timestamp"
    #: Where a field given by name to :meth:`fake` is looked for, in order.
    field_levels = ("payload.object", "payload", "")
    #: Zoom's kinds of values and consistency rules (kinds.py, coherence.py).
    generation = GENERATION

    def __init__(
        self,
        *,
        secret_token: str | None = None,
        verification_token: str | None = None,
        client_id: str | None = None,
        traceparent: bool = True,
        tracking_id: bool = True,
        trace_upstream: bool = True,
    ) -> None:
        # The arguments hold secrets: pytest does not show this frame's locals.
        __tracebackhide__ = True
        if secret_token is not None and (not isinstance(secret_token, str) or not secret_token):
            raise ConfigurationError(
                f"secret_token must be a non-empty string (the app's webhook secret token); "
                f"set it or {SECRET_TOKEN_ENV}, or leave it out for a random one"
            )
        self.secret_token = secret_token or generate_secret_token()
        self.verification_token = verification_token
        self.client_id = client_id
        self.traceparent = traceparent
        self.tracking_id = tracking_id
        self.trace_upstream = trace_upstream
        self._header_ids = random.Random(0)

    def bind(self, sim: Simulator) -> None:
        super().bind(sim)
        # Header ids draw from their own sequence, so that switching a header off leaves the
        # subscription and chain ids (and every other seeded value) as they were.
        self._header_ids = random.Random(sim.seed ^ 0x7EAD)

    @classmethod
    def signer(cls, secrets: Sequence[str]) -> Callable[[bytes, int | None], dict[str, str]]:
        if len(secrets) != 1:
            raise ConfigurationError(
                f"Zoom signs with one secret token, got {len(secrets)}: give one"
            )
        (secret_token,) = secrets

        def sign_body(body: bytes, timestamp: int | None) -> dict[str, str]:
            return signed_headers(secret_token, body, timestamp=timestamp)

        return sign_body

    def scenarios(self) -> Mapping[str, tuple[str, Mapping[str, Any]]]:
        from .scenarios import SCENARIOS

        return {name: (about, defaults) for name, (about, defaults, _) in SCENARIOS.items()}

    def scenario_steps(self, name: str, **params: Any) -> Sequence[tuple[float, Event]]:
        """The events of scenario *name* and when each is due (see
        :mod:`hookmock.providers.zoom.scenarios`)."""
        from ..simulator import simulator_of
        from .scenarios import build_scenario

        return [
            (step.at, step.event) for step in build_scenario(simulator_of(self), name, **params)
        ]

    def conformance_suite(self) -> Suite:
        from .battery import SUITE

        return SUITE

    @property
    def secret(self) -> str:
        """The secret deliveries are signed with: the secret token."""
        return self.secret_token

    def retryable(self, outcome: Outcome) -> bool:
        # ZOOM.md §4: 5xx, timeouts and connection failures are retried; 3xx and 4xx (429
        # included) are final. An in-process answer after the deadline is a timeout to Zoom.
        return outcome not in (Outcome.ACKNOWLEDGED, Outcome.REJECTED, Outcome.REDIRECTED)

    def secrets(self) -> tuple[str, ...]:
        return tuple(filter(None, (self.secret_token, self.verification_token)))

    def build_request(
        self,
        event: Event,
        subscription: Subscription,
        *,
        sent_at: float,
        timestamp: int | str | None = None,
    ) -> Request:
        ts = self.sim.signing_timestamp(sent_at, timestamp)
        body = event.body
        # Every value is drawn whichever headers are switched on, so that switching one off
        # leaves the others' values as they were. One draw of 448 bits is the four draws of
        # 128, 128, 128 and 64 bits (the request id, tracking id and traceparent), low bits
        # first, as getrandbits makes them.
        request, tracking, trace = _header_ids(self._header_ids.getrandbits(448))
        # The order of the "Using webhooks" page's example request (ZOOM.md §1), with the headers
        # every captured delivery adds (ZOOM.md §8) beside their kin. Names and values are
        # written apart, as the request keeps them.
        names: tuple[str, ...] = _NAMES
        values = [
            host_header(subscription.url),
            USER_AGENT,
            str(len(body)),
            CONTENT_TYPE,
            ts,
            sign(self.secret_token, ts, body),
            request,
        ]
        if self.tracking_id:
            names += ("x-zm-trackingid",)
            values.append(tracking)
        if self.verification_token:
            names += ("authorization",)
            values.append(self.verification_token)
        if self.client_id:
            names += ("clientid",)
            values.append(self.client_id)
        if self.traceparent:
            names += ("traceparent",)
            values.append(trace)
        if self.trace_upstream:
            names += ("zm-trace-upstream",)
            values.append(TRACE_UPSTREAM)
        values.append("gzip")
        return Request.from_parts("POST", subscription.url, names + _LAST, values, body)

    # -- the mock Zoom server (hookmock.server) -------------------------------------------------

    def server_routes(self) -> Sequence[Route]:
        """Zoom's own endpoints on the mock server: the OAuth token, the event subscription API
        and recording downloads (:mod:`hookmock.providers.zoom.server`)."""
        # Imported when a server is made, not with Zoom: the endpoints need werkzeug.
        from .server import ROUTES

        return ROUTES

    @classmethod
    def server_extension(cls) -> ServerExtension:
        """What Zoom adds to the mock server besides its endpoints: its OAuth app's options
        (``--client-id``, ``--client-secret``, ``--account-id``) and the download URLs of
        generated events pointed at the server (:data:`hookmock.providers.zoom.server.EXTENSION`).
        """
        from .server import EXTENSION

        return EXTENSION

    # -- URL validation (ZOOM.md §3) ------------------------------------------------------------

    def validate_endpoint(self, subscription: Subscription) -> Delivery:
        """Send Zoom's signed ``endpoint.url_validation`` challenge and check the answer.

        :raises SubscriptionError: with the request, the response, the expected answer and a hint.
        """
        __tracebackhide__ = True
        event = self.sim.fake(URL_VALIDATION)
        plain = event.data["payload"]["plainToken"]
        delivery = self.sim.deliver(event, subscription)
        expected = encrypted_token(self.secret_token, plain)
        problems, hint = diagnose_validation(delivery, plain, self.secret_token)
        if not problems:
            subscription.validated_at = delivery.sent_at
            return delivery
        delivery.notes.extend(problems)
        answer = json.dumps({"plainToken": plain, "encryptedToken": expected})
        lines = [
            f"Zoom's URL validation of {mask_url(subscription.url)} failed: {problems[0]}",
            f"expected: status 200 within {self.sim.deadline:g} s with the JSON body {answer}",
            "  (encryptedToken: lowercase hex HMAC-SHA256 of plainToken keyed by the secret token)",
            "problems:",
            *(f"  - {p}" for p in problems),
            "the validation request:",
            delivery.describe(body_limit=500),
        ]
        if hint:
            lines.append(f"hint: {hint}")
        raise SubscriptionError("\n".join(lines), delivery=delivery, problems=problems)


def _variants(secret: str, plain: str) -> dict[str, str]:
    """Answers that receivers commonly compute instead of the right one, and what each means."""
    import base64
    import hashlib
    import hmac

    key, msg = secret.encode(), plain.encode()
    sha256 = hmac.new(key, msg, hashlib.sha256)
    return {
        base64.b64encode(sha256.digest()).decode(): "it is base64; Zoom expects lowercase hex",
        sha256.hexdigest().upper(): "it is uppercase hex; Zoom expects lowercase hex",
        hmac.new(key, msg, hashlib.sha1).hexdigest(): "it is HMAC-SHA1; Zoom uses HMAC-SHA256",
        hmac.new(msg, key, hashlib.sha256).hexdigest(): (
            "key and message are swapped: the key is the secret token, the message the plainToken"
        ),
        hashlib.sha256(msg).hexdigest(): "it is a plain SHA-256 of plainToken, without the secret",
        plain: "it is the plainToken itself, not its HMAC",
    }


def diagnose_validation(delivery: Delivery, plain: str, secret: str) -> tuple[list[str], str]:
    """What is wrong with a receiver's answer to URL validation, and a hint; ``([], "")`` if
    nothing is."""
    response = delivery.response
    if response is None:
        return [f"no usable answer: {delivery.error}"], ""
    problems: list[str] = []
    hint = ""
    if delivery.outcome is Outcome.LATE:
        problems.append(
            f"answered after {delivery.elapsed:.2f} s; Zoom waits {delivery.deadline:g} s"
        )
    if response.status != 200:
        problems.append(f"status {response.status}, expected 200")
        if response.status == 204:
            hint = "Zoom's docs mention 204, but a 204 carries no body: answer 200 with the JSON"
        elif response.status in (401, 403):
            hint = (
                "the validation request is signed like every event: does the receiver verify "
                "the signature over the raw body bytes, with the same secret token?"
            )
        elif response.status in (400, 404, 405, 422):
            hint = (
                "does the receiver handle event 'endpoint.url_validation' on this path "
                "(POST, JSON body)?"
            )
    try:
        answer: Any = json.loads(response.body)
    except ValueError:
        problems.append(f"the body is not JSON: {response.text[:80]!r}")
        return (
            problems,
            hint or 'answer with a JSON object {"plainToken": ..., "encryptedToken": ...}',
        )
    if not isinstance(answer, dict):
        problems.append(f"the body is JSON {type(answer).__name__}, expected an object")
        return problems, hint
    echoed = answer.get("plainToken")
    if echoed != plain:
        problems.append(
            f"plainToken not echoed: expected {plain!r}, got {echoed!r}"
            if echoed is not None
            else "plainToken missing from the answer"
        )
    token = answer.get("encryptedToken")
    if token is None:
        problems.append("encryptedToken missing from the answer")
    elif token != encrypted_token(secret, plain):
        reason = _variants(secret, plain).get(str(token))
        if reason:
            problems.append(f"encryptedToken is wrong: {reason}")
        else:
            problems.append(f"encryptedToken {str(token)[:70]!r} is wrong")
            hint = hint or (
                "the receiver's secret token differs from the simulated app's: give both the "
                f"same (the zoom fixture reads {SECRET_TOKEN_ENV}, --hookmock-secret-token or "
                "@pytest.mark.hookmock(secret_token=...))"
            )
    return problems, hint
