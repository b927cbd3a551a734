"""No secret leaves hookmock: a run that uses every kind of secret, and every output grepped.

The secrets: the webhook secret token, the legacy verification token, Basic credentials, an OAuth
client secret and the Bearer token it buys, a custom authentication header's value, and a webhook
URL with a password and a ``?token=`` query value. The outputs: the pytest terminal at ``-vv``
with ``--showlocals``, its JUnit XML, the ``check`` command's table, JSON and JUnit reports, the
mock server's ``--log`` file, its page and the JSON the page reads, and the control API's answers.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from hookmock import Zoom
from hookmock.cli import main
from hookmock.engine.auth import BasicAuth, HeaderAuth, OAuthClientCredentials
from hookmock.records.exchange import Request, Response
from hookmock.records.masking import Settings, mask_url, mask_urls, mask_value, redact
from hookmock.server import MockServer
from hookmock.server.guard import TOKEN_HEADER
from hookmock.transports import HTTPTarget

from .receivers import serving, zoom_receiver
from .server_helpers import Api

SECRET_TOKEN = "SecretTokenQ7w1Lx"
VERIFICATION_TOKEN = "VerifTokenK3p9Dz"
BASIC_USER, BASIC_PASSWORD = "basic-user", "BasicPassZ8m2Vc"
CLIENT_ID, CLIENT_SECRET = "client-id", "ClientSecretR5t6Hj"
BEARER_TOKEN = "BearerTokenW2x4Nq"
CUSTOM_VALUE = "CustomValueN6b3Fy"
URL_TOKEN = "UrlQueryTokJ4h8Ps"
URL_PASSWORD = "UrlPassG9d1Mw"
CONTROL_TOKEN = "ControlTokenB7k2Qe"


def _b64(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


#: Every secret, and what it is, as it would appear in output.
SECRETS = {
    "secret token": SECRET_TOKEN,
    "verification token": VERIFICATION_TOKEN,
    "Basic password": BASIC_PASSWORD,
    "Basic credentials": _b64(BASIC_USER, BASIC_PASSWORD),
    "OAuth client secret": CLIENT_SECRET,
    "OAuth client credentials": _b64(CLIENT_ID, CLIENT_SECRET),
    "Bearer token": BEARER_TOKEN,
    "custom header value": CUSTOM_VALUE,
    "URL query token": URL_TOKEN,
    "URL password": URL_PASSWORD,
    "mock server's control token": CONTROL_TOKEN,
}


def assert_no_secret(where: str, text: str) -> None:
    __tracebackhide__ = True
    found = [name for name, value in SECRETS.items() if value in text]
    if found:
        raise AssertionError(f"{where} shows the {', '.join(found)}:\n{text[:4000]}")


# A receiver that answers Zoom's URL validation (except at /refuse), hands out the Bearer token,
# and answers every event 401 echoing everything it was sent (headers, URL and body): the worst
# case for output.
RECEIVER = f"""
import json

from werkzeug.wrappers import Request, Response

from hookmock.providers import zoom

SECRET_TOKEN = {SECRET_TOKEN!r}
BEARER_TOKEN = {BEARER_TOKEN!r}


@Request.application
def app(request):
    if request.path.endswith("/oauth"):
        answer = {{"access_token": BEARER_TOKEN, "token_type": "bearer", "expires_in": 3599}}
        return Response(json.dumps(answer), content_type="application/json")
    body = request.get_data()
    event = json.loads(body)
    if event["event"] == "endpoint.url_validation" and not request.path.endswith("/refuse"):
        plain = event["payload"]["plainToken"]
        encrypted = zoom.encrypted_token(SECRET_TOKEN, plain)
        answer = {{"plainToken": plain, "encryptedToken": encrypted}}
        return Response(json.dumps(answer), content_type="application/json")
    echo = {{"url": request.url, "headers": dict(request.headers), "body": body.decode()}}
    return Response(json.dumps(echo), status=401, content_type="application/json")
"""


def _webhook_url(base: str) -> str:
    """The receiver's URL with a password and a token in it."""
    host = base.removeprefix("http://")
    return f"http://hook-user:{URL_PASSWORD}@{host}/hook?token={URL_TOKEN}&v=1"


