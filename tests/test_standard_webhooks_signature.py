"""Standard Webhooks signatures, judged by the specification's own libraries.

The judges: ``standardwebhooks`` (the reference Python library of
github.com/standard-webhooks/standard-webhooks) and ``svix`` (``svix.webhooks.Webhook``, which
since svix 2 delegates to ``standardwebhooks`` and also reads ``svix-*`` headers). Both check
``webhook-timestamp`` against the clock with a 5-minute tolerance, so the deliveries they judge
are dated now; every other test passes its timestamps in.

Neither Python library verifies ``v1a`` (Ed25519): those signatures are judged by the
``cryptography`` package and by the reference Go library's published test vector.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import standardwebhooks
import svix.webhooks
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hookmock.errors import ConfigurationError
from hookmock.providers import standard_webhooks as sw
from hookmock.providers.standard_webhooks import forgeries

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
MSG_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
TIMESTAMP = 1674087231
BODY = b'{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1"}}'
NON_ASCII_BODY = '{"type":"meeting.started","data":{"topic":"Café – 会議 🎉"}}'.encode()

Judge = Callable[[str, bytes | str, Mapping[str, str]], None]


def _standardwebhooks(secret: str, body: bytes | str, headers: Mapping[str, str]) -> None:
    standardwebhooks.Webhook(secret).verify(body, dict(headers), json_parse=False)


def _svix(secret: str, body: bytes | str, headers: Mapping[str, str]) -> None:
    svix.webhooks.Webhook(secret).verify(body, dict(headers))


JUDGES = [
    pytest.param(_standardwebhooks, id="standardwebhooks"),
    pytest.param(_svix, id="svix"),
]


def accepted(judge: Judge, secret: str, body: bytes | str, headers: Mapping[str, str]) -> bool:
    """Whether *judge* accepts the delivery. Its refusals: ``WebhookVerificationError``, and the
    ``ValueError`` (or ``binascii.Error``, a subclass) that ``standardwebhooks`` 1.1.0 lets out
    of a signature item without a comma or with bad base64."""
    try:
        judge(secret, body, headers)
    except (standardwebhooks.WebhookVerificationError, ValueError):
        return False
    return True


def now() -> int:
    return int(time.time())


# -- The specification's published vectors ------------------------------------------------------


def test_the_python_librarys_published_v1_vector() -> None:
    # standard-webhooks/standard-webhooks, libraries/python/tests/test_webhooks.py,
    # test_sign_function (MIT): the same vector is in the JavaScript, Go and Rust libraries' tests.
    signature = sw.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_go_librarys_published_v1a_vector() -> None:
    # standard-webhooks/standard-webhooks, libraries/go/webhook_asymmetric_test.go,
    # TestAsymmetricWebhookSign (MIT): the key is the base64 of a 32-byte seed, without prefix
    # there; the Go library strips an optional whsk_.
    seed = "VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk="
    expected = (
        "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0"
        "mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag=="
    )
    args = ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert sw.sign("whsk_" + seed, *args) == expected
    assert sw.verify(sw.public_key("whsk_" + seed), *args, expected)


def test_the_specs_example_header_parses_into_its_two_items() -> None:
    # spec/standard-webhooks.md, "Webhook headers": one symmetric and one asymmetric signature.
    header = (
        "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= "
        "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="
    )
    assert sw.parse_signature_header(header) == [
        ("v1", "K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="),
        (
            "v1a",
            "hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==",
        ),
    ]


# -- hookmock signs, the libraries verify ------------------------------------------------------


@pytest.mark.parametrize("judge", JUDGES)
@pytest.mark.parametrize(
    "body",
    [BODY, BODY.decode(), NON_ASCII_BODY, NON_ASCII_BODY.decode()],
    ids=["bytes", "str", "non-ascii-bytes", "non-ascii-str"],
)
def test_the_libraries_accept_hookmocks_deliveries(judge: Judge, body: bytes | str) -> None:
    headers = sw.signed_headers(SECRET, body, msg_id=MSG_ID, timestamp=now())
    assert accepted(judge, SECRET, body, headers)
    # The same headers with another secret: the acceptance above was the signature's doing.
    assert not accepted(judge, OTHER_SECRET, body, headers)


@pytest.mark.parametrize("judge", JUDGES)
def test_a_generated_secret_and_message_id_are_accepted(judge: Judge) -> None:
    secret = sw.generate_secret()
    headers = sw.signed_headers(secret, BODY, timestamp=now())
    assert accepted(judge, secret, BODY, headers)


@pytest.mark.parametrize("judge", JUDGES)
def test_rotation_either_secret_of_the_header_is_accepted_alone(judge: Judge) -> None:
    headers = sw.signed_headers([OTHER_SECRET, SECRET], BODY, msg_id=MSG_ID, timestamp=now())
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert accepted(judge, SECRET, BODY, headers)
    assert accepted(judge, OTHER_SECRET, BODY, headers)
    assert not accepted(judge, sw.generate_secret(), BODY, headers)


@pytest.mark.parametrize("judge", JUDGES)
def test_a_v1a_item_before_the_v1_item_is_skipped_by_v1_verifiers(judge: Judge) -> None:
    private, _ = sw.generate_key_pair()
    headers = sw.signed_headers([private, SECRET], BODY, msg_id=MSG_ID, timestamp=now())
    assert headers["webhook-signature"].startswith("v1a,")
    assert accepted(judge, SECRET, BODY, headers)


def test_svix_also_accepts_the_headers_under_its_own_names() -> None:
    headers = sw.signed_headers(SECRET, BODY, msg_id=MSG_ID, timestamp=now())
    branded = {name.replace("webhook-", "svix-"): value for name, value in headers.items()}
    assert "svix-signature" in branded
    assert accepted(_svix, SECRET, BODY, branded)


@pytest.mark.parametrize("judge", JUDGES)
def test_a_secret_without_prefix_and_raw_bytes_sign_alike(judge: Judge) -> None:
    bare = SECRET.removeprefix("whsec_")
    raw = base64.b64decode(bare)
    prefixed = sw.sign(SECRET, MSG_ID, TIMESTAMP, BODY)
    assert sw.sign(bare, MSG_ID, TIMESTAMP, BODY) == prefixed
    assert sw.sign(raw, MSG_ID, TIMESTAMP, BODY) == prefixed
    headers = sw.signed_headers(bare, BODY, msg_id=MSG_ID, timestamp=now())
    assert accepted(judge, bare, BODY, headers)
    assert accepted(judge, SECRET, BODY, headers)


# -- Forgeries: every one refused, while the honest delivery is accepted --------------------------

Forge = Callable[..., forgeries.SignedRequest]
#: Each forgery, with the parts of the request it changes (a stale timestamp is honestly signed:
#: the timestamp changes, and the signature with it).
FORGERIES: dict[str, tuple[Forge, set[str]]] = {
    "wrong_key": (forgeries.wrong_key, {"webhook-signature"}),
    "tampered_body": (forgeries.tampered_body, {"body"}),
    "stale_timestamp": (forgeries.stale_timestamp, {"webhook-timestamp", "webhook-signature"}),
    "future_timestamp": (
        functools.partial(forgeries.stale_timestamp, age=-(sw.TOLERANCE + 60)),
        {"webhook-timestamp", "webhook-signature"},
    ),
    "shifted_timestamp": (forgeries.shifted_timestamp, {"webhook-timestamp"}),
    "other_message_id": (forgeries.other_message_id, {"webhook-id"}),
    "unknown_version": (forgeries.unknown_version, {"webhook-signature"}),
    "empty_signature": (forgeries.empty_signature, {"webhook-signature"}),
    "malformed_item": (forgeries.malformed_item, {"webhook-signature"}),
    "malformed_base64": (
        functools.partial(forgeries.malformed_item, item="v1,not base64!"),
        {"webhook-signature"},
    ),
}
forgery_params = pytest.mark.parametrize(
    ("forge", "changes"), FORGERIES.values(), ids=list(FORGERIES)
)


@pytest.mark.parametrize("judge", JUDGES)
@forgery_params
def test_the_libraries_refuse_every_forgery(judge: Judge, forge: Forge, changes: set[str]) -> None:
    timestamp = now()
    honest = forgeries.signed_request(SECRET, BODY, msg_id=MSG_ID, timestamp=timestamp)
    forged = forge(SECRET, BODY, msg_id=MSG_ID, timestamp=timestamp)
    assert accepted(judge, SECRET, honest.body, honest.headers)
    assert not accepted(judge, SECRET, forged.body, forged.headers)


@forgery_params
def test_hookmocks_verify_refuses_every_forgery(forge: Forge, changes: set[str]) -> None:
    forged = forge(SECRET, BODY, msg_id=MSG_ID, timestamp=TIMESTAMP)
    headers = forged.headers
    valid_signature = sw.verify(
        SECRET,
        headers["webhook-id"],
        headers["webhook-timestamp"],
        forged.body,
        headers["webhook-signature"],
    )
    fresh = sw.within_tolerance(headers["webhook-timestamp"], now=TIMESTAMP)
    assert not (valid_signature and fresh)


@forgery_params
def test_each_forgery_changes_only_what_it_says(forge: Forge, changes: set[str]) -> None:
    honest = forgeries.signed_request(SECRET, BODY, msg_id=MSG_ID, timestamp=TIMESTAMP)
    forged = forge(SECRET, BODY, msg_id=MSG_ID, timestamp=TIMESTAMP)
    assert forged.headers.keys() == honest.headers.keys()
    changed = {name for name in honest.headers if honest.headers[name] != forged.headers[name]}
    if honest.body != forged.body:
        changed.add("body")
    assert changed == changes


def test_a_tampered_json_body_stays_json_and_says_something_else() -> None:
    forged = forgeries.tampered_body(SECRET, BODY, msg_id=MSG_ID, timestamp=TIMESTAMP)
    assert json.loads(forged.body) == {**json.loads(BODY), "hookmock_tampered": True}
    empty = forgeries.tampered_body(SECRET, b"{}", msg_id=MSG_ID, timestamp=TIMESTAMP)
    assert json.loads(empty.body) == {"hookmock_tampered": True}
    text = forgeries.tampered_body(SECRET, b"plain", msg_id=MSG_ID, timestamp=TIMESTAMP)
    assert text.body == b"plain "


def test_the_wrong_key_keeps_the_kind_of_key() -> None:
    private, _ = sw.generate_key_pair()
    symmetric = forgeries.wrong_key(SECRET, BODY, msg_id=MSG_ID, timestamp=TIMESTAMP)
    asymmetric = forgeries.wrong_key(private, BODY, msg_id=MSG_ID, timestamp=TIMESTAMP)
    assert symmetric.headers["webhook-signature"].startswith("v1,")
    assert asymmetric.headers["webhook-signature"].startswith("v1a,")
    assert not sw.verify(private, MSG_ID, TIMESTAMP, BODY, asymmetric.headers["webhook-signature"])


# -- The libraries sign, hookmock verifies ------------------------------------------------------


@pytest.mark.parametrize(
    "library_sign",
    [
        pytest.param(lambda s: standardwebhooks.Webhook(s).sign, id="standardwebhooks"),
        pytest.param(lambda s: svix.webhooks.Webhook(s).sign, id="svix"),
    ],
)
@pytest.mark.parametrize("body", [BODY.decode(), NON_ASCII_BODY.decode()], ids=["ascii", "utf8"])
def test_hookmock_verifies_what_the_libraries_sign(
    library_sign: Callable[[str], Callable[..., str]], body: str
) -> None:
    moment = datetime.fromtimestamp(TIMESTAMP, tz=UTC)
    header = library_sign(SECRET)(MSG_ID, moment, body)
    assert sw.verify(SECRET, MSG_ID, TIMESTAMP, body.encode(), header)
    assert header == sw.sign(SECRET, MSG_ID, TIMESTAMP, body)
    assert not sw.verify(OTHER_SECRET, MSG_ID, TIMESTAMP, body.encode(), header)
    assert not sw.verify(SECRET, MSG_ID, TIMESTAMP + 1, body.encode(), header)


# -- v1a: Ed25519 -------------------------------------------------------------------------------


def _public(whpk: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(whpk.removeprefix("whpk_")))


def test_v1a_signatures_verify_with_cryptographys_public_key() -> None:
    private, public = sw.generate_key_pair()
    header = sw.sign(private, MSG_ID, TIMESTAMP, NON_ASCII_BODY)
    version, _, signature = header.partition(",")
    assert version == "v1a"
    content = f"{MSG_ID}.{TIMESTAMP}.".encode() + NON_ASCII_BODY
    _public(public).verify(base64.b64decode(signature), content)  # raises if invalid
    with pytest.raises(InvalidSignature):
        _public(public).verify(base64.b64decode(signature), content + b" ")
    _, stranger = sw.generate_key_pair()
    with pytest.raises(InvalidSignature):
        _public(stranger).verify(base64.b64decode(signature), content)


def test_v1a_verification_with_the_public_or_the_private_key() -> None:
    private, public = sw.generate_key_pair()
    header = sw.signature_header([SECRET, private], MSG_ID, TIMESTAMP, BODY)
    assert sw.verify(public, MSG_ID, TIMESTAMP, BODY, header)
    assert sw.verify(private, MSG_ID, TIMESTAMP, BODY, header)
    assert sw.verify(SECRET, MSG_ID, TIMESTAMP, BODY, header)
    _, stranger = sw.generate_key_pair()
    assert not sw.verify(stranger, MSG_ID, TIMESTAMP, BODY, header)
    v1a_item = header.split(" ")[1]
    # A v1a signature presented as v1 (or the reverse) is no match.
    assert not sw.verify(public, MSG_ID, TIMESTAMP, BODY, "v1," + v1a_item.partition(",")[2])


def test_key_pairs_and_their_encodings() -> None:
    private, public = sw.generate_key_pair()
    assert private.startswith("whsk_") and public.startswith("whpk_")
    seed = base64.b64decode(private.removeprefix("whsk_"), validate=True)
    assert len(seed) == 32
    assert len(base64.b64decode(public.removeprefix("whpk_"), validate=True)) == 32
    assert sw.public_key(private) == public
    assert sw.generate_key_pair()[0] != private
    # The 64-byte form (seed, then public key) of libsodium and the Svix server signs alike.
    long_form = "whsk_" + base64.b64encode(seed + _raw(public)).decode()
    assert sw.sign(long_form, MSG_ID, TIMESTAMP, BODY) == sw.sign(private, MSG_ID, TIMESTAMP, BODY)


def _raw(key: str) -> bytes:
    return base64.b64decode(key.partition("_")[2])


def test_a_public_key_cannot_sign() -> None:
    _, public = sw.generate_key_pair()
    with pytest.raises(ConfigurationError, match="whpk_ key is an Ed25519 public key"):
        sw.sign(public, MSG_ID, TIMESTAMP, BODY)


def test_without_cryptography_v1a_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    private, public = sw.generate_key_pair()
    monkeypatch.setitem(sys.modules, "cryptography", None)
    for key in (private, public):
        with pytest.raises(ConfigurationError, match=re.escape("pip install 'hookmock[ed25519]'")):
            sw.parse_key(key)
    # Symmetric signatures need nothing more.
    assert sw.sign(SECRET, MSG_ID, TIMESTAMP, BODY).startswith("v1,")


def test_importing_the_module_does_not_import_cryptography() -> None:
    code = (
        "import sys, hookmock.providers.standard_webhooks as sw; "
        "sw.sign(sw.generate_secret(), 'msg_1', 1, b'{}'); "
        "print('cryptography' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# -- Keys, headers, tolerance -------------------------------------------------------------------


def test_a_generated_secret_is_whsec_and_24_random_bytes() -> None:
    secret = sw.generate_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 24
    assert sw.generate_secret() != secret


def test_signed_headers() -> None:
    headers = sw.signed_headers(SECRET, BODY, msg_id=MSG_ID, timestamp=TIMESTAMP)
    assert headers == {
        "content-type": "application/json",
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(TIMESTAMP),
        "webhook-signature": sw.sign(SECRET, MSG_ID, TIMESTAMP, BODY),
    }


def test_a_new_message_id_looks_like_the_specs() -> None:
    headers = sw.signed_headers(SECRET, BODY, timestamp=TIMESTAMP)
    assert re.fullmatch(r"msg_[0-9A-Za-z]{27}", headers["webhook-id"])
    assert sw.new_message_id() != sw.new_message_id()


@pytest.mark.parametrize(
    ("msg_id", "problem"),
    [("", "is empty"), ("msg_a.b", "contains '.'"), ("msg a", "contains ' '")],
)
def test_a_message_id_an_honest_sender_would_not_send(msg_id: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(f"webhook-id {msg_id!r} {problem}")):
        sw.signed_headers(SECRET, BODY, msg_id=msg_id, timestamp=TIMESTAMP)


@pytest.mark.parametrize("timestamp", [-1, 1.5, "1674087231", True])
def test_a_timestamp_that_is_not_whole_seconds(timestamp: Any) -> None:
    with pytest.raises(ConfigurationError, match="whole Unix seconds"):
        sw.signed_headers(SECRET, BODY, msg_id=MSG_ID, timestamp=timestamp)


def test_no_secret_at_all() -> None:
    with pytest.raises(ConfigurationError, match="no webhook secret given"):
        sw.signature_header([], MSG_ID, TIMESTAMP, BODY)


def test_verify_tries_every_item_and_skips_the_malformed() -> None:
    good = sw.sign(SECRET, MSG_ID, TIMESTAMP, BODY)
    other = sw.sign(OTHER_SECRET, MSG_ID, TIMESTAMP, BODY)
    assert sw.verify(SECRET, MSG_ID, TIMESTAMP, BODY, f"garbage {other}  {good}")
    assert not sw.verify(SECRET, MSG_ID, TIMESTAMP, BODY, f"garbage {other}")
    assert not sw.verify(SECRET, MSG_ID, TIMESTAMP, BODY, "")
    assert not sw.verify(SECRET, MSG_ID, TIMESTAMP, BODY, "v2," + good.partition(",")[2])


@pytest.mark.parametrize(
    ("offset", "fresh"),
    [(0, True), (300, True), (-300, True), (301, False), (-301, False)],
)
def test_the_five_minute_tolerance(offset: int, fresh: bool) -> None:
    assert sw.within_tolerance(TIMESTAMP + offset, now=TIMESTAMP) is fresh
    assert sw.within_tolerance(str(TIMESTAMP + offset), now=TIMESTAMP) is fresh


def test_an_unreadable_timestamp_is_not_fresh() -> None:
    assert not sw.within_tolerance("hello", now=TIMESTAMP)


SECRET_SHAPES = (
    "'whsec_' followed by base64 (a symmetric key, e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)"
)


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("whsec_", "the whsec_ secret is empty"),
        ("", "the webhook secret (no whsec_ prefix) is empty"),
        (b"", "the webhook secret is empty"),
        ("whsec_Sup3r-Secr3t_Value!", "the whsec_ secret is not valid base64"),
        ("Sup3r-Secr3t_Value!", "the webhook secret (no whsec_ prefix) is not valid base64"),
        ("whsk_" + base64.b64encode(b"k" * 31).decode(), "the whsk_ key decodes to 31 bytes"),
        ("whpk_" + base64.b64encode(b"k" * 33).decode(), "the whpk_ key decodes to 33 bytes"),
        (
            "whsk_" + base64.b64encode(b"k" * 64).decode(),
            "the whsk_ key's last 32 bytes are not the public key",
        ),
        (42, "a webhook secret must be a str, not int"),
    ],
)
def test_a_secret_hookmock_cannot_use(secret: Any, problem: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        sw.parse_key(secret)
    message = str(info.value)
    assert message.startswith(problem)
    assert SECRET_SHAPES in message
    if isinstance(secret, str) and len(secret) > 6:
        assert secret.partition("_")[2] not in message


def test_keys_never_show_their_secret_part() -> None:
    private, public = sw.generate_key_pair()
    assert repr(sw.parse_key(SECRET)) == "HmacKey(<24 bytes>)"
    shown = repr(sw.parse_key(private))
    assert private.removeprefix("whsk_") not in shown
    assert public in shown


def test_a_parsed_key_is_accepted_wherever_a_secret_is() -> None:
    key = sw.parse_key(SECRET)
    assert sw.parse_key(key) is key
    assert sw.sign(key, MSG_ID, TIMESTAMP, BODY) == sw.sign(SECRET, MSG_ID, TIMESTAMP, BODY)


def test_the_package_exports_what_its_modules_offer() -> None:
    from hookmock.providers.standard_webhooks import signature

    missing = {
        name
        for name in signature.__all__
        if name not in sw.__all__ and not name.isupper() and name not in ("Key", "SigningKey")
    }
    assert missing == set()
    assert sw.__all__ == sorted(sw.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
