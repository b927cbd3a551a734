"""Slack's Events API: signatures, headers, the catalog, url_verification, retries, scenarios;
judged by Slack's own SDK (slack_sdk's SignatureVerifier) and framework (a Bolt for Python app)."""

from __future__ import annotations

import copy
import itertools
import json
import time
from typing import Any

import jsonschema
import pytest
from slack_sdk.signature import SignatureVerifier
from werkzeug.wrappers import Response

import hookmock
from hookmock import NotSubscribedError, Outcome, Slack, SubscriptionError
from hookmock.engine.scheduler import ProviderClock
from hookmock.errors import SchemaViolationError, UnknownEventError, UnknownFieldError
from hookmock.generate import catalog
from hookmock.providers import PROVIDERS, provider_class
from hookmock.providers import slack as slack_module
from hookmock.providers.slack import catalog as slack_catalog
from hookmock.providers.slack import events as slack_events
from hookmock.providers.slack import interactive

from .slack_receivers import PATH, bolt_app, slack_receiver

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
T0 = 1_790_000_000.0


class _FrozenClock:
    """A clock for slack_sdk's verifier that reads a fixed time."""

    def __init__(self, now: float) -> None:
        self.value = now

    def now(self) -> float:
        return self.value


def _slack(**kwargs: Any) -> Slack:
    kwargs.setdefault("secret", SECRET)
    kwargs.setdefault("seed", 7)
    return Slack(**kwargs)


def _frozen(**kwargs: Any) -> Slack:
    """A Slack on a frozen clock, signing with the provider's time (a receiver reading that
    clock: :func:`_receiver`)."""
    kwargs.setdefault("timestamp_clock", "provider")
    return _slack(clock=ProviderClock(lambda: T0), **kwargs)


def _receiver(slack: Slack, **kwargs: Any) -> Any:
    """A receiver whose signature verifier reads *slack*'s clock."""
    return slack_receiver(SECRET, clock=slack.clock, **kwargs)


# -- signature ------------------------------------------------------------------------------------


def test_slacks_published_example_signature() -> None:
    # The example request of Slack's "Verifying requests from Slack" page.
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        "channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        "command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
        "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert slack_module.sign(SECRET, 1531420618, body) == expected
    assert slack_module.verify(SECRET, "1531420618", body.encode(), expected)
    assert not slack_module.verify(SECRET, "1531420619", body.encode(), expected)
    verifier = SignatureVerifier(SECRET, clock=_FrozenClock(1531420618))
    assert verifier.is_valid(body, "1531420618", expected)


def test_signed_headers_are_accepted_by_slack_sdk() -> None:
    body = b'{"type":"event_callback","event":{"type":"app_mention"}}'
    now = int(time.time())
    headers = slack_module.signed_headers(SECRET, body, timestamp=now)
    assert headers["content-type"] == "application/json"
    assert headers["x-slack-request-timestamp"] == str(now)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    assert slack_module.base_string(now, body) == f"v0:{now}:".encode() + body


def test_signed_headers_refuse_a_timestamp_that_is_not_whole_seconds() -> None:
    with pytest.raises(hookmock.ConfigurationError, match="whole Unix seconds"):
        slack_module.signed_headers(SECRET, b"{}", timestamp=1.5)  # type: ignore[arg-type]


def test_within_tolerance_is_five_minutes_either_way() -> None:
    assert slack_module.within_tolerance("1000", now=1300)
    assert not slack_module.within_tolerance("1000", now=1301)
    assert not slack_module.within_tolerance("soon", now=1000)


def test_a_generated_secret_is_32_hex_characters() -> None:
    secret = slack_module.generate_secret()
    assert len(secret) == 32 and int(secret, 16) >= 0


# -- the provider ----------------------------------------------------------------------------------


def test_slack_is_exported_and_registered() -> None:
    assert hookmock.Slack is Slack
    assert "Slack" in hookmock.__all__
    assert PROVIDERS["slack"] == "hookmock.providers.slack:Slack"
    assert provider_class("slack") is Slack
    assert (Slack.secret_option, Slack.secret_env) == ("secret", "SLACK_SIGNING_SECRET")


def test_the_secret_comes_from_the_environment_when_omitted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "from-the-environment")
    assert Slack(seed=1).secret == "from-the-environment"
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    assert len(Slack(seed=1).secret) == 32


