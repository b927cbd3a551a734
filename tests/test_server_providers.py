"""``hookmock serve --provider NAME``: the mock server for a provider other than Zoom, run as a
process; a receiver that verifies with the provider's own SDK is subscribed and sent an event
through the control API."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hookmock.cli import main
from hookmock.providers import PROVIDERS, provider_class
from hookmock.server import openapi
from tests import github_receivers
from tests.receivers import serving, zoom_receiver
from tests.server_helpers import Api
from tests.slack_receivers import PATH as SLACK_PATH
from tests.slack_receivers import slack_receiver
from tests.standard_webhooks_receivers import PATH, flask_receiver
from tests.stripe_receivers import sdk_receiver

SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STRIPE_SECRET = "whsec_hookmockTestSecret0123456789abcd"
GITHUB_SECRET = "a GitHub secret for serve"
SLACK_SECRET = "a Slack signing secret for serve"
CONTACT_ID = "8c6f0b0e-5d3a-4f65-9a57-0d7f6a1c2b3e"


@contextmanager
def _serve(tmp_path: Path, *args: str) -> Iterator[tuple[Api, str]]:
    """``hookmock serve ARGS`` on 127.0.0.1 port 0; yields a client of its control API and its
    banner line, and stops it with SIGTERM."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in ("ZOOM_WEBHOOK_SECRET_TOKEN", "STANDARD_WEBHOOKS_SECRET"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "hookmock", "serve", "--port", "0", "--quiet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    try:
        url, banner = process.stdout.readline().strip(), process.stdout.readline()
        assert url.startswith("http://127.0.0.1:"), (url, process.stderr and process.stderr.read())
        yield Api(url), banner
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr


def test_serve_standard_webhooks_delivers_what_the_sdk_verifies(tmp_path: Path) -> None:
    app = flask_receiver(SW_SECRET)
    processed = app.extensions["processed"]
    with (
        serving(app) as base,
        _serve(tmp_path, "--provider", "standard-webhooks", "--secret", SW_SECRET) as (api, banner),
    ):
        assert banner.startswith("hookmock serve: a mock "), banner
        assert "/_hookmock/subscriptions" in banner and "oauth" not in banner
        made = api.post("/_hookmock/subscriptions", {"url": base + PATH, "name": "acme"})
        assert made.status == 201, made.body
        assert made.json()["name"] == "acme"
        events = api.get("/_hookmock/events").json()["events"]
        assert "contact.created" in events
        sent = api.post(
            "/_hookmock/trigger",
            {"event": "contact.created", "overrides": {"data.id": CONTACT_ID}},
        )
        assert sent.status == 200, sent.body
        (delivery,) = sent.json()["deliveries"]
        assert delivery["outcome"] == "acknowledged" and delivery["status"] == 204
        assert processed.count == 1
        listed = api.get("/_hookmock/deliveries?event=contact.created")
        (record,) = listed.json()["deliveries"]
        assert record["index"] == delivery["index"] and record["outcome"] == "acknowledged"
        assert f'"{CONTACT_ID}"' in record["request"]["body"]
        assert SW_SECRET not in listed.body.decode()
        # Zoom's own endpoints are not served; the state and the document are the provider's.
        assert api.post("/oauth/token").status == 404
        state = api.get("/_hookmock/state").json()
        assert state["oauth"] is None and state["provider"] != "zoom"
        assert [s["name"] for s in state["subscriptions"]] == ["acme"]
        document = api.get("/_hookmock/openapi.json").json()
        assert "Zoom" not in document["info"]["title"]
        assert "/_hookmock/subscriptions" in document["paths"]


def test_serve_standard_webhooks_with_a_wrong_secret_is_refused_by_the_sdk(
    tmp_path: Path,
) -> None:
    other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
    with (
        serving(flask_receiver(other)) as base,
        _serve(tmp_path, "--provider", "standard-webhooks", "--secret", SW_SECRET) as (api, _),
    ):
        assert api.post("/_hookmock/subscriptions", {"url": base + PATH}).status == 201
        sent = api.post("/_hookmock/trigger", {"event": "contact.created"}).json()
        assert [d["acknowledged"] for d in sent["deliveries"]] == [False]
        assert sent["deliveries"][0]["status"] != 204


