"""The pytest plugin: options, ini settings, the ``hookmock`` marker, fixtures, report lines.

Only wiring lives here; the work is done by the library. Nothing heavy is imported until a test
asks for a fixture, so ``pytest --help`` stays as fast as without hookmock.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from .engine.simulator import Provider
    from .providers.github import GitHub
    from .providers.slack import Slack
    from .providers.standard_webhooks import StandardWebhooks
    from .providers.stripe import Stripe
    from .providers.zoom import Zoom
    from .server import MockServer

SEED_OPTION = "--hookmock-seed"
SECRET_OPTION = "--hookmock-secret-token"
DEADLINE_OPTION = "--hookmock-deadline"
MAX_DELIVERIES_OPTION = "--hookmock-max-deliveries"
SEED_INI = "hookmock_seed"
SECRET_INI = "hookmock_secret_token"
DEADLINE_INI = "hookmock_deadline"
MAX_DELIVERIES_INI = "hookmock_max_deliveries"
SEED_ENV = "HOOKMOCK_SEED"
SECRET_ENV = "ZOOM_WEBHOOK_SECRET_TOKEN"
DEADLINE_ENV = "HOOKMOCK_DEADLINE"
MAX_DELIVERIES_ENV = "HOOKMOCK_MAX_DELIVERIES"
REPORT_INI = "hookmock_report_deliveries"
#: Deliveries a failing test's report section describes (the last ones), and the characters of
#: each body it shows.
REPORT_DELIVERIES = 5
REPORT_BODY_LIMIT = 300
OPENAPI_OPTION = "--hookmock-openapi"
OPENAPI_INI = "hookmock_openapi"
OPENAPI_ENV = "HOOKMOCK_OPENAPI"
MARKER = "hookmock"
MARKER_KEYS = frozenset(
    {
        "secret_token",
        "seed",
        "deadline",
        "verification_token",
        "client_id",
        "traceparent",
        "tracking_id",
        "trace_upstream",
        "retries",
        "retry_timestamps",
        "timestamp_clock",
        "background_timeout",
        "max_deliveries",
    }
)
#: The marker's keys for every provider but Zoom (``secret``, not ``secret_token``).
PROVIDER_MARKER_KEYS = frozenset(
    {
        "secret",
        "seed",
        "deadline",
        "retries",
        "retry_timestamps",
        "timestamp_clock",
        "background_timeout",
        "max_deliveries",
        "header_prefix",
        "user_agent",
    }
)
#: The marker's keys for the ``stripe`` fixture.
STRIPE_MARKER_KEYS = (PROVIDER_MARKER_KEYS - {"header_prefix", "user_agent"}) | {
    "livemode",
    "api_version",
}

_session_seed = pytest.StashKey[int]()
# The providers a test created, for the report of a failing test.
_providers = pytest.StashKey[list[Any]]()
# One conformance report per conformance_tests() function, shared by its tests.
_battery_reports = pytest.StashKey[dict[str, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hookmock", "hookmock: simulated webhook provider (Zoom)")
    group.addoption(
        SEED_OPTION,
        dest="hookmock_seed",
        metavar="N",
        help="Session seed that every generated event derives from; printed in the report header "
        f"so a failing run can be replayed. Default: ini {SEED_INI}, then ${SEED_ENV}, "
        "then random.",
    )
    group.addoption(
        SECRET_OPTION,
        dest="hookmock_secret_token",
        metavar="TOKEN",
        help="Webhook secret token of the simulated Zoom app. Default: ini "
        f"{SECRET_INI}, then ${SECRET_ENV}, then a random token per test.",
    )
    group.addoption(
        DEADLINE_OPTION,
        dest="hookmock_deadline",
        metavar="SECONDS",
        help=f"Seconds the simulated provider waits for an answer. Default: ini {DEADLINE_INI}, "
        f"then ${DEADLINE_ENV}, then Zoom's 3.",
    )
    group.addoption(
        MAX_DELIVERIES_OPTION,
        dest="hookmock_max_deliveries",
        metavar="N",
        help="Deliveries a test's simulated provider keeps in full, the last ones; earlier ones "
        f"are counted, not kept. Default: ini {MAX_DELIVERIES_INI}, then "
        f"${MAX_DELIVERIES_ENV}, then every one.",
    )
    group.addoption(
        OPENAPI_OPTION,
        dest="hookmock_openapi",
        metavar="FILE_OR_URL",
        help="OpenAPI 3.1 document (a path or an http(s):// URL) whose webhooks the "
        "standard_webhooks fixture sends. Default: "
        f"ini {OPENAPI_INI}, then ${OPENAPI_ENV}, then hookmock's example document.",
    )
    parser.addini(
        OPENAPI_INI,
        "The OpenAPI 3.1 document (a path, from the rootdir) whose webhooks the "
        "standard_webhooks fixture sends.",
        default=None,
    )
    parser.addini(
        SEED_INI,
        "The session seed that every generated event derives from (an integer).",
        default=None,
    )
    parser.addini(
        SECRET_INI,
        "The webhook secret token of the simulated Zoom app, the one your receiver verifies with.",
        default=None,
    )
    parser.addini(
        REPORT_INI,
        "How many deliveries, the last ones, a failing test's report section describes "
        f"(default {REPORT_DELIVERIES}; 0 for no section).",
        default=None,
    )
    parser.addini(
        DEADLINE_INI,
        "Seconds the simulated provider waits for an answer before the delivery fails.",
        default=None,
    )
    parser.addini(
        MAX_DELIVERIES_INI,
        "How many deliveries a test's simulated provider keeps in full, the last ones (a whole "
        "number; default: every one).",
        default=None,
    )


def _setting(config: pytest.Config, dest: str, ini: str, env: str) -> str | None:
    """Command line, then ini, then environment (STYLE.md's precedence)."""
    value = config.getoption(dest, None)
    if value not in (None, ""):
        return str(value)
    value = config.getini(ini)
    if value not in (None, "", []):
        return str(value)
    return os.environ.get(env) or None


def _parse_seed(text: str, source: str) -> int:
    try:
        seed = int(text, 0)
    except ValueError:
        raise pytest.UsageError(
            f"hookmock: the seed from {source} must be a non-negative integer, got {text!r}"
        ) from None
    if seed < 0:
        raise pytest.UsageError(f"hookmock: the seed from {source} must not be negative: {seed}")
    return seed


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): configure the zoom fixture for this test; settings: "
        + ", ".join(sorted(MARKER_KEYS)),
    )
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "hookmock_seed" in workerinput:
        seed = int(workerinput["hookmock_seed"])
    else:
        text = _setting(config, "hookmock_seed", SEED_INI, SEED_ENV)
        seed = (
            _parse_seed(text, f"{SEED_OPTION}/{SEED_INI}/${SEED_ENV}")
            if text is not None
            else random.SystemRandom().randrange(2**32)
        )
    config.stash[_session_seed] = seed


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker uses the controller's session seed."""
    node.workerinput["hookmock_seed"] = node.config.stash[_session_seed]


