"""The JSON shapes of the control API's answers, as typed dictionaries.

Each is the one list of a record's fields: the functions that build the records
(:mod:`hookmock.server.state`, :mod:`hookmock.server.control`) are checked against it by mypy,
and :mod:`hookmock.server.openapi` derives the document's response schemas from it (field names,
which are all required, and JSON types).
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "ClockResult",
    "DeliveryList",
    "DeliveryRecord",
    "EventList",
    "FaultRecord",
    "FaultResult",
    "JobRecord",
    "NoticeRecord",
    "OAuthRecord",
    "RequestRecord",
    "ResetResult",
    "ResponseRecord",
    "StateRecord",
    "SubscriptionRecord",
    "TriggerResult",
]


class RequestRecord(TypedDict):
    method: str
    url: str
    headers: list[list[str]]
    body: str
    truncated: bool


class ResponseRecord(TypedDict):
    status: int
    reason: str
    headers: list[list[str]]
    body: str
    truncated: bool


class DeliveryRecord(TypedDict):
    index: int
    event: str
    subscription: str
    target: str
    attempt: int
    chain: str
    outcome: str
    acknowledged: bool
    status: int | None
    sent_at: float
    sent_at_iso: str | None
    elapsed_ms: float
    deadline_s: float
    next_step: str | None
    retry_due: float | None
    retry_due_iso: str | None
    dropped: bool
    error: str | None
    notes: list[str]
    request: RequestRecord
    response: ResponseRecord | None


class SubscriptionRecord(TypedDict):
    id: str
    name: str
    url: str
    events: list[str] | None
    active: bool
    failures: int
    validated_at: float | None
    validated_at_iso: str | None
    created_source: str
    subscription_scope: str
    account_id: str | None
    user_ids: list[str]


class JobRecord(TypedDict):
    kind: str
    subscription: str | None
    description: str
    due: float
    due_iso: str | None
    in_seconds: float


class NoticeRecord(TypedDict):
    at: float
    at_iso: str | None
    subscription: str
    message: str


class FaultRecord(TypedDict):
    kind: str
    subscription: str | None


class OAuthRecord(TypedDict):
    token_url: str
    client_id: str
    account_id: str | None


class StateRecord(TypedDict):
    now: float
    now_iso: str | None
    provider: str
    seed: int
    server_url: str
    deadline_s: float
    oauth: OAuthRecord | None
    subscriptions: list[SubscriptionRecord]
    pending: list[JobRecord]
    notices: list[NoticeRecord]
    faults: list[FaultRecord]
    deliveries: int
    deliveries_kept: int
    deliveries_forgotten: int
    max_deliveries: int | None


class EventList(TypedDict):
    events: list[str]


class TriggerResult(TypedDict):
    event: str
    seed: int | None
    body: Any
    deliveries: list[DeliveryRecord]


class DeliveryList(TypedDict):
    total: int
    forgotten: int
    deliveries: list[DeliveryRecord]


class ClockResult(TypedDict):
    now: float
    now_iso: str | None
    deliveries: list[DeliveryRecord]


class FaultResult(TypedDict):
    kind: str
    times: int
    subscription_id: str | None


class ResetResult(TypedDict):
    now: float
    now_iso: str | None