def test_serve_stripe_delivers_what_stripe_python_verifies(tmp_path: Path) -> None:
    app = sdk_receiver(STRIPE_SECRET)
    with (
        serving(app) as base,
        _serve(tmp_path, "--provider", "stripe", "--secret", STRIPE_SECRET) as (api, _),
    ):
        assert api.post("/_hookmock/subscriptions", {"url": base + "/stripe"}).status == 201
        sent = api.post("/_hookmock/trigger", {"event": "customer.created"})
        assert sent.status == 200, sent.body
        (delivery,) = sent.json()["deliveries"]
        assert delivery["outcome"] == "acknowledged"
        (event,) = app.events  # type: ignore[attr-defined]
        assert event.type == "customer.created"
        listed = api.get("/_hookmock/deliveries").json()["deliveries"]
        assert [d["event"] for d in listed] == ["customer.created"]


def test_serve_github_pings_then_delivers_what_githubkit_verifies(tmp_path: Path) -> None:
    app = github_receivers.receiver(secret=GITHUB_SECRET, known_only=True)
    with (
        serving(app) as base,
        _serve(tmp_path, "--provider", "github", "--secret", GITHUB_SECRET) as (api, _),
    ):
        made = api.post("/_hookmock/subscriptions", {"url": base + "/github"})
        assert made.status == 201, made.body
        sent = api.post("/_hookmock/trigger", {"event": "ping"}).json()
        assert [d["status"] for d in sent["deliveries"]] == [200]
        listed = api.get("/_hookmock/deliveries").json()["deliveries"]
        # The ping sent when subscribing, then the one triggered.
        assert [d["event"] for d in listed] == ["ping", "ping"]
        assert all(d["acknowledged"] for d in listed)


def test_serve_slack_answers_url_verification_then_delivers_what_slack_sdk_verifies(
    tmp_path: Path,
) -> None:
    app = slack_receiver(SLACK_SECRET)
    with (
        serving(app) as base,
        _serve(tmp_path, "--provider", "slack", "--secret", SLACK_SECRET) as (api, _),
    ):
        made = api.post("/_hookmock/subscriptions", {"url": base + SLACK_PATH})
        assert made.status == 201, made.body
        sent = api.post("/_hookmock/trigger", {"event": "app_mention"}).json()
        assert [d["outcome"] for d in sent["deliveries"]] == ["acknowledged"]
        listed = api.get("/_hookmock/deliveries").json()["deliveries"]
        assert [d["event"] for d in listed] == ["url_verification", "app_mention"]
        assert len(app.requests) == 2  # type: ignore[attr-defined]


def test_serve_github_refuses_a_receiver_that_fails_its_ping(tmp_path: Path) -> None:
    app = github_receivers.receiver(secret="not the server's secret")
    with (
        serving(app) as base,
        _serve(tmp_path, "--provider", "github", "--secret", GITHUB_SECRET) as (api, _),
    ):
        made = api.post("/_hookmock/subscriptions", {"url": base + "/github"})
        assert made.status == 422
        assert made.message.startswith("the endpoint check of http://127.0.0.1:")
        assert api.get("/_hookmock/state").json()["subscriptions"] == []


def test_serve_other_providers_usage_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    assert main(["serve", "--provider", "stripe", "--secret", "x", "--client-id", "c"]) == 2
    assert "--client-id: an option of Zoom's own endpoints; the mock stripe server has no such" in (
        capsys.readouterr().err
    )
    assert main(["serve", "--provider", "stripe"]) == 2
    assert "no secret: pass --secret SECRET or set STRIPE_WEBHOOK_SECRET" in (
        capsys.readouterr().err
    )
    assert main(["serve", "--provider", "github", "--openapi", "acme.json"]) == 2
    assert "github does not take an OpenAPI document" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"url": "ftp://127.0.0.1/hook"}, "$.url", "expected the receiver's absolute http://"),
        ({"url": "http://127.0.0.1/a hook"}, "$.url", "' ' at offset 18"),
        ({"url": "http://127.0.0.1:99999/"}, "$.url", "not a URL"),
        ({"url": "http://127.0.0.1/", "events": ["customer.creatd"]}, "$.events", "customer"),
        ({"url": "http://127.0.0.1/", "extra": 1}, "$", "extra"),
        ({"url": "http://127.0.0.1/", "events": []}, "$.events", "[]"),
    ],
)
def test_subscribe_refuses_what_it_cannot_use(
    body: dict[str, object], field: str, says: str
) -> None:
    from hookmock.providers.stripe import Stripe
    from hookmock.server import MockServer

    with MockServer(Stripe(secret=STRIPE_SECRET, seed=1)) as server:
        made = Api(server.url).post("/_hookmock/subscriptions", body)
        assert made.status == 422, made.body
        assert made.json()["errors"][0]["field"] == field
        assert says in made.body.decode()
        assert server.provider.subscriptions == []