def pytest_assertrepr_compare(op: str, left: Any, right: Any) -> list[str] | None:
    # Only hookmock's own records, which pytest would otherwise print field by field, secrets
    # included; report.py imports nothing heavy.
    if not type(left).__module__.startswith("hookmock."):
        return None
    from .engine.report import compare_records

    return compare_records(op, left, right)


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.stash[_session_seed]
    return f"hookmock: provider zoom, seed {seed} (replay with {SEED_OPTION}={seed})"


def _test_seed(session_seed: int, nodeid: str) -> int:
    # Derived from the test's id, not from run order: a test gets the same seed when run alone,
    # in another order or on another xdist worker.
    digest = hashlib.blake2b(f"{session_seed}:{nodeid}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@pytest.fixture
def hookmock_seed(request: pytest.FixtureRequest) -> int:
    """This test's seed, derived from the session seed and the test's node id."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None and "seed" in marker.kwargs:
        return int(marker.kwargs["seed"])
    return _test_seed(request.config.stash[_session_seed], request.node.nodeid)


@pytest.fixture
def hookmock_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Keyword arguments for the simulated provider, from the command line, ini file and
    environment. Override this fixture in a ``conftest.py`` to configure every test below it
    (``return {"secret_token": settings.ZOOM_SECRET}``); the ``hookmock`` marker still wins."""
    from .records.masking import Settings

    config = request.config
    settings: dict[str, Any] = Settings()
    secret = _setting(config, "hookmock_secret_token", SECRET_INI, SECRET_ENV)
    if secret is not None:
        settings["secret_token"] = secret
    deadline = _setting(config, "hookmock_deadline", DEADLINE_INI, DEADLINE_ENV)
    if deadline is not None:
        try:
            settings["deadline"] = float(deadline)
        except ValueError:
            raise pytest.UsageError(
                f"hookmock: the deadline must be a number of seconds, got {deadline!r}"
            ) from None
    kept = _setting(config, "hookmock_max_deliveries", MAX_DELIVERIES_INI, MAX_DELIVERIES_ENV)
    if kept is not None:
        try:
            settings["max_deliveries"] = int(kept)
        except ValueError:
            settings["max_deliveries"] = 0
        if settings["max_deliveries"] < 1:
            raise pytest.UsageError(
                f"hookmock: the deliveries to keep ({MAX_DELIVERIES_OPTION}/{MAX_DELIVERIES_INI}/"
                f"${MAX_DELIVERIES_ENV}) must be a whole number, at least 1, got {kept!r}"
            )
    return settings


@pytest.fixture
def zoom(
    request: pytest.FixtureRequest, hookmock_seed: int, hookmock_settings: dict[str, Any]
) -> Iterator[Zoom]:
    """A simulated Zoom for this test: fresh subscriptions and delivery log, its own seed.

    Settings come from ``@pytest.mark.hookmock(...)``, then the ``hookmock_settings`` fixture
    (command line, ini, environment). Without a secret token anywhere, it is random: give your
    receiver ``zoom.secret_token``. At teardown it shuts down the lifespans of the ASGI
    applications subscribed with ``lifespan=True``.
    """
    from .providers.zoom import Zoom
    from .records.masking import Settings

    settings = Settings(hookmock_settings)
    settings.update(_marker_settings(request, MARKER_KEYS))
    settings["seed"] = hookmock_seed
    provider = Zoom(**settings)
    # zoom.server_url starts the session's mock server on first use, and only then.
    provider.server_starter = lambda: request.getfixturevalue("hookmock_server")
    _own(request, provider)
    yield provider
    provider.close()


def _marker_settings(request: pytest.FixtureRequest, keys: frozenset[str]) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    unknown = set(marker.kwargs) - keys
    if unknown or marker.args:
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes keyword settings "
            f"({', '.join(sorted(keys))}); got "
            + ", ".join([repr(a) for a in marker.args] + sorted(unknown))
        )
    return dict(marker.kwargs)