def test_bad_settings_are_refused_clearly() -> None:
    with pytest.raises(hookmock.ConfigurationError, match="signing secret"):
        Slack(secret="")
    with pytest.raises(hookmock.ConfigurationError, match="team_id must look like Slack's ids"):
        Slack(secret=SECRET, team_id="workspace")


def test_every_attempt_has_slacks_headers_and_a_signature_slack_sdk_accepts() -> None:
    slack = _slack()
    receiver = slack_receiver(SECRET)
    slack.subscribe(receiver)
    delivery = slack.send("reaction_added")
    assert delivery.outcome is Outcome.ACKNOWLEDGED
    request = delivery.request
    assert [name for name, _ in request.headers] == [
        "host",
        "user-agent",
        "content-length",
        "accept",
        "accept-encoding",
        "content-type",
        "x-slack-request-timestamp",
        "x-slack-signature",
    ]
    assert request.header("user-agent") == "Slackbot 1.0 (+https://api.slack.com/robots)"
    assert request.header("content-type") == "application/json"
    timestamp = request.header("x-slack-request-timestamp")
    assert timestamp is not None and abs(int(timestamp) - time.time()) < 60
    assert SignatureVerifier(SECRET).is_valid(
        request.body, timestamp, request.header("x-slack-signature") or ""
    )
    # The validation and the event both reached the receiver, each verified by slack_sdk.
    assert len(receiver.requests) == 2  # type: ignore[attr-defined]


def test_every_event_type_is_signed_so_slack_sdk_accepts_it() -> None:
    slack = _slack()
    verifier = SignatureVerifier(SECRET)
    slack.subscribe(slack_receiver(SECRET))
    for name in slack.event_names():
        delivery = slack.send(name)
        request = delivery.request
        assert delivery.acknowledged, name
        assert verifier.is_valid_request(request.body, dict(request.headers)), name


def test_the_secret_and_token_are_masked_in_descriptions() -> None:
    slack = _slack()
    slack.subscribe(slack_receiver(SECRET))
    delivery = slack.send("app_mention")
    text = delivery.describe(body_limit=5000)
    assert SECRET not in text
    assert slack.verification_token not in text


# -- the catalog -----------------------------------------------------------------------------------


def test_the_catalog_has_the_published_types_and_the_newer_ones() -> None:
    names = set(_slack().event_names())
    published = {entry["name"] for entry in slack_catalog.published()["events"]}
    assert len(published) == 66
    assert published <= names
    assert set(slack_events.NEWER) <= names
    assert {"app_mention", "message", "reaction_added", "app_home_opened"} <= names


def test_every_event_is_valid_against_its_schema_and_slacks_wrapper() -> None:
    slack = _slack()
    wrapper = copy.deepcopy(slack_catalog.published()["wrapper"])
    # Slack deprecated authed_users (replaced by authorizations); deliveries no longer carry it.
    wrapper["required"].remove("authed_users")
    for name in slack.event_names():
        event = slack.fake(name, full=True)
        catalog.validate(name, event.data, "slack")
        if name in slack_events.TOP_LEVEL:
            assert event.data["type"] == name
            continue
        if name in interactive.FORM_EVENTS:
            assert event.serialization == "form"
            continue
        jsonschema.validate(event.data, wrapper)
        assert event.data["type"] == "event_callback"
        expected = slack_events.SUBSCRIPTIONS.get(name, name)
        assert event.data["event"]["type"] == expected, name


