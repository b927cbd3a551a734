from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from hookmock.engine.signing import constant_time_equal, hmac_sha256_hex
from hookmock.providers import zoom

from . import zoom_reference

VECTORS = zoom_reference.VECTORS


def test_the_repository_keeps_both_known_answer_vectors() -> None:
    names = [vector["name"] for vector in zoom_reference.signature_vectors()]
    assert names == ["zoomnet-crc", "zoomnet-meeting-started-non-ascii"]
    assert (VECTORS.parent / "LICENSE-ZoomNet-MIT.txt").is_file()


@zoom_reference.needs_reference
def test_the_vectors_are_the_reference_folders() -> None:
    """The copy in tests/data is the reference folder's, value for value."""
    original = json.loads(
        (zoom_reference.REFERENCE / "signature-test-vectors.json").read_text(encoding="utf-8")
    )
    assert zoom_reference.signature_vectors() == original["vectors"]


@pytest.mark.parametrize("vector", zoom_reference.signature_vectors(), ids=lambda v: v["name"])
def test_known_answer_vectors(vector: dict[str, Any]) -> None:
    body = base64.b64decode(vector["body_base64"])
    assert body == vector["body_utf8"].encode("utf-8")
    signature = zoom.sign(vector["secret_token"], vector["x-zm-request-timestamp"], body)
    assert signature == vector["x-zm-signature"]
    assert zoom.verify(vector["secret_token"], vector["x-zm-request-timestamp"], body, signature)


def test_url_validation_vector_encrypted_token() -> None:
    vector = zoom_reference.signature_vectors()[0]
    expected = vector["crc_expected_response"]
    assert (
        zoom.encrypted_token(vector["secret_token"], expected["plainToken"])
        == (expected["encryptedToken"])
    )


def test_reserialized_body_does_not_verify() -> None:
    vector = zoom_reference.signature_vectors()[1]
    body = base64.b64decode(vector["body_base64"])
    reserialized = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)
    assert reserialized.encode() != body
    assert not zoom.verify(
        vector["secret_token"],
        vector["x-zm-request-timestamp"],
        reserialized.encode(),
        vector["x-zm-signature"],
    )


def test_verify_rejects_other_timestamp_and_secret() -> None:
    body = b'{"event":"x"}'
    signature = zoom.sign("secret", 100, body)
    assert not zoom.verify("secret", 101, body, signature)
    assert not zoom.verify("other", 100, body, signature)


def test_signed_headers() -> None:
    headers = zoom.signed_headers("s3cret", b"{}", timestamp=1720705455)
    assert headers == {
        "user-agent": "Zoom Marketplace/1.0a",
        "content-type": "application/json; charset=utf-8",
        "x-zm-request-timestamp": "1720705455",
        "x-zm-signature": zoom.sign("s3cret", "1720705455", b"{}"),
    }


def test_hmac_helpers() -> None:
    assert hmac_sha256_hex("key", "The quick brown fox jumps over the lazy dog") == (
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )
    assert constant_time_equal("abc", b"abc")
    assert not constant_time_equal("abc", "abd")


def test_hmac_helper_signs_alike_with_pythons_own_hmac(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where hmac has no OpenSSL object to copy (a build without OpenSSL's HMAC), the helper
    # copies Python's HMAC instead, with the same digests; the key is reused as OpenSSL's is.
    import hashlib
    import hmac

    made: list[hmac.HMAC] = []

    def python_hmac(key: bytes, digestmod: Any) -> hmac.HMAC:
        # A digest given as a function of Python's makes hmac compute the pads itself.
        made.append(hmac.HMAC(key, digestmod=lambda data=b"": hashlib.sha256(data)))
        return made[-1]

    monkeypatch.setattr(hmac, "new", python_hmac)
    key = "a key only this test signs with"
    for message in ("The quick brown fox", b"", "x" * 1000):
        expected = hmac.HMAC(key.encode(), digestmod=hashlib.sha256)
        expected.update(message.encode() if isinstance(message, str) else message)
        assert hmac_sha256_hex(key, message) == expected.hexdigest()
    assert len(made) == 1 and made[0]._hmac is None  # type: ignore[attr-defined]