def _provider_settings(
    request: pytest.FixtureRequest,
    hookmock_seed: int,
    hookmock_settings: dict[str, Any],
    keys: frozenset[str] = PROVIDER_MARKER_KEYS,
) -> dict[str, Any]:
    """A provider's settings but Zoom's: the ``hookmock_settings`` that apply to it (those
    named in *keys*), then the marker's, then the test's seed."""
    from .records.masking import Settings

    settings = Settings({k: v for k, v in hookmock_settings.items() if k in keys})
    settings.update(_marker_settings(request, keys))
    settings["seed"] = hookmock_seed
    return settings


def _own(request: pytest.FixtureRequest, provider: Provider) -> None:
    """Report *provider*'s deliveries when the test fails."""
    request.node.stash[_providers] = [*request.node.stash.get(_providers, []), provider]


@pytest.fixture
def standard_webhooks(
    request: pytest.FixtureRequest, hookmock_seed: int, hookmock_settings: dict[str, Any]
) -> Iterator[StandardWebhooks]:
    """A simulated Standard Webhooks sender for this test (:class:`hookmock.StandardWebhooks`):
    the events of the OpenAPI document named by ``--hookmock-openapi``, ini
    ``hookmock_openapi`` or ``$HOOKMOCK_OPENAPI`` (hookmock's example document without one),
    signed with ``$STANDARD_WEBHOOKS_SECRET`` or ``@pytest.mark.hookmock(secret=...)`` (a
    random ``whsec_`` secret without either: give your receiver ``standard_webhooks.secret``).
    """
    from .providers.standard_webhooks import StandardWebhooks

    document = _setting(request.config, "hookmock_openapi", OPENAPI_INI, OPENAPI_ENV)
    openapi: str | os.PathLike[str] | None = document
    if document is not None and not document.startswith(("http://", "https://")):
        from pathlib import Path

        path = Path(document)
        if not path.is_absolute() and request.config.getoption("hookmock_openapi") is None:
            path = request.config.rootpath / path
        openapi = path
    provider = StandardWebhooks(
        openapi=openapi, **_provider_settings(request, hookmock_seed, hookmock_settings)
    )
    _own(request, provider)
    yield provider
    provider.close()