def test_the_envelope_is_coherent_with_the_app_and_the_event_time() -> None:
    slack = _frozen(team_id="T0123456789", api_app_id="A0123456789", bot_user_id="U0123456789")
    data = slack.fake("app_mention").data
    assert data["team_id"] == data["context_team_id"] == "T0123456789"
    assert data["api_app_id"] == "A0123456789"
    assert data["token"] == slack.verification_token
    assert data["event_time"] == int(T0)
    assert data["event_id"].startswith("Ev")
    assert data["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": "T0123456789",
            "user_id": "U0123456789",
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    event = data["event"]
    assert event["event_ts"] == event["ts"]
    assert event["event_ts"].startswith(f"{int(T0)}.")
    assert event["text"].startswith("<@U0123456789> ")
    assert event["team"] == "T0123456789"
    assert data["event_context"].startswith("4-")
    assert list(data) == [
        "token",
        "team_id",
        "context_team_id",
        "context_enterprise_id",
        "api_app_id",
        "event",
        "type",
        "event_id",
        "event_time",
        "authorizations",
        "is_ext_shared_channel",
        "event_context",
    ]


def test_other_timestamps_come_before_the_event() -> None:
    data = _frozen().fake("reaction_added").data
    assert float(data["event"]["item"]["ts"]) < float(data["event"]["event_ts"])


def test_a_message_is_no_thread_reply_unless_asked() -> None:
    slack = _frozen()
    assert "thread_ts" not in slack.fake("message").data["event"]
    reply = slack.fake("message", thread_ts="1789999000.000100", text="in the thread")
    assert reply.data["event"]["thread_ts"] == "1789999000.000100"
    assert reply.data["event"]["text"] == "in the thread"
    assert "thread_ts" in slack.fake("message", full=True).data["event"]


def test_overrides_are_kept_and_checked_against_the_schema() -> None:
    slack = _frozen()
    data = slack.fake(
        "app_mention", {"event_time": 1700000000, "event.ts": "1700000000.000001"}
    ).data
    assert data["event_time"] == 1700000000 and data["event"]["ts"] == "1700000000.000001"
    with pytest.raises(UnknownFieldError, match="chanel"):
        slack.fake("app_mention", {"event.chanel": "C0123456789"})
    with pytest.raises(SchemaViolationError, match="event_time"):
        slack.fake("app_mention", event_time="late")


def test_an_unknown_event_name_suggests_close_ones() -> None:
    with pytest.raises(UnknownEventError, match="reaction_added"):
        _slack().fake("reaction_add")
    with pytest.raises(UnknownEventError, match="app_mention"):
        _slack().fake("app.mention")


def test_the_vendored_catalog_is_what_the_tool_builds(tmp_path: Any) -> None:
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    reference = root.parent / "shared" / "reference" / "slack"
    if not reference.is_dir():
        pytest.skip(f"Slack's reference data is not at {reference}")
    spec = importlib.util.spec_from_file_location(
        "build_slack_catalog", root / "tools" / "build_slack_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main([str(reference), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "events_api.json").read_bytes() == slack_catalog.DATA.read_bytes()
    assert (tmp_path / "LICENSE.slack-api-specs").read_bytes() == (
        slack_catalog.DATA.with_name("LICENSE.slack-api-specs").read_bytes()
    )


# -- Bolt for Python as the receiver ---------------------------------------------------------------


def test_a_bolt_app_passes_url_verification_and_runs_its_listeners() -> None:
    slack = _slack()
    app, received = bolt_app(SECRET, bot_user_id=slack.bot_user_id)
    subscription = slack.subscribe(app, path=PATH)
    assert subscription.validated_at is not None
    validation = slack.deliveries[0]
    assert json.loads(validation.response.body) == {  # type: ignore[union-attr]
        "challenge": validation.event.data["challenge"]
    }
    mention = slack.send("app_mention", text="<@U0123456789> what's up?", channel="C0123456789")
    mention.assert_acknowledged()
    assert received == [("app_mention", mention.event.data["event"])]
    assert received[0][1]["channel"] == "C0123456789"
    slack.send("message").assert_acknowledged()
    slack.send("reaction_added").assert_acknowledged()
    assert [kind for kind, _ in received] == ["app_mention", "message", "reaction_added"]


def test_a_bolt_app_refuses_a_delivery_signed_with_another_secret() -> None:
    slack = _slack()
    app, received = bolt_app(SECRET)
    slack.subscribe(app, path=PATH)
    forged = slack.send("app_mention", headers={"x-slack-signature": "v0=" + "0" * 64})
    assert forged.outcome is Outcome.REJECTED and forged.response.status == 401  # type: ignore[union-attr]
    stale = slack.send("app_mention", timestamp=int(time.time()) - 600)
    assert stale.outcome is Outcome.REJECTED
    assert received == []


def test_a_bolt_app_with_another_secret_fails_url_verification() -> None:
    slack = _slack()
    app, _ = bolt_app("not-the-apps-secret")
    with pytest.raises(SubscriptionError) as caught:
        slack.subscribe(app, path=PATH)
    message = str(caught.value)
    assert message.splitlines()[0].endswith("failed: status 401, expected 200")
    assert "hint: url_verification is signed like every request" in message
    assert SECRET not in message


def test_the_conversation_scenario_reaches_bolts_listeners_coherently() -> None:
    slack = _slack()
    app, received = bolt_app(SECRET, bot_user_id=slack.bot_user_id)
    slack.subscribe(app, path=PATH)
    made = slack.send_scenario("conversation", channel="C0123456789")
    assert [d.event.name for d in made] == ["message", "reaction_added", "app_mention", "message"]
    assert all(d.acknowledged for d in made)
    (_, posted), (_, reacted), (_, mentioned), (_, replied) = received
    assert posted["channel"] == mentioned["channel"] == replied["channel"] == "C0123456789"
    assert reacted["item"] == {"type": "message", "channel": "C0123456789", "ts": posted["ts"]}
    assert reacted["item_user"] == posted["user"]
    assert replied["thread_ts"] == posted["ts"] and replied["parent_user_id"] == posted["user"]
    assert "thread_ts" not in posted
    assert mentioned["text"].startswith(f"<@{slack.bot_user_id}>")
    times = [float(event["event_ts"]) for _, event in received]
    assert times == sorted(times) and len(set(times)) == 4


def test_an_unknown_scenario_or_parameter_is_refused() -> None:
    slack = _slack()
    with pytest.raises(hookmock.ConfigurationError, match="choose one of: conversation"):
        slack.scenario("meeting")
    with pytest.raises(hookmock.ConfigurationError, match="no parameter topic"):
        slack.scenario("conversation", topic="x")
    with pytest.raises(NotSubscribedError, match="nothing is subscribed"):
        slack.send_scenario("conversation")


# -- url_verification ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        lambda c: Response(c, content_type="text/plain"),
        lambda c: Response(json.dumps({"challenge": c}), content_type="application/json"),
        lambda c: Response(f"challenge={c}", content_type="application/x-www-form-urlencoded"),
    ],
    ids=["plain-text", "json", "form"],
)
def test_each_answer_slack_accepts_passes_url_verification(answer: Any) -> None:
    slack = _slack()
    subscription = slack.subscribe(slack_receiver(SECRET, answer=answer))
    assert subscription.validated_at is not None


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (lambda c: Response(status=200), "the body is empty; the challenge must come back"),
        (lambda c: Response(json.dumps(c)), "the body is a JSON string"),
        (lambda c: Response('{"ok": true}'), 'the JSON answer has no string "challenge"'),
        (lambda c: Response("nope"), "the challenge was not echoed: got 'nope' (plain text)"),
        (lambda c: Response(c, status=202), "status 202, expected 200"),
        (lambda c: Response("", status=404), "status 404, expected 200"),
    ],
)
def test_a_wrong_answer_to_url_verification_is_diagnosed(answer: Any, problem: str) -> None:
    slack = _slack()
    with pytest.raises(SubscriptionError) as caught:
        slack.subscribe(slack_receiver(SECRET, answer=answer))
    assert problem in caught.value.problems[0]
    assert not slack.subscriptions
    assert "expected: status 200 within 3 s with the challenge" in str(caught.value)


