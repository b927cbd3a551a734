"""GitHub: signatures, headers, the ping, delivery rules and the catalog, judged by githubkit.

The judge is githubkit (GitHub's Python SDK, its models made from GitHub's own OpenAPI
description): ``githubkit.webhooks.verify`` must accept every signature and
``githubkit.webhooks.parse`` must read every delivery into its typed model.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from githubkit.webhooks import parse, verify

import hookmock
from hookmock.errors import (
    ConfigurationError,
    OverrideError,
    SubscriptionError,
    UnknownEventError,
)
from hookmock.generate import catalog
from hookmock.providers import github as gh
from hookmock.providers.github import catalog as github_catalog
from hookmock.records.outcome import Outcome

SECRET = "It's a Secret to Everybody"
NOW = 1_767_225_600.0

#: Events whose generated bodies githubkit does not read, because @octokit/webhooks-schemas
#: (7.6.1) and GitHub's OpenAPI description (githubkit's source) disagree there; the first
#: disagreement of each. Every other event must parse.
KNOWN_DIFFERENCES = {
    "deployment_review.approved": "reviewers and workflow_job_run are shaped otherwise",
    "deployment_review.rejected": "reviewers and workflow_job_run are shaped otherwise",
    "deployment_review.requested": "reviewers are shaped otherwise",
    "secret_scanning_alert.revoked": "githubkit knows no such action",
    "security_advisory.performed": "githubkit knows no such action",
}


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def answering(status: str) -> Callable[..., Iterable[bytes]]:
    def receiver(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response(status, [("Content-Type", "text/plain")])
        return [b"no"]

    return receiver


def make(**options: Any) -> gh.GitHub:
    return gh.GitHub(secret=SECRET, seed=14, clock=lambda: NOW, **options)


# -- signature -----------------------------------------------------------------------------------


def test_sign_matches_githubs_documented_example() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    signature = gh.sign(SECRET, b"Hello, World!")
    assert signature == ("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    assert verify(SECRET, "Hello, World!", signature)


def test_verify_accepts_both_signatures_and_refuses_others() -> None:
    body = b'{"zen":"Design for failure."}'
    assert gh.verify(SECRET, body, gh.sign(SECRET, body))
    assert gh.verify(SECRET, body, gh.sign_sha1(SECRET, body))
    assert not gh.verify("other", body, gh.sign(SECRET, body))
    assert not gh.verify(SECRET, body + b" ", gh.sign(SECRET, body))
    assert not gh.verify(SECRET, body, gh.sign(SECRET, body).removeprefix("sha256="))
    assert not gh.verify(SECRET, body, None)


def test_signed_headers() -> None:
    body = b'{"a":1}'
    headers = gh.signed_headers(SECRET, body, event="push", delivery="d-1")
    assert headers == {
        "x-github-delivery": "d-1",
        "x-hub-signature": gh.sign_sha1(SECRET, body),
        "x-hub-signature-256": gh.sign(SECRET, body),
        "content-type": "application/json",
        "x-github-event": "push",
    }


# -- the provider -------------------------------------------------------------------------------


def test_delivery_headers_in_order() -> None:
    github = make()
    github.subscribe(app, path="/github")
    delivery = github.send("pull_request.opened")
    request = delivery.request
    assert [name for name, _ in request.headers] == [
        "host",
        "accept",
        "x-github-delivery",
        "x-hub-signature",
        "x-hub-signature-256",
        "user-agent",
        "content-type",
        "content-length",
        "x-github-event",
        "x-github-hook-id",
        "x-github-hook-installation-target-id",
        "x-github-hook-installation-target-type",
    ]
    header = request.header
    assert header("x-github-event") == "pull_request"
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        header("x-github-delivery") or "",
    )
    assert re.fullmatch(r"GitHub-Hookshot/[0-9a-f]{7}", header("user-agent") or "")
    assert header("content-type") == "application/json"
    assert header("content-length") == str(len(request.body))
    assert header("x-hub-signature-256") == gh.sign(SECRET, request.body)
    assert header("x-hub-signature") == gh.sign_sha1(SECRET, request.body)
    assert header("x-github-hook-installation-target-type") == "repository"
    assert header("x-github-hook-installation-target-id") == str(github.target_id)
    assert json.loads(request.body)["repository"]["id"] == github.target_id
    ping = github.deliveries[0]
    assert ping.request.header("x-github-hook-id") == header("x-github-hook-id")
    assert ping.request.header("x-github-delivery") != header("x-github-delivery")
    assert delivery.deadline == 10.0


def test_deliveries_verify_and_parse_with_githubkit() -> None:
    from pydantic import ValidationError

    github = make()
    github.subscribe(app)
    refused: dict[str, str] = {}
    for name in github.event_names():
        delivery = github.send(name)
        body = delivery.request.body
        assert verify(SECRET, body, delivery.request.header("x-hub-signature-256") or ""), name
        assert catalog.schema_errors(name, delivery.event.data, "github") == [], name
        try:
            event = parse(delivery.request.header("x-github-event") or "", body)
        except ValidationError as error:
            refused[name] = str(error).splitlines()[0]
            continue
        action = name.partition(".")[2]
        if action:
            assert getattr(event, "action", None) == action, name
    unexpected = {k: v for k, v in refused.items() if k not in KNOWN_DIFFERENCES}
    assert unexpected == {}
    assert len(refused) <= len(KNOWN_DIFFERENCES) < 8


def test_known_differences_are_events() -> None:
    assert set(KNOWN_DIFFERENCES) <= set(make().event_names())


def test_form_encoded_webhook() -> None:
    github = make()
    subscription = github.subscribe(app, content_type="form")
    delivery = github.send("push", to=subscription)
    request = delivery.request
    assert request.header("content-type") == "application/x-www-form-urlencoded"
    assert request.body.startswith(b"payload=")
    assert verify(SECRET, request.body, request.header("x-hub-signature-256") or "")
    (payload,) = parse_qs(request.body.decode("ascii"))["payload"]
    assert payload.encode() == delivery.event.body
    assert parse("push", payload).ref == delivery.event.data["ref"]
    ping = github.deliveries[0]
    assert ping.event.data["hook"]["config"]["content_type"] == "form"


def test_bad_content_type() -> None:
    with pytest.raises(ConfigurationError, match="content_type must be 'json' or 'form'"):
        make().subscribe(app, content_type="xml")


def test_ping_on_subscribe() -> None:
    github = make()
    subscription = github.subscribe(app, events=["push", "pull_request.opened"])
    ping = github.deliveries[0]
    assert ping.request.header("x-github-event") == "ping"
    data = ping.event.data
    assert data["hook_id"] == data["hook"]["id"] == int(ping.request.header("x-github-hook-id"))
    assert data["hook"]["events"] == ["pull_request", "push"]
    assert data["hook"]["config"]["url"] == subscription.url
    assert data["hook"]["type"] == "Repository"
    assert data["zen"]
    parsed = parse("ping", ping.request.body)
    assert parsed.hook_id == data["hook_id"]


def test_ping_names_events_the_community_schema_does_not_list() -> None:
    github = make()
    github.subscribe(app, events=["installation.created", "workflow_dispatch"])
    ping = github.deliveries[0]
    assert ping.event.data["hook"]["events"] == ["installation", "workflow_dispatch"]
    assert catalog.schema_errors("ping", ping.event.data, "github") == []


def test_failed_ping_refuses_the_hook() -> None:
    github = make()
    with pytest.raises(SubscriptionError) as info:
        github.subscribe(answering("400 Bad Request"))
    message = str(info.value)
    assert "GitHub's ping of webhook" in message
    assert "status 400, expected a 2xx" in message
    assert "GitHub would create the webhook anyway" in message
    assert "hint: does the receiver refuse events it does not handle?" in message
    assert github.subscriptions == []


def test_failed_ping_with_strict_ping_off_creates_the_hook() -> None:
    github = make(strict_ping=False)
    subscription = github.subscribe(answering("401 Unauthorized"))
    assert github.subscriptions == [subscription]
    ping = github.deliveries[0]
    assert ping.notes == ["status 401, expected a 2xx"]


def test_no_automatic_retries_and_redelivery_keeps_the_guid() -> None:
    github = make(strict_ping=False)
    github.subscribe(answering("500 Internal Server Error"))
    delivery = github.send("issues.opened")
    assert delivery.outcome is Outcome.SERVER_ERROR
    assert delivery.next_step == "final: github does not retry a server error"
    assert github.advance(days=3) == []
    again = github.resend(delivery)
    assert again.request.header("x-github-delivery") == delivery.request.header("x-github-delivery")
    assert again.request.body == delivery.request.body
    assert again.request.header("x-hub-signature-256") == delivery.request.header(
        "x-hub-signature-256"
    )
    assert again.attempt == 2


def test_secret_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_WEBHOOK_SECRET", "from-env")
    github = gh.GitHub(seed=1)
    assert github.secret == "from-env"
    assert github.adapter.secrets() == ("from-env",)


def test_bad_settings() -> None:
    with pytest.raises(ConfigurationError, match="target_type must be one of"):
        gh.GitHub(secret=SECRET, target_type="user")
    with pytest.raises(ConfigurationError, match="secret must be a non-empty string"):
        gh.GitHub(secret="")


def test_unknown_event_suggests_close_ones() -> None:
    with pytest.raises(UnknownEventError) as info:
        make().fake("pull_request.open")
    assert "pull_request.opened" in str(info.value)


def test_overrides_are_checked() -> None:
    github = make()
    event = github.fake("issues.opened", {"issue.title": "Flaky test"})
    assert event.data["issue"]["title"] == "Flaky test"
    with pytest.raises(OverrideError):
        github.fake("issues.opened", {"issue.titel": "Flaky test"})


def test_same_seed_same_deliveries() -> None:
    first, second = make(), make()
    for github in (first, second):
        github.subscribe(app)
        github.send("push")
    assert [d.request for d in first.deliveries] == [d.request for d in second.deliveries]


def test_pull_request_scenario_is_coherent() -> None:
    github = make()
    github.subscribe(app)
    made = github.send_scenario("pull_request", number=42)
    assert [d.event.name for d in made] == [
        "pull_request.opened",
        "pull_request.synchronize",
        "pull_request_review.submitted",
        "pull_request.closed",
    ]
    assert all(d.acknowledged for d in made)
    opened, synchronize, review, closed = (
        parse(d.request.header("x-github-event") or "", d.request.body) for d in made
    )
    assert opened.number == synchronize.number == closed.number == 42
    assert review.pull_request.number == 42
    ids = {e.pull_request.id for e in (opened, synchronize, review, closed)}
    assert len(ids) == 1
    assert synchronize.before == opened.pull_request.head.sha
    assert synchronize.after == synchronize.pull_request.head.sha
    assert review.review.commit_id == synchronize.after == closed.pull_request.head.sha
    assert review.review.state == "approved"
    assert closed.pull_request.merged is True
    merge = made[3].event.data["pull_request"]["merge_commit_sha"]
    assert re.fullmatch("[0-9a-f]{40}", merge)
    assert merge not in (synchronize.before, synchronize.after)
    assert {e.repository.id for e in (opened, synchronize, review, closed)} == {github.target_id}
    assert [d.sent_at - NOW for d in made] == [0, 600, 1800, 2400]


def test_unknown_scenario() -> None:
    with pytest.raises(ConfigurationError, match="unknown GitHub scenario 'deploy'"):
        make().scenario("deploy")


def test_github_fixture(github: gh.GitHub) -> None:
    assert isinstance(github, hookmock.GitHub)
    github.subscribe(app)
    github.send("push")
    github.assert_delivered("push")


def test_provider_registry() -> None:
    from hookmock.providers import provider_class

    assert provider_class("github") is gh.GitHub


# -- the vendored catalog ----------------------------------------------------------------------


def test_catalog_names_every_event_and_action() -> None:
    names = make().event_names()
    assert len(names) == 224
    assert {"push", "ping", "pull_request.opened", "issues.opened", "workflow_run.completed"} <= (
        set(names)
    )
    assert not any("$" in name for name in names)


def test_vendored_file_is_reproducible() -> None:
    from tools.build_github_schemas import compress

    data = github_catalog.SCHEMA_FILE.read_bytes()
    assert compress(gzip.decompress(data)) == data
    assert (github_catalog.DATA / "VERSION").read_text().strip() == "7.6.1"
    assert (github_catalog.DATA / "LICENSE").read_text().count("MIT") >= 2


def test_readme_example_runs(github: gh.GitHub) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    (block,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", readme, flags=re.S)
        if "def test_merged_pull_requests_are_deployed" in b
    ]
    namespace: dict[str, Any] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    namespace["test_merged_pull_requests_are_deployed"](github, app)
    (ping, closed) = github.deliveries
    assert ping.event.name == "ping"
    assert closed.event.data["pull_request"]["merged"] is True


# -- a second judge: @octokit/webhooks-methods, with Node.js ------------------------------------


def test_octokit_webhooks_methods_verifies_deliveries(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on the PATH: @octokit/webhooks-methods cannot run")
    module = Path(__file__).with_name("data") / "octokit-webhooks-methods" / "index.mjs"
    github = make()
    github.subscribe(app)
    cases = []
    for name in ("push", "pull_request.opened", "issue_comment.created"):
        delivery = github.send(name)
        cases.append(
            {
                "body": delivery.request.body.decode("utf-8"),
                "signature": delivery.request.header("x-hub-signature-256"),
            }
        )
    cases.append({"body": cases[0]["body"] + " ", "signature": cases[0]["signature"]})
    (tmp_path / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    script = (
        f"import {{ verify }} from {json.dumps(module.as_uri())};\n"
        "import { readFileSync } from 'node:fs';\n"
        "const cases = JSON.parse(readFileSync(process.argv[1], 'utf8'));\n"
        f"const secret = {json.dumps(SECRET)};\n"
        "const out = [];\n"
        "for (const c of cases) out.push(await verify(secret, c.body, c.signature));\n"
        "console.log(JSON.stringify(out));\n"
    )
    done = subprocess.run(
        [node, "--input-type=module", "-e", script, str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) == [True, True, True, False]