@pytest.fixture
def stripe(
    request: pytest.FixtureRequest, hookmock_seed: int, hookmock_settings: dict[str, Any]
) -> Iterator[Stripe]:
    """A simulated Stripe for this test (:class:`hookmock.Stripe`), in test mode unless
    ``@pytest.mark.hookmock(livemode=True)``, signing with ``$STRIPE_WEBHOOK_SECRET`` or
    ``@pytest.mark.hookmock(secret=...)`` (a random ``whsec_`` secret without either: give your
    receiver ``stripe.secret``)."""
    from .providers.stripe import Stripe

    provider = Stripe(
        **_provider_settings(request, hookmock_seed, hookmock_settings, STRIPE_MARKER_KEYS)
    )
    _own(request, provider)
    yield provider
    provider.close()


@pytest.fixture
def slack(
    request: pytest.FixtureRequest, hookmock_seed: int, hookmock_settings: dict[str, Any]
) -> Iterator[Slack]:
    """A simulated Slack Events API for this test (:class:`hookmock.Slack`), signing with
    ``$SLACK_SIGNING_SECRET`` or ``@pytest.mark.hookmock(secret=...)`` (a random signing secret
    without either: give your receiver ``slack.secret``).
    """
    from .providers.slack import Slack

    provider = Slack(**_provider_settings(request, hookmock_seed, hookmock_settings))
    _own(request, provider)
    yield provider
    provider.close()


@pytest.fixture
def github(
    request: pytest.FixtureRequest, hookmock_seed: int, hookmock_settings: dict[str, Any]
) -> Iterator[GitHub]:
    """A simulated GitHub for this test (:class:`hookmock.GitHub`): its webhooks are signed with
    ``$GITHUB_WEBHOOK_SECRET`` or ``@pytest.mark.hookmock(secret=...)`` (a random secret without
    either: give your receiver ``github.secret``).
    """
    from .providers.github import GitHub

    settings = _provider_settings(request, hookmock_seed, hookmock_settings)
    # GitHub retries nothing on its own: a setting of the other providers' that does not apply.
    for name in ("retries", "retry_timestamps"):
        settings.pop(name, None)
    provider = GitHub(**settings)
    _own(request, provider)
    yield provider
    provider.close()


def provider_fixture(
    openapi: Any = None,
    *,
    signing: str = "standard-webhooks",
    name: str | None = None,
    **options: Any,
) -> Any:
    """A pytest fixture of a provider made from an OpenAPI document, for a ``conftest.py``::

        acme = hookmock.provider_fixture("openapi.json", secret=os.environ["ACME_SECRET"])

    The fixture is known by the name it is assigned to (``acme``). Each test gets a fresh
    provider (``hookmock.Provider.from_openapi(openapi, signing=signing, ...)``) with its own
    seed and delivery log; ``@pytest.mark.hookmock(...)`` settings apply on top of *options*,
    and a failing test's report lists its deliveries.

    :param openapi: the document: a path (relative paths are from pytest's rootdir) or the
        parsed document; hookmock's example document when omitted.
    :param name: the name its events are known by (default: the document's file name).
    """

    def fixture(
        request: pytest.FixtureRequest, hookmock_seed: int, hookmock_settings: dict[str, Any]
    ) -> Iterator[Provider]:
        from pathlib import Path

        from .engine.simulator import Provider

        source = openapi
        if isinstance(source, str | os.PathLike) and not Path(source).is_absolute():
            source = request.config.rootpath / source
        settings = {**options, **_provider_settings(request, hookmock_seed, hookmock_settings)}
        if source is None:
            from .providers.standard_webhooks.provider import EXAMPLE_DOCUMENT

            source = EXAMPLE_DOCUMENT
        provider = Provider.from_openapi(source, signing=signing, name=name, **settings)
        _own(request, provider)
        yield provider
        provider.close()

    fixture.__doc__ = f"A simulated {signing} provider of {openapi or 'the example document'}."
    return pytest.fixture(fixture)