def test_echoing_the_verification_token_is_named() -> None:
    slack = _slack()
    with pytest.raises(SubscriptionError) as caught:
        slack.subscribe(slack_receiver(SECRET, answer=lambda c: Response(slack.verification_token)))
    assert caught.value.problems == ["the answer is the verification token, not the challenge"]


# -- delivery rules over virtual time --------------------------------------------------------------


def test_retries_follow_slacks_schedule_with_retry_headers_then_drop() -> None:
    slack = _frozen()
    receiver = _receiver(slack, statuses=[500, 500, 500, 500])
    slack.subscribe(receiver)
    first = slack.send("app_mention")
    assert first.outcome is Outcome.SERVER_ERROR
    assert first.next_step == "retry 1 at +0 s"
    later = slack.run_until_idle()
    attempts = [first, *later]
    assert [d.attempt for d in attempts] == [1, 2, 3, 4]
    gaps = [b.sent_at - a.sent_at for a, b in itertools.pairwise(attempts)]
    assert gaps == [0, 60, 300]
    assert [d.request.header("x-slack-retry-num") for d in attempts] == [None, "1", "2", "3"]
    assert [d.request.header("x-slack-retry-reason") for d in attempts] == [
        None,
        "http_error",
        "http_error",
        "http_error",
    ]
    assert attempts[-1].dropped and attempts[-1].next_step == "dropped after 3 retries"
    assert {d.request.body for d in attempts} == {first.request.body}
    for delivery in attempts:
        # Each retry is signed anew, with the time it is sent.
        assert delivery.request.header("x-slack-request-timestamp") == str(int(delivery.sent_at))
        verifier = SignatureVerifier(SECRET, clock=_FrozenClock(delivery.sent_at))
        assert verifier.is_valid_request(delivery.request.body, dict(delivery.request.headers))


