"""The command line's providers: ``--provider``, ``--secret`` and ``--openapi`` on the commands
that work for every provider, and a clear refusal from those that simulate Zoom only."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hookmock.cli import main
from hookmock.generate import catalog
from hookmock.providers import PROVIDERS, zoom
from hookmock.providers import standard_webhooks as sw
from hookmock.providers.standard_webhooks import StandardWebhooks, StandardWebhooksAdapter

from .receivers import closed_port, serving
from .standard_webhooks_receivers import PATH, flask_receiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
DATA = Path(__file__).resolve().parent / "data" / "openapi"
GITHUB = DATA / "github" / "api.github.com.json"
README_PETS = DATA / "readme" / "webhooks.yaml"
SW = ("--provider", "standard-webhooks")


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def _no_env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(zoom.SECRET_TOKEN_ENV, raising=False)
    monkeypatch.delenv(sw.SECRET_ENV, raising=False)


class Receiver:
    """A Standard Webhooks receiver verifying with the reference library over the raw bytes."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.bodies: list[bytes] = []
        self.headers: list[dict[str, str]] = []

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {
            k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            start_response("401 Unauthorized", [])
            return [b"bad signature"]
        self.bodies.append(body)
        self.headers.append(headers)
        start_response("204 No Content", [])
        return []


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    app = Receiver(SECRET)
    with serving(app) as url:
        yield app, url + "/webhooks"


# -- events, schema, fake -------------------------------------------------------------------------


def test_events_of_the_example_document() -> None:
    assert run("events", *SW) == (
        0,
        "contact.created\ncontact.deleted\ncontact.updated\ninvoice.paid\n",
    )
    assert run("events", "contact.", "--source", *SW) == (
        0,
        "contact.created\topenapi\ncontact.deleted\topenapi\ncontact.updated\topenapi\n",
    )


def test_events_of_an_openapi_document_without_provider() -> None:
    code, out = run("events", "--openapi", str(GITHUB))
    assert code == 0
    names = out.splitlines()
    assert len(names) == 29 and "pull-request-opened" in names
    assert run("events", "--openapi", str(README_PETS)) == (0, "newPet\n")


def test_zoom_stays_the_default() -> None:
    code, out = run("events", "meeting.st")
    assert code == 0 and "meeting.started" in out.splitlines()
    assert run("events", "meeting.st", "--provider", "zoom") == (code, out)


def test_an_unknown_provider_suggests_close_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("fake", "contact.created", "--provider", "standard-webhook") == (2, "")
    assert capsys.readouterr().err == (
        "hookmock fake: error: unknown provider 'standard-webhook'; did you mean "
        f"standard-webhooks? (known: {', '.join(sorted(PROVIDERS))})\n"
    )


def test_openapi_with_a_provider_that_takes_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("events", "--provider", "zoom", "--openapi", str(README_PETS)) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith("hookmock events: error: --openapi ")
    assert "zoom does not take an OpenAPI document" in err
    assert "give --provider standard-webhooks, or leave --provider out" in err


def test_an_openapi_document_that_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    assert run("events", "--openapi", str(missing)) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith("hookmock events: error: cannot read the OpenAPI document")
    assert str(missing) in err


def test_schema_of_a_standard_webhooks_event() -> None:
    code, out = run("schema", "invoice.paid", *SW)
    assert code == 0
    assert json.loads(out) == catalog.load_schema("invoice.paid", "standard-webhooks")
    assert json.loads(out)["properties"]["type"] == {"const": "invoice.paid"}


def test_fake_is_reproducible_with_overrides() -> None:
    argv = ["fake", "contact.created", *SW, "--seed", "3", "--time", "1700000000"]
    code, out = run(*argv, "--set", "data.name=Ada")
    assert code == 0
    body = json.loads(out)
    assert body["type"] == "contact.created" and body["data"]["name"] == "Ada"
    assert run(*argv, "--set", "data.name=Ada") == (code, out)
    assert (
        out
        == StandardWebhooks(secret=SECRET)
        .fake("contact.created", {"data.name": "Ada"}, seed=3, now=1700000000)
        .text
        + "\n"
    )


def test_fake_checks_override_paths(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("fake", "contact.created", *SW, "--set", "data.nmae=Ada") == (2, "")
    err = capsys.readouterr().err
    assert "'data.nmae': no field 'nmae' in data; did you mean 'data.name'?" in err
    assert "--add PATH=VALUE" in err


def test_fake_from_a_yaml_document() -> None:
    code, out = run("fake", "newPet", "--openapi", str(README_PETS), "--set", "name=Rex")
    assert code == 0 and json.loads(out)["name"] == "Rex"


def test_fake_an_unknown_event_suggests_close_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("fake", "contact.create", *SW) == (2, "")
    assert capsys.readouterr().err == (
        "hookmock fake: error: unknown standard-webhooks event 'contact.create': did you mean "
        "'contact.created', 'contact.updated', 'contact.deleted'?\n"
    )


# -- trigger --------------------------------------------------------------------------------------


def test_trigger_delivers_a_verifiable_delivery(receiver: tuple[Receiver, str]) -> None:
    app, url = receiver
    code, out = run("trigger", "invoice.paid", *SW, "--url", url, "--secret", SECRET)
    assert code == 0, out
    assert out.startswith(f"invoice.paid → {url}: 204 in ")
    assert out.rstrip().endswith("(acknowledged)")
    (body,) = app.bodies
    assert json.loads(body)["type"] == "invoice.paid"
    assert app.headers[0]["webhook-id"].startswith("msg_")
    assert SECRET not in out


def test_trigger_reads_the_providers_environment_variable(
    receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, url = receiver
    monkeypatch.setenv("STANDARD_WEBHOOKS_SECRET", SECRET)
    # Zoom's variable is not the standard-webhooks one.
    monkeypatch.setenv(zoom.SECRET_TOKEN_ENV, OLD_SECRET)
    code, out = run("trigger", "contact.deleted", *SW, "--url", url)
    assert code == 0, out
    assert len(app.bodies) == 1


def test_trigger_with_two_secrets_signs_twice(receiver: tuple[Receiver, str]) -> None:
    app, url = receiver
    argv = ["trigger", "contact.created", *SW, "--url", url]
    code, out = run(*argv, "--secret", OLD_SECRET, "--secret-token", SECRET)
    assert code == 0, out
    signature = app.headers[0]["webhook-signature"]
    assert [v for v, _ in sw.parse_signature_header(signature)] == ["v1", "v1"]


def test_trigger_with_the_wrong_secret_is_a_receiver_failure(
    receiver: tuple[Receiver, str],
) -> None:
    app, url = receiver
    code, out = run("trigger", "contact.created", *SW, "--url", url, "--secret", OLD_SECRET)
    assert code == 1
    assert ": 401 in " in out and "(rejected)" in out
    assert app.bodies == []


def test_trigger_from_an_openapi_document(receiver: tuple[Receiver, str]) -> None:
    app, url = receiver
    argv = ["trigger", "star-created", "--openapi", str(GITHUB), "--url", url]
    code, out = run(*argv, "--secret", SECRET)
    assert code == 0, out
    assert "starred_at" in json.loads(app.bodies[0])


def test_trigger_without_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    assert run("trigger", "contact.created", *SW, "--url", url) == (2, "")
    assert capsys.readouterr().err == (
        "hookmock trigger: error: no secret: pass --secret SECRET or set "
        "STANDARD_WEBHOOKS_SECRET (the secret your receiver verifies signatures with)\n"
    )


def test_a_bad_secret_is_a_usage_error_that_does_not_show_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    secret = "whsec_not base64 at all!"
    assert run("trigger", "contact.created", *SW, "--url", url, "--secret", secret) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith("hookmock trigger: error: the whsec_ secret")
    assert "not base64 at all" not in err


def test_zoom_takes_secret_as_its_secret_token() -> None:
    # The secret is taken (no usage error); nothing listens at the URL.
    url = f"http://127.0.0.1:{closed_port()}/"
    code, out = run("trigger", "meeting.started", "--url", url, "--secret", "zoom-secret")
    assert code == 2 and "connection refused" in out


def test_zoom_takes_one_secret_token(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    argv = ["trigger", "meeting.started", "--url", url, "--secret", "a", "--secret", "b"]
    assert run(*argv) == (2, "")
    assert capsys.readouterr().err == (
        "hookmock trigger: error: zoom signs with one secret token; --secret was given 2 times "
        "(several secrets, one signature each, are a standard-webhooks rotation)\n"
    )


# -- sign -----------------------------------------------------------------------------------------


def _sign(monkeypatch: pytest.MonkeyPatch, body: bytes, *argv: str) -> tuple[int, dict[str, str]]:
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": io.BytesIO(body)})())
    code, out = run("sign", *argv)
    headers = dict(line.split(": ", 1) for line in out.splitlines())
    return code, headers


def test_sign_gives_headers_the_library_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"type":"contact.created","data":{"id":"1"}}'
    code, headers = _sign(monkeypatch, body, *SW, "--secret", SECRET)
    assert code == 0
    assert set(headers) == {"content-type", "webhook-id", "webhook-timestamp", "webhook-signature"}
    assert Webhook(SECRET).verify(body, headers) == json.loads(body)


def test_sign_at_a_timestamp_with_a_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b"{}"
    argv = [*SW, "--secret", SECRET, "--secret", OLD_SECRET, "--timestamp", "1700000000"]
    code, headers = _sign(monkeypatch, body, *argv)
    assert code == 0 and headers["webhook-timestamp"] == "1700000000"
    msg_id = headers["webhook-id"]
    assert headers["webhook-signature"] == " ".join(
        sw.sign(secret, msg_id, 1700000000, body) for secret in (SECRET, OLD_SECRET)
    )


def test_sign_with_an_ed25519_key(monkeypatch: pytest.MonkeyPatch) -> None:
    private, public = sw.generate_key_pair()
    code, headers = _sign(monkeypatch, b"{}", "--openapi", "unread.json", "--secret", private)
    assert code == 0
    assert headers["webhook-signature"].startswith("v1a,")
    assert sw.verify(
        public,
        headers["webhook-id"],
        headers["webhook-timestamp"],
        b"{}",
        headers["webhook-signature"],
    )


def test_sign_refuses_a_public_key_before_reading_the_body(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, public = sw.generate_key_pair()

    class Unread:
        @property
        def buffer(self) -> Any:
            raise AssertionError("standard input was read")

    monkeypatch.setattr(sys, "stdin", Unread())
    assert run("sign", *SW, "--secret", public) == (2, "")
    assert capsys.readouterr().err == (
        "hookmock sign: error: --secret: a whpk_ key is an Ed25519 public key: it verifies v1a "
        "signatures but cannot make them; give the matching whsk_ private key\n"
    )


def test_sign_for_zoom_with_secret_or_secret_token(monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"event":"meeting.started"}'
    argv = ["--timestamp", "1700000000"]
    code, by_secret = _sign(monkeypatch, body, "--secret", "zoom-secret", *argv)
    assert code == 0
    assert _sign(monkeypatch, body, "--secret-token", "zoom-secret", *argv) == (0, by_secret)
    assert by_secret["x-zm-signature"] == zoom.sign("zoom-secret", "1700000000", body)


def test_sign_for_slack_gives_headers_slack_sdk_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    from slack_sdk.signature import SignatureVerifier

    body = b'{"type":"event_callback","event":{"type":"app_mention"}}'
    code, headers = _sign(monkeypatch, body, "--provider", "slack", "--secret", "slack-secret")
    assert code == 0
    assert "webhook-signature" not in headers
    assert SignatureVerifier("slack-secret").is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)


def test_sign_for_github_gives_headers_githubkit_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    from githubkit.webhooks import verify

    body = b'{"zen":"Keep it logically awesome.","hook_id":1}'
    code, headers = _sign(monkeypatch, body, "--provider", "github", "--secret", "gh-secret")
    assert code == 0
    assert "webhook-signature" not in headers
    assert verify("gh-secret", body, headers["x-hub-signature-256"])
    assert not verify("other-secret", body, headers["x-hub-signature-256"])


def test_sign_for_stripe_gives_headers_stripe_python_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import stripe

    body = b'{"id": "evt_1", "object": "event", "type": "customer.created"}'
    argv = ["--provider", "stripe", "--secret", "whsec_one", "--secret", "whsec_two"]
    code, headers = _sign(monkeypatch, body, *argv)
    assert code == 0
    header = headers["stripe-signature"]
    assert header.startswith("t=") and header.count(",v1=") == 2
    for secret in ("whsec_one", "whsec_two"):
        stripe.WebhookSignature.verify_header(body.decode(), header, secret, tolerance=None)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(body.decode(), header, "whsec_other", tolerance=None)


def test_fake_writes_the_providers_own_byte_form() -> None:
    code, out = run("fake", "customer.created", "--provider", "stripe", "--seed", "1")
    assert code == 0 and out.startswith('{\n  "id": "evt_')
    code, out = run("fake", "meeting.started", "--seed", "1")
    assert code == 0 and out.startswith('{"event":"meeting.started",')


def test_sign_refuses_a_second_secret_for_a_provider_that_signs_with_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--provider", "slack", "--secret", "a", "--secret", "b"]
    code, _ = _sign(monkeypatch, b"{}", *argv)
    assert code == 2
    assert "Slack signs with one signing secret, got 2" in capsys.readouterr().err


# -- check ----------------------------------------------------------------------------------------


def _no_battery(self: StandardWebhooksAdapter) -> Any:
    raise NotImplementedError


def test_check_for_a_provider_without_a_battery_says_so_before_sending(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(StandardWebhooksAdapter, "conformance_suite", _no_battery)
    url = f"http://127.0.0.1:{closed_port()}/"
    # No secret either: that there is no battery is what the user needs to know first.
    assert run("check", url, *SW) == (2, "")
    assert capsys.readouterr().err == (
        "hookmock check: error: hookmock has no conformance battery for standard-webhooks yet. "
        "To send this receiver standard-webhooks events one at a time: hookmock trigger EVENT "
        "--url URL --provider standard-webhooks\n"
    )
    assert run("check", url, "--openapi", str(GITHUB), "--secret", SECRET) == (2, "")
    assert capsys.readouterr().err.endswith(
        f"--url URL --provider standard-webhooks --openapi {GITHUB}\n"
    )


def test_check_grades_a_standard_webhooks_receiver(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    with serving(flask_receiver(SECRET)) as url:
        code, out = run(
            "check",
            url + PATH,
            *SW,
            "--secret",
            SECRET,
            "--seed",
            "1",
            "--report-json",
            str(report_path),
        )
    assert code == 0, out
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["passed"] is True
    ids = [check["id"] for check in report["checks"]]
    assert "valid-event:invoice.paid" in ids and "rotation-second-item" in ids
    assert "url-validation" not in " ".join(ids)  # no handshake to check
    assert {check["outcome"] for check in report["checks"]} == {"pass"}
    assert "PASS  forged-wrong-secret" in out
    assert SECRET not in out


def test_check_finds_a_receiver_that_checks_only_the_first_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STANDARD_WEBHOOKS_SECRET", SECRET)
    with serving(flask_receiver(SECRET, "first-item-only")) as url:
        code, out = run("check", url + PATH, *SW, "--only", "rotation-second-item")
    assert code == 1
    assert "FAIL  rotation-second-item" in out
    assert "first-signature-only" in out


def test_check_sends_the_events_of_an_openapi_document(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    with serving(flask_receiver(SECRET)) as url:
        argv = ["check", url + PATH, "--openapi", str(README_PETS), "--secret", SECRET]
        code, out = run(*argv, "--only", "valid-event", "--report-json", str(report_path))
    assert code == 0, out
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert [check["id"] for check in report["checks"]] == ["valid-event:newPet"]


def test_check_still_needs_a_secret_for_zoom(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    assert run("check", url) == (2, "")
    assert capsys.readouterr().err.startswith(
        "hookmock check: error: no secret token: pass --secret-token TOKEN or set "
        "ZOOM_WEBHOOK_SECRET_TOKEN"
    )


# -- the commands that simulate Zoom only ---------------------------------------------------------

ZOOM_ONLY = [
    pytest.param(["schema-diff", "users.webhooks.json"], "schema-diff", id="schema-diff"),
]


@pytest.mark.parametrize(("argv", "command"), ZOOM_ONLY)
def test_a_zoom_only_command_refuses_another_provider(
    argv: list[str], command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(*argv, *SW) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith(
        f"hookmock {command}: error: --provider standard-webhooks is not supported: {command} "
        "simulates zoom only ("
    )
    assert err.endswith(
        "leave out --provider and --openapi. The commands for every provider: events, schema, "
        "fake, trigger, check, scenario, sign, serve, record, replay, validate, load\n"
    )
    assert run(*argv, "--openapi", "acme.json") == (2, "")
    assert capsys.readouterr().err.startswith(
        f"hookmock {command}: error: --openapi acme.json is not supported: {command} simulates "
        "zoom only ("
    )
    assert run(*argv, "--provider", "zoom", "--openapi", "acme.json") == (2, "")
    assert capsys.readouterr().err.startswith(
        f"hookmock {command}: error: --openapi acme.json is not supported: {command} simulates "
        "zoom only ("
    )
    assert run(*argv, "--provider", "zom") == (2, "")
    assert "unknown provider 'zom'; did you mean zoom?" in capsys.readouterr().err


def test_load_takes_another_provider(capsys: pytest.CaptureFixture[str]) -> None:
    # Accepted, then refused for want of its secret: load is no longer Zoom only.
    assert run("load", "http://127.0.0.1:1/", "--provider", "slack") == (2, "")
    err = capsys.readouterr().err
    assert "zoom only" not in err
    assert "no secret: pass --secret SECRET or set SLACK_SIGNING_SECRET" in err


def test_scenario_takes_provider_zoom() -> None:
    code, out = run("scenario", "--list", "--provider", "zoom")
    assert code == 0 and out.startswith("meeting: ")


def test_serve_takes_secret_as_its_secret_token() -> None:
    from hookmock.cli import _parser

    args = _parser("serve").parse_args(["serve", "--secret", "zoom-secret"])
    assert args.secret_token == "zoom-secret"


def test_serve_takes_another_provider(capsys: pytest.CaptureFixture[str]) -> None:
    # Accepted, then refused for want of its secret: serve is no longer Zoom only.
    assert run("serve", "--provider", "standard-webhooks") == (2, "")
    err = capsys.readouterr().err
    assert "zoom only" not in err
    assert "no secret: pass --secret SECRET or set STANDARD_WEBHOOKS_SECRET" in err


# -- help and imports -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["events", "schema", "fake", "trigger", "check", "sign"])
def test_every_provider_neutral_command_takes_the_options(command: str) -> None:
    code, out = run(command, "--help")
    assert code == 0
    for option in ("--provider NAME", "--openapi FILE"):
        assert option in out
    assert "zoom, standard-webhooks" in " ".join(out.split())
    if command in ("trigger", "check", "sign"):
        assert "--secret SECRET, --secret-token SECRET" in out


def test_fake_for_one_provider_does_not_import_the_other() -> None:
    script = (
        "import io, sys\n"
        "from hookmock.cli import main\n"
        "assert main(sys.argv[1:], stdout=io.StringIO()) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('hookmock.providers.')))\n"
    )

    def imported(*argv: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script, *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return [m for m in json.loads(done.stdout.replace("'", '"'))]

    sw_modules = imported("fake", "contact.created", *SW, "--seed", "1")
    assert not any(m.startswith("hookmock.providers.zoom") for m in sw_modules)
    zoom_modules = imported("fake", "meeting.started", "--seed", "1")
    assert not any(m.startswith("hookmock.providers.standard_webhooks") for m in zoom_modules)


def test_runs_as_a_program_with_an_openapi_document(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hookmock", "events", "--openapi", str(README_PETS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "newPet\n", "")


# -- scenarios, for every provider that has some ------------------------------------------------


def test_scenarios_of_every_provider_are_listed_and_played() -> None:
    code, listed = run("scenario", "--list", "--provider", "github")
    assert code == 0
    assert listed.startswith("pull_request: a pull request opened")
    assert 'branch="retries"' in listed
    code, summary = run(
        "scenario", "pull_request", "--provider", "github", "--summary", "--seed", "1"
    )
    assert code == 0
    assert summary.splitlines() == [
        "+0:00:00  pull_request.opened",
        "+0:10:00  pull_request.synchronize",
        "+0:30:00  pull_request_review.submitted",
        "+0:40:00  pull_request.closed",
    ]
    code, out = run("scenario", "subscription", "cycles=1", "--provider", "stripe", "--seed", "2")
    assert code == 0
    # Stripe's bodies are written as Stripe writes them, over several lines each.
    decoder, bodies, at = json.JSONDecoder(), [], 0
    while at < len(out.rstrip()):
        body, at = decoder.raw_decode(out, at)
        bodies.append(body)
        at += 1
    assert bodies[0]["type"] == "customer.created"
    assert len({body["id"] for body in bodies}) == len(bodies)


def test_a_scenario_that_does_not_exist_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("scenario", "pull_request", "nope=1", "--provider", "github") == (2, "")
    assert capsys.readouterr().err == (
        "hookmock scenario: error: scenario 'pull_request' has no parameter nope; its "
        "parameters: number, title, branch, base\n"
    )
    assert run("scenario", "meeting", *SW) == (2, "")
    assert "has no scenarios; the providers with some: zoom, github, stripe, slack" in (
        capsys.readouterr().err
    )