@pytest.fixture(scope="session")
def _hookmock_server_session() -> Iterator[MockServer]:
    from .providers.zoom import Zoom
    from .server import MockServer

    # Serves each test's zoom once hookmock_server attaches it.
    with MockServer(Zoom(), host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def hookmock_server(zoom: Zoom, _hookmock_server_session: MockServer) -> MockServer:
    """The mock Zoom server, serving this test's ``zoom`` (its subscriptions, deliveries and
    clock) at ``hookmock_server.url`` (also ``zoom.server_url``): Zoom's OAuth token, event
    subscription and recording download endpoints, the control API and the page.

    One server per session (per xdist worker) on 127.0.0.1 and a free port, started when a test
    first asks for it; each test starts with no tokens and no recording files. Events generated
    once it serves the test's ``zoom`` have their download URLs pointing at it.
    """
    _hookmock_server_session.attach(zoom)
    return _hookmock_server_session


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    if call.excinfo is not None and not item.config.getoption("fulltrace", False):
        _hide_own_frames(call.excinfo)
    report = yield
    providers = item.stash.get(_providers, None)
    if providers and report.failed and report.when in ("setup", "call"):
        from .engine.assertions import DESCRIBED
        from .engine.report import describe_log
        from .errors import SubscriptionError

        last = _report_deliveries(item.config)
        # The deliveries the failure message describes in full are listed in one line here.
        error = call.excinfo.value if call.excinfo is not None else None
        shown = list(getattr(error, DESCRIBED, ()))
        if isinstance(error, SubscriptionError):
            shown.append(error.delivery)

        def described(delivery: Any) -> bool:
            return any(delivery is d for d in shown)

        for provider in providers if last else ():
            report.sections.append(
                (
                    f"hookmock: {provider.name} deliveries of {item.nodeid} "
                    f"(test seed {provider.seed})",
                    describe_log(
                        provider.deliveries,
                        body_limit=REPORT_BODY_LIMIT,
                        last=last,
                        described=described,
                    ),
                )
            )
    return report


def _report_deliveries(config: pytest.Config) -> int:
    text = config.getini(REPORT_INI)
    if text in (None, "", []):
        return REPORT_DELIVERIES
    try:
        count = int(str(text))
    except ValueError:
        count = -1
    if count < 0:
        raise pytest.UsageError(
            f"hookmock: {REPORT_INI} must be a number of deliveries (0 for none), got {text!r}"
        )
    return count


def _hide_own_frames(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """A hookmock error or failed assertion is shown from the test's line, not from inside
    hookmock: its own frames say nothing to the person reading the report."""
    from .errors import HookmockError

    if not excinfo.errisinstance((HookmockError, AssertionError)):
        return  # anything else may be a bug in hookmock: keep every frame
    own = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")
    frames: list[TracebackType] = []
    tb: TracebackType | None = excinfo.tb
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    kept = [f for f in frames if not f.tb_frame.f_code.co_filename.startswith(own)]
    if len(kept) == len(frames) or not kept or kept[0] is not frames[0]:
        return
    # The chain itself is relinked: pytest cuts tracebacks by following it, so a filtered copy
    # would not last (tb_next is writable for this kind of use).
    for frame, following in zip(kept, [*kept[1:], None], strict=True):
        frame.tb_next = following
    excinfo.traceback = type(excinfo.traceback)(excinfo.tb)


def conformance_tests(
    target: str,
    *,
    provider: str = "zoom",
    path: str | None = None,
    only: Sequence[str] | None = None,
    events: Sequence[str] | None = None,
    overrides: dict[str, Any] | None = None,
    tolerance: float = 300.0,
    concurrency: int = 10,
    probe: str | Callable[[], int] | None = None,
    probe_event: str | None = None,
) -> Callable[..., None]:
    """One test per conformance check, against a fixture's receiver or a URL::

        test_zoom_conformance = hookmock.conformance_tests("app", path="/zoom/webhook")
        test_sw_conformance = hookmock.conformance_tests(
            "sw_app", provider="standard_webhooks", path="/webhook"
        )

    The battery runs once, in the first of these tests to run (per pytest-xdist worker), with
    that test's fixtures; every test then reports its own check from that run, so root causes
    and baselines are worked out from the whole battery.

    :param target: the name of a fixture that returns a WSGI or ASGI application or a URL (it
        may use the provider's fixture, e.g. for ``zoom.secret_token``), or a URL.
    :param provider: the name of the fixture that gives the provider whose battery runs:
        ``"zoom"``, ``"stripe"``, ``"slack"``, ``"github"``, ``"standard_webhooks"``, or one
        made with :func:`provider_fixture`. For a Standard Webhooks provider the event types are
        known only once its fixture has run, so unless *events* names them, one ``valid-event``
        test covers every ``valid-event:NAME`` check.
    :param probe: a fixture name, or a callable, returning a count of the receiver's side
        effects; the duplicate check then asserts a duplicate is processed once.
    :param probe_event: the event type the duplicate check counts with *probe* (default: the
        battery's first default event, ``meeting.started`` for Zoom).
    Other parameters as :meth:`hookmock.Zoom.check`. A failed warning-severity check emits a
    :class:`HookmockWarning` instead of failing; an inconclusive check is skipped with the
    reason (it never passes).
    """
    from .conformance.base import Family
    from .conformance.checks import battery_checks, select_checks

    if provider == "zoom":
        from .providers.zoom.battery import SUITE
    elif provider == "stripe":
        from .providers.stripe import catalog as stripe_catalog
        from .providers.stripe.battery import SUITE

        # Event names given are looked up in Stripe's catalog.
        stripe_catalog.register()
    elif provider == "slack":
        from .providers.slack.battery import SUITE
        from .providers.slack.catalog import register

        register()
    elif provider == "github":
        from .providers.github.battery import SUITE
        from .providers.github.catalog import register

        register()
    else:
        from .providers.standard_webhooks.battery import SUITE

    if provider in ("zoom", "stripe", "slack", "github"):
        checks = battery_checks(SUITE, provider, events)
    elif events is not None:
        checks = SUITE.build([events] if isinstance(events, str) else list(events))
    else:
        checks = SUITE.build(SUITE.default_events)
    chosen = select_checks(only, checks) if only is not None else list(checks)
    if provider in ("zoom", "stripe", "slack", "github") or events is not None:
        ids = [c.id for c in chosen]
    else:
        # The sender's events are its document's, known once its fixture has run: one test
        # covers them all.
        ids = list(
            dict.fromkeys("valid-event" if c.family is Family.EVENT else c.id for c in chosen)
        )
    build = SUITE.build

    @pytest.mark.parametrize("hookmock_check", ids)
    def test(request: pytest.FixtureRequest, hookmock_check: str) -> None:
        __tracebackhide__ = True
        from .conformance.checks import Verdict
        from .errors import ConfigurationError

        key = f"{request.node.parent.nodeid}::{request.node.originalname}"
        reports = request.config.stash.setdefault(_battery_reports, {})
        if key not in reports:
            sender = request.getfixturevalue(provider)
            suite = getattr(getattr(sender, "adapter", None), "conformance_suite", None)
            if suite is None or suite().build is not build:
                raise ConfigurationError(
                    f"conformance_tests(provider={provider!r}): the fixture {provider!r} gives "
                    f"{type(sender).__name__}, not a provider of that battery; name the fixture "
                    "of a Zoom (provider='zoom'), a Stripe (provider='stripe'), a Slack "
                    "(provider='slack') or a Standard Webhooks sender"
                )
            receiver = target if "://" in target else request.getfixturevalue(target)
            counter = request.getfixturevalue(probe) if isinstance(probe, str) else probe
            reports[key] = sender.check(
                receiver,
                path=path,
                only=ids,
                events=events,
                overrides=overrides,
                tolerance=tolerance,
                concurrency=concurrency,
                probe=counter,
                probe_event=probe_event,
            )
        report = reports[key]
        if hookmock_check == "valid-event":
            events_run = [r for r in report.results if r.family is Family.EVENT]
            order = (Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.WARN, Verdict.PASS)
            result = min(events_run, key=lambda r: order.index(r.outcome))
        else:
            result = report[hookmock_check]
        if result.outcome is Verdict.INCONCLUSIVE:
            pytest.skip(f"{result.id} {result.inconclusive_reason()}")
        if result.outcome is Verdict.WARN:
            import warnings

            warnings.warn(HookmockWarning(f"{result.id}: {result.detail}"), stacklevel=1)
        result.assert_passed()

    test.__doc__ = f"The receiver passes hookmock's conformance battery ({target})."
    return test


class HookmockWarning(UserWarning):
    """A warning-severity conformance check failed."""