@pytest.mark.parametrize(
    ("fault", "reason"), [("timeout", "http_timeout"), ("refused", "connection_failed")]
)
def test_the_retry_reason_says_why_the_attempt_failed(fault: str, reason: str) -> None:
    slack = _frozen()
    slack.subscribe(_receiver(slack))
    slack.fail_next(fault)
    first = slack.send("message")
    (retry,) = slack.run_until_idle()
    assert not first.acknowledged and retry.acknowledged
    assert retry.request.header("x-slack-retry-num") == "1"
    assert retry.request.header("x-slack-retry-reason") == reason


def test_a_4xx_is_retried_but_x_slack_no_retry_stops_it() -> None:
    slack = _frozen()
    slack.subscribe(_receiver(slack, statuses=[400]))
    assert slack.send("message").next_step == "retry 1 at +0 s"
    slack.run_until_idle()
    refusing = _frozen()
    refusing.subscribe(_receiver(refusing, status=503, headers={"X-Slack-No-Retry": "1"}))
    final = refusing.send("message")
    assert final.next_step == "final: the receiver answered X-Slack-No-Retry: 1"
    assert refusing.pending() == [] and refusing.run_until_idle() == []


def test_a_late_answer_is_a_timeout_retried_as_http_timeout() -> None:
    slack = _frozen(deadline=0.05)
    slow: list[int] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read()
        if b'"url_verification"' in body:
            start_response("200 OK", [("content-type", "text/plain")])
            return [json.loads(body)["challenge"].encode()]
        if not slow:
            slow.append(1)
            time.sleep(0.1)
        start_response("200 OK", [])
        return []

    slack.subscribe(app)
    first = slack.send("message")
    assert first.outcome is Outcome.LATE
    (retry,) = slack.run_until_idle()
    assert retry.request.header("x-slack-retry-reason") == "http_timeout"


# -- the fixture -----------------------------------------------------------------------------------


def test_the_slack_fixture(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(slack, Slack)
    app, received = bolt_app(slack.secret, bot_user_id=slack.bot_user_id)
    slack.subscribe(app, path=PATH)
    slack.send("app_mention").assert_acknowledged()
    assert [kind for kind, _ in received] == ["app_mention"]


@pytest.mark.hookmock(secret="a-secret-from-the-marker")
def test_the_slack_fixture_takes_the_markers_secret(slack: Slack) -> None:
    assert slack.secret == "a-secret-from-the-marker"


# -- slash commands and interactivity --------------------------------------------------------------


def test_a_slash_command_is_form_encoded_signed_and_parsed_by_bolt() -> None:
    slack = _slack()
    app, received = bolt_app(SECRET, bot_user_id=slack.bot_user_id)
    slack.subscribe(app, path=PATH)
    delivery = slack.send("slash_command", command="/deploy", text="prod now")
    delivery.assert_acknowledged()
    request = delivery.request
    assert request.header("content-type") == "application/x-www-form-urlencoded"
    assert b"&command=%2Fdeploy&text=prod+now&" in request.body
    assert SignatureVerifier(SECRET).is_valid_request(request.body, dict(request.headers))
    ((kind, command),) = received
    assert kind == "command"
    assert command["text"] == "prod now" and command["team_id"] == slack.team_id
    assert command["token"] == slack.verification_token


@pytest.mark.parametrize(
    ("name", "fields", "kind"),
    [
        ("block_actions", {"actions.0.action_id": "approve"}, "block_actions"),
        ("shortcut", {"callback_id": "open_report"}, "shortcut"),
        ("view_submission", {"view.callback_id": "feedback"}, "view_submission"),
    ],
)
def test_an_interactivity_payload_is_a_payload_field_bolt_dispatches(
    name: str, fields: dict[str, Any], kind: str
) -> None:
    slack = _slack()
    app, received = bolt_app(SECRET, bot_user_id=slack.bot_user_id)
    slack.subscribe(app, path=PATH)
    delivery = slack.send(name, fields)
    delivery.assert_acknowledged()
    assert delivery.request.body.startswith(b"payload=%7B%22type%22%3A%22" + name.encode())
    assert delivery.request.header("content-type") == "application/x-www-form-urlencoded"
    assert [k for k, _ in received] == [kind]


def test_slash_commands_are_not_retried() -> None:
    slack = _frozen()
    slack.subscribe(_receiver(slack, status=500))
    failed = slack.send("slash_command")
    assert (
        failed.next_step == "final: Slack does not retry slash commands and interactivity payloads"
    )
    assert slack.run_until_idle() == []