@pytest.mark.parametrize("name", [n for n in PROVIDERS if n != "zoom"])
def test_each_provider_has_its_document_with_the_same_request_schemas(name: str) -> None:
    # The server checks request bodies against DOCUMENT's schemas, whatever it serves.
    def bare(node: object) -> object:
        if isinstance(node, dict):
            return {k: bare(v) for k, v in node.items() if k != "description"}
        if isinstance(node, list):
            return [bare(v) for v in node]
        return node

    document = openapi.document_for(provider_class(name))
    assert document is not openapi.DOCUMENT
    assert openapi.title(provider_class(name)) in document["info"]["title"]
    assert "meeting" not in json.dumps(document)
    for schema in openapi.REQUEST_SCHEMAS:
        mine = document["components"]["schemas"][schema]
        assert bare(mine) == bare(openapi.DOCUMENT["components"]["schemas"][schema])


def test_zoom_subscribes_through_the_control_api_after_its_url_validation() -> None:
    from hookmock import Zoom
    from hookmock.server import MockServer

    secret = "zoom-secret-for-the-control-api"
    with (
        serving(zoom_receiver(secret)) as base,
        MockServer(Zoom(secret_token=secret)) as server,
    ):
        api = Api(server.url)
        made = api.post("/_hookmock/subscriptions", {"url": base + "/zoom/webhook"})
        assert made.status == 201, made.body
        assert api.get("/_hookmock/state").json()["oauth"]["token_url"].endswith("/oauth/token")
        listed = api.get("/_hookmock/deliveries").json()["deliveries"]
        assert [(d["event"], d["outcome"]) for d in listed] == [
            ("endpoint.url_validation", "acknowledged")
        ]
    with (
        serving(zoom_receiver("another secret")) as base,
        MockServer(Zoom(secret_token=secret)) as server,
    ):
        refused = Api(server.url).post("/_hookmock/subscriptions", {"url": base + "/zoom/webhook"})
        assert refused.status == 422
        assert server.provider.subscriptions == []


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's example uses curl")
def test_the_readmes_other_provider_curl_lines_run_as_written() -> None:
    from hookmock.providers.stripe import Stripe
    from hookmock.server import MockServer

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n(.*?)```", readme, re.S)
    (block,) = [b for b in blocks if "$ curl" in b and "--provider" in b]
    (serve,) = [line for line in block.splitlines() if line.startswith("$ hookmock serve")]
    secret = re.search(r"--secret (\S+)", serve).group(1)  # type: ignore[union-attr]
    commands = [line[2:] for line in block.splitlines() if line.startswith("$ curl ")]
    assert len(commands) == 3
    app = sdk_receiver(secret)
    with MockServer(Stripe(secret=secret)) as server, serving(app) as base:
        env = {"PATH": os.environ["PATH"], "S": server.url + "/_hookmock"}
        answers = []
        for command in commands:
            command = command.replace("http://127.0.0.1:3000", base)
            result = subprocess.run(
                ["bash", "-c", command + " -w '\\n%{http_code}'"],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
                check=False,
            )
            body, _, status = result.stdout.rpartition("\n")
            assert result.returncode == 0 and status in ("200", "201"), (command, result.stdout)
            answers.append(json.loads(body))
    subscribed, sent, listed = answers
    assert subscribed["url"].startswith(base)
    assert [d["outcome"] for d in sent["deliveries"]] == ["acknowledged"]
    assert [d["event"] for d in listed["deliveries"]] == ["customer.created"]
    assert [e.type for e in app.events] == ["customer.created"]  # type: ignore[attr-defined]
