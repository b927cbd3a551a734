"""hookmock: the provider side of a webhook integration test.

A simulated Zoom that runs the subscription handshake against your receiver, sends it schema-valid
events with Zoom's exact headers and signatures, records every attempt and asserts how the
receiver answered. Use it through the pytest plugin's ``zoom`` fixture, or directly::

    from hookmock import Zoom
    zoom = Zoom(secret_token="...")
    zoom.subscribe(app, path="/zoom/webhook", events=["meeting.started"])
    zoom.send("meeting.started", topic="Q3 review").assert_acknowledged()
"""

from __future__ import annotations

import importlib

# Not typing's TYPE_CHECKING: importing hookmock (pytest's plugin, the command line) does not
# import typing. mypy reads any TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .conformance.checks import ReceiverUnreachableError as ReceiverUnreachableError
    from .conformance.report import ConformanceReport as ConformanceReport
    from .engine.adapter import Adapter as Adapter
    from .engine.delivery import Delivery as Delivery
    from .engine.delivery import DeliveryLog as DeliveryLog
    from .engine.overrides import ADD as ADD
    from .engine.simulator import Provider as Provider
    from .engine.subscription import Subscription as Subscription
    from .errors import ConfigurationError as ConfigurationError
    from .errors import HookmockError as HookmockError
    from .errors import LifespanError as LifespanError
    from .errors import NotSubscribedError as NotSubscribedError
    from .errors import OverrideError as OverrideError
    from .errors import SchemaViolationError as SchemaViolationError
    from .errors import SubscriptionError as SubscriptionError
    from .errors import UnknownEventError as UnknownEventError
    from .errors import UnknownFieldError as UnknownFieldError
    from .generate.events import SERIALIZATIONS as SERIALIZATIONS
    from .generate.events import Event as Event
    from .generate.fake import REMOVE as REMOVE
    from .plugin import HookmockWarning as HookmockWarning
    from .plugin import conformance_tests as conformance_tests
    from .plugin import provider_fixture as provider_fixture
    from .providers.github import GitHub as GitHub
    from .providers.slack import Slack as Slack
    from .providers.standard_webhooks import StandardWebhooks as StandardWebhooks
    from .providers.stripe import Stripe as Stripe
    from .providers.zoom import Zoom as Zoom
    from .records.exchange import Request as Request
    from .records.exchange import Response as Response
    from .records.outcome import Outcome as Outcome
    from .transports import HTTPTarget as HTTPTarget
    from .transports import WSGITarget as WSGITarget
    from .transports.asgi import ASGITarget as ASGITarget

__version__ = "0.1.0"

# Names are imported on first use (PEP 562), so importing hookmock (as pytest does when it loads
# the plugin) costs next to nothing until a test uses it.
_EXPORTS = {
    "ADD": ".engine.overrides",
    "Adapter": ".engine.adapter",
    "ASGITarget": ".transports.asgi",
    "ConfigurationError": ".errors",
    "ConformanceReport": ".conformance.report",
    "Delivery": ".engine.delivery",
    "DeliveryLog": ".engine.delivery",
    "Event": ".generate.events",
    "GitHub": ".providers.github",
    "HTTPTarget": ".transports",
    "HookmockError": ".errors",
    "HookmockWarning": ".plugin",
    "LifespanError": ".errors",
    "NotSubscribedError": ".errors",
    "Outcome": ".engine.delivery",
    "OverrideError": ".errors",
    "Provider": ".engine.simulator",
    "REMOVE": ".generate.fake",
    "ReceiverUnreachableError": ".conformance.checks",
    "Request": ".engine.delivery",
    "Response": ".engine.delivery",
    "SERIALIZATIONS": ".generate.events",
    "SchemaViolationError": ".errors",
    "Slack": ".providers.slack",
    "StandardWebhooks": ".providers.standard_webhooks",
    "Stripe": ".providers.stripe",
    "Subscription": ".engine.subscription",
    "SubscriptionError": ".errors",
    "UnknownEventError": ".errors",
    "UnknownFieldError": ".errors",
    "WSGITarget": ".transports",
    "Zoom": ".providers.zoom",
    "conformance_tests": ".plugin",
    "provider_fixture": ".plugin",
}

__all__ = [
    "ADD",
    "REMOVE",
    "SERIALIZATIONS",
    "ASGITarget",
    "Adapter",
    "ConfigurationError",
    "ConformanceReport",
    "Delivery",
    "DeliveryLog",
    "Event",
    "GitHub",
    "HTTPTarget",
    "HookmockError",
    "HookmockWarning",
    "LifespanError",
    "NotSubscribedError",
    "Outcome",
    "OverrideError",
    "Provider",
    "ReceiverUnreachableError",
    "Request",
    "Response",
    "SchemaViolationError",
    "Slack",
    "StandardWebhooks",
    "Stripe",
    "Subscription",
    "SubscriptionError",
    "UnknownEventError",
    "UnknownFieldError",
    "WSGITarget",
    "Zoom",
    "__version__",
    "conformance_tests",
    "provider_fixture",
]


def __getattr__(name: str) -> Any:
    if name == "strategies":  # a submodule, imported on first use (it imports Hypothesis)
        return importlib.import_module(".strategies", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hookmock' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
