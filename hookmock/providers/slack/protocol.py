"""Slack's delivery protocol in constants: the deadline, the retry schedule, the headers and
their values (sources: "The Events API", https://api.slack.com/apis/events-api)."""

from __future__ import annotations

__all__ = [
    "CONTENT_TYPE",
    "DEADLINE",
    "NO_RETRY_HEADER",
    "RETRY_DELAYS",
    "RETRY_NUM_HEADER",
    "RETRY_REASONS",
    "RETRY_REASON_HEADER",
    "SECRET_ENV",
    "URL_VERIFICATION",
    "USER_AGENT",
]

#: Seconds Slack waits for an answer (https://api.slack.com/apis/events-api, "Responding to
#: events": "respond ... within 3 seconds").
DEADLINE = 3.0
#: The delays before each retry: nearly immediately, after 1 minute, after 5 minutes.
RETRY_DELAYS = (0.0, 60.0, 300.0)
#: The environment variable Slack's samples and Bolt read the signing secret from.
SECRET_ENV = "SLACK_SIGNING_SECRET"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
CONTENT_TYPE = "application/json"
#: ``X-Slack-Retry-Reason`` values Slack documents, and when each is sent.
RETRY_REASONS = {
    "http_timeout": "no answer within 3 seconds",
    "too_many_redirects": "more than 2 redirects",
    "connection_failed": "the connection could not be made",
    "ssl_error": "the TLS certificate could not be verified",
    "http_error": "an answer outside 2xx",
    "unknown_error": "anything else",
}
RETRY_NUM_HEADER = "x-slack-retry-num"
RETRY_REASON_HEADER = "x-slack-retry-reason"
NO_RETRY_HEADER = "x-slack-no-retry"
URL_VERIFICATION = "url_verification"