@pytest.fixture
def receiver_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "echo_receiver.py").write_text(RECEIVER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    # The receiver's own request log is not hookmock's output.
    monkeypatch.setattr(logging.getLogger("werkzeug"), "disabled", True)
    import echo_receiver

    with serving(echo_receiver.app) as base:
        yield _webhook_url(base)


# -- the text forms, one by one ----------------------------------------------------------------


def test_masks_keep_no_character_of_the_secret() -> None:
    assert mask_value("x-zm-signature", "v0=" + "a1" * 32) == "v0=(masked)"
    assert mask_value("x-zm-signature", "forged") == "(masked)"
    assert mask_value("authorization", "Basic " + _b64("u", "p")) == "Basic (masked)"
    assert mask_value("Authorization", f"Bearer {BEARER_TOKEN}") == "Bearer (masked)"
    assert mask_value("authorization", VERIFICATION_TOKEN) == "(masked)"
    assert mask_value("authorization", f"{VERIFICATION_TOKEN} tail") == "(masked)"
    assert mask_value("clientid", "abc") == "(masked)"
    assert mask_value("content-type", "application/json") == "application/json"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("https://h.example/hook", "https://h.example/hook"),
        (
            f"https://user:{URL_PASSWORD}@h.example:8443/hook?token={URL_TOKEN}&v=1#top",
            "https://user:***@h.example:8443/hook?token=***&v=***#top",
        ),
        (f"https://{URL_TOKEN}@h.example/", "https://***@h.example/"),
        (f"http://h/?{URL_TOKEN}", "http://h/?***"),
        ("http://h/?empty=&", "http://h/?empty=&"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_urls_in_text_are_masked_and_punctuation_kept() -> None:
    text = f"cannot reach http://u:{URL_PASSWORD}@h/x?token={URL_TOKEN}, then (http://h/?a=b)."
    assert mask_urls(text) == "cannot reach http://u:***@h/x?token=***, then (http://h/?a=***)."


def test_reprs_are_masked() -> None:
    url = f"http://u:{URL_PASSWORD}@127.0.0.1:9/hook?token={URL_TOKEN}"
    request = Request(
        "POST",
        url,
        (
            ("host", "127.0.0.1:9"),
            ("x-zm-signature", "v0=" + "f" * 64),
            ("authorization", f"Bearer {BEARER_TOKEN}"),
            ("x-custom-auth", CUSTOM_VALUE),
        ),
        b"{}",
    )
    response = Response(
        401, "Unauthorized", (("authorization", VERIFICATION_TOKEN),), CUSTOM_VALUE.encode()
    )
    texts = {
        "Request": repr(request),
        "Response": repr(response),
        "BasicAuth": repr(BasicAuth(BASIC_USER, BASIC_PASSWORD)),
        "HeaderAuth": repr(HeaderAuth("x-custom-auth", CUSTOM_VALUE)),
        "OAuthClientCredentials": repr(OAuthClientCredentials(url, CLIENT_ID, CLIENT_SECRET)),
        "HTTPTarget": repr(HTTPTarget(url)),
        "Settings": repr(
            Settings(secret_token=SECRET_TOKEN, verification_token=VERIFICATION_TOKEN)
        ),
        "Zoom": repr(Zoom(secret_token=SECRET_TOKEN, verification_token=VERIFICATION_TOKEN)),
    }
    for name, text in texts.items():
        assert_no_secret(f"repr of {name}", text)
    assert texts["Request"] == (
        "Request(method='POST', url='http://u:***@127.0.0.1:9/hook?token=***', headers=(("
        "'host', '127.0.0.1:9'), ('x-zm-signature', 'v0=(masked)'), ('authorization', "
        "'Bearer (masked)'), ('x-custom-auth', '(masked)')), body=<2 bytes>)"
    )
    assert texts["BasicAuth"] == "BasicAuth(username='basic-user', password='(masked)')"
    assert texts["Settings"] == ("{'secret_token': '(masked)', 'verification_token': '(masked)'}")


def test_delivery_and_subscription_reprs_are_masked(receiver_url: str) -> None:
    zoom = Zoom(secret_token=SECRET_TOKEN, verification_token=VERIFICATION_TOKEN)
    subscription = zoom.subscribe(receiver_url, auth=HeaderAuth("x-custom-auth", CUSTOM_VALUE))
    delivery = zoom.send("meeting.started")
    assert delivery.status == 401
    for name, text in {
        "Delivery": repr(delivery),
        "Delivery.request": repr(delivery.request),
        "Delivery.response": repr(delivery.response),
        "Subscription": repr(subscription),
        "the failure message": delivery.describe(body_limit=10_000),
        "the job list": repr(zoom.pending()),
    }.items():
        assert_no_secret(name, text)
    assert repr(delivery).startswith("<Delivery 'meeting.started' attempt 1 → http://hook-user:")
    # The record itself keeps what was sent, exactly.
    assert delivery.request.url == receiver_url
    assert delivery.request.header("x-custom-auth") == CUSTOM_VALUE
    assert delivery.request.header("host") == receiver_url.split("@")[1].split("/")[0]


# -- pytest's own output at -vv ----------------------------------------------------------------

# The tests read their secrets from the environment, as real suites do: pytest prints a failing
# test's source, and a secret written there would be the test's own leak, not hookmock's.
FAILING_TESTS = """
import os

import pytest

from hookmock.engine.auth import BasicAuth, HeaderAuth, OAuthClientCredentials

URL = os.environ["LEAK_URL"]
SECRETS = dict(
    secret_token=os.environ["LEAK_SECRET_TOKEN"],
    verification_token=os.environ["LEAK_VERIFICATION_TOKEN"],
)


@pytest.mark.hookmock(**SECRETS)
def test_status_with_basic_auth(zoom):
    subscription = zoom.subscribe(
        URL, auth=BasicAuth("basic-user", os.environ["LEAK_BASIC_PASSWORD"])
    )
    delivery = zoom.send("meeting.started")
    assert delivery.status == 200


@pytest.mark.hookmock(**SECRETS)
def test_acknowledged_with_oauth(zoom):
    auth = OAuthClientCredentials("/oauth", "client-id", os.environ["LEAK_CLIENT_SECRET"])
    zoom.subscribe(URL, auth=auth)
    delivery = zoom.send("meeting.started")
    delivery.assert_acknowledged()


@pytest.mark.hookmock(**SECRETS)
def test_response_with_custom_header(zoom, hookmock_settings):
    zoom.subscribe(URL, auth=HeaderAuth("x-custom-auth", os.environ["LEAK_CUSTOM_VALUE"]))
    delivery = zoom.send("meeting.started")
    assert delivery.response.status == 200, delivery


@pytest.mark.hookmock(**SECRETS)
def test_the_log(zoom):
    subscription = zoom.subscribe(URL)
    zoom.send("meeting.started")
    assert subscription.failures == 0 and not zoom.deliveries.last.request.body, zoom.deliveries[-1]
    zoom.assert_all_acknowledged()


@pytest.mark.hookmock(**SECRETS)
def test_two_deliveries_compared(zoom):
    zoom.subscribe(URL, auth=BasicAuth("basic-user", os.environ["LEAK_BASIC_PASSWORD"]))
    assert zoom.send("meeting.started") == zoom.send("meeting.started")


@pytest.mark.hookmock(**SECRETS)
def test_two_requests_compared(zoom):
    zoom.subscribe(URL, auth=HeaderAuth("x-custom-auth", os.environ["LEAK_CUSTOM_VALUE"]))
    assert zoom.send("meeting.started").request == zoom.send("meeting.started").request


@pytest.mark.hookmock(**SECRETS)
def test_subscription_refused(zoom):
    auth = BasicAuth("u", os.environ["LEAK_BASIC_PASSWORD"])
    zoom.subscribe(URL.replace("/hook?", "/refuse?"), auth=auth)
"""


def test_pytest_output_at_full_verbosity_shows_no_secret(
    pytester: pytest.Pytester, receiver_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plugin's own settings, from the environment (a dict returned by an overriding
    # hookmock_settings fixture is the test suite's object, printed as it is).
    monkeypatch.setenv("ZOOM_WEBHOOK_SECRET_TOKEN", SECRET_TOKEN)
    for name, value in {
        "LEAK_URL": receiver_url,
        "LEAK_SECRET_TOKEN": SECRET_TOKEN,
        "LEAK_VERIFICATION_TOKEN": VERIFICATION_TOKEN,
        "LEAK_BASIC_PASSWORD": BASIC_PASSWORD,
        "LEAK_CLIENT_SECRET": CLIENT_SECRET,
        "LEAK_CUSTOM_VALUE": CUSTOM_VALUE,
    }.items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(test_leaks=FAILING_TESTS)
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_inprocess(
        "-vv", "--showlocals", "-rA", "-p", "no:cacheprovider", f"--junit-xml={junit}"
    )
    result.assert_outcomes(failed=7)
    terminal = "\n".join(result.outlines + result.errlines)
    # The failures are shown in full: the run did print deliveries, requests and locals.
    assert "hookmock: zoom deliveries" in terminal
    assert "BasicAuth(username='basic-user', password='(masked)')" in terminal
    assert "authorization: Bearer (masked)" in terminal
    assert "?token=***" in terminal
    assert "differing Request fields: headers, body" in terminal
    assert_no_secret("pytest's terminal output at -vv --showlocals", terminal)
    assert_no_secret("pytest's JUnit XML", junit.read_text(encoding="utf-8"))


# -- the check command's reports ---------------------------------------------------------------


def test_check_reports_show_no_secret(
    receiver_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ZOOM_WEBHOOK_SECRET_TOKEN", SECRET_TOKEN)
    report, junit = tmp_path / "report.json", tmp_path / "report.xml"
    argv = ["check", receiver_url, "--report-json", str(report), "--junit-xml", str(junit)]
    assert main(argv) == 1  # the whole battery: every check's detail is in the reports
    out, err = capsys.readouterr()
    assert "?token=***" in out
    assert_no_secret("the check table", out + err)
    assert json.loads(report.read_text(encoding="utf-8"))["target"] == mask_url(receiver_url)
    assert_no_secret("the JSON check report", report.read_text(encoding="utf-8"))
    assert_no_secret("the JUnit check report", junit.read_text(encoding="utf-8"))
    assert main(["trigger", "meeting.started", "--url", receiver_url, "-v"]) == 1
    out, err = capsys.readouterr()
    assert_no_secret("the trigger output", out + err)
    probe = receiver_url.replace("/hook?", "/probe?")  # answers 500: the probe cannot be read
    assert main(["check", receiver_url, "--probe-url", probe]) == 2
    out, err = capsys.readouterr()
    assert "the probe http://hook-user:***@" in err
    assert_no_secret("the probe's error", out + err)


# -- the mock server ----------------------------------------------------------------------------


def test_mock_server_serves_and_logs_no_secret(receiver_url: str, tmp_path: Path) -> None:
    zoom = Zoom(secret_token=SECRET_TOKEN, verification_token=VERIFICATION_TOKEN)
    log_path = tmp_path / "deliveries.jsonl"
    answers: dict[str, str] = {}
    with (
        log_path.open("a", encoding="utf-8") as log,
        MockServer(
            zoom, client_secret=CLIENT_SECRET, log=log, control_token=CONTROL_TOKEN
        ) as server,
    ):
        api = Api(server.url)
        token = {"headers": {TOKEN_HEADER: CONTROL_TOKEN}}
        answers["repr of the server"] = repr(server)
        zoom.subscribe(receiver_url, auth=BasicAuth(BASIC_USER, BASIC_PASSWORD))
        zoom.subscribe(
            receiver_url,
            auth=OAuthClientCredentials("/oauth", CLIENT_ID, CLIENT_SECRET),
            name="oauth",
        )
        zoom.subscribe(receiver_url, auth=HeaderAuth("x-custom-auth", CUSTOM_VALUE), name="h")
        refused = api.post("/_hookmock/trigger", {"event": "meeting.started"})
        assert refused.status in (401, 403), refused.body
        answers["a control request without the token"] = refused.body.decode()
        trigger = api.post("/_hookmock/trigger", {"event": "meeting.started"}, **token)
        assert trigger.status == 200, trigger.body
        answers["POST /_hookmock/trigger"] = trigger.body.decode()
        for path in ("/", "/_hookmock/state", "/_hookmock/deliveries", "/_hookmock/openapi.json"):
            reply = api.get(path, **token)
            assert reply.status == 200, (path, reply.body)
            answers[f"GET {path}"] = reply.body.decode()
        advance = api.post("/_hookmock/clock/advance", {"days": 3}, **token)
        answers["POST /_hookmock/clock/advance"] = advance.body.decode()
    answers["the --log file"] = log_path.read_text(encoding="utf-8")
    deliveries = json.loads(answers["GET /_hookmock/deliveries"])["deliveries"]
    assert len(deliveries) >= 6  # three URL validations and three deliveries, echoed back
    assert "?token=***" in answers["GET /_hookmock/state"]
    for where, text in answers.items():
        assert_no_secret(where, text)


@pytest.mark.parametrize(
    ("text", "secrets", "redacted"),
    [
        # A long secret is hidden wherever it is, inside a word too.
        ("token=abcdefgh1234&x", ["abcdefgh1234"], "token=***&x"),
        ("xxabcdefgh1234yy", ["abcdefgh1234"], "xx***yy"),
        # A short one only where it stands alone: the text around it stays readable.
        ("receiver.test said s", ["s"], "receiver.test said ***"),
        ("key 'ab1' in answer ab12 and xab1", ["ab1"], "key '***' in answer ab12 and xab1"),
        ('{"secret": "pw-1"}', ["pw-1"], '{"secret": "***"}'),
        # The longest first, so that one secret inside another leaves nothing of either.
        ("abcdefgh12345", ["abcdefgh1234", "abcdefgh12345"], "***"),
    ],
)
def test_redact_hides_secrets_and_keeps_text_around_short_ones(
    text: str, secrets: list[str], redacted: str
) -> None:
    assert redact(text, secrets) == redacted


def test_a_one_letter_secret_token_leaves_the_description_readable() -> None:
    zoom = Zoom(secret_token="s", seed=1)
    zoom.subscribe(zoom_receiver("s"))
    text = zoom.send("meeting.started").describe()
    assert "receiver.test" in text and "x-zm-signature" in text
