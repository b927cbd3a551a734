"""``hookmock serve``: the mock server from the command line (see :mod:`hookmock.server`), for
the provider the command line names, which it is given (the wiring, :mod:`hookmock.cli`, picks
it and the default one); it knows no provider. The options of a provider's own endpoints come
from the provider (:class:`~hookmock.server.state.ServerOption`).
"""

from __future__ import annotations

import argparse
import math
import os
import select
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import ConfigurationError
from .openapi import title
from .state import ServerOption, extension_of

if TYPE_CHECKING:
    from ..engine.simulator import Provider

__all__ = ["add_serve_parser", "serve_command"]

# -- hookmock serve -----------------------------------------------------------------------------

CONTROL_TOKEN_ENV = "HOOKMOCK_CONTROL_TOKEN"
#: How many delivery attempts ``hookmock serve`` keeps in full (15 to 40 MB, by event size).
DEFAULT_MAX_DELIVERIES = 10_000


def _seconds(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds above *low* and at most *high*."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low < value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a number of seconds above {low:g} and at most {high:g}, got {text!r}"
            )
        return value

    return parse


def _seed(text: str) -> int:
    """An argparse type: a seed the control API can also name (0 to 2**63 - 1)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {2**63 - 1}, got {text!r}"
        )
    return value


def _count(text: str) -> int:
    """An argparse type: a whole number of deliveries, at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of deliveries, at least 1, got {text!r}"
        )
    return value


def add_serve_parser(subparsers: Any, providers: Sequence[type[Provider]] = ()) -> None:
    """Add ``hookmock serve`` to the CLI's subcommands, with the options of the own endpoints of
    each of *providers* (:class:`~hookmock.server.state.ServerOption`), in a group per provider.
    """
    serve = subparsers.add_parser(
        "serve",
        help="run a mock provider server (its own endpoints, a control API and a page)",
        description="Serve a simulated provider until interrupted: a control API under "
        "/_hookmock/ (subscribe a receiver, trigger events, read deliveries, move time, script "
        "faults; see /_hookmock/openapi.json), a page at /, and the provider's own endpoints "
        "where it has some (an OAuth token, a subscription API, downloads). The first line "
        "printed is the base URL; then one line per delivery attempt on stderr.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=0, help="port to listen on (0, the default: any free port)"
    )
    serve.add_argument(
        "--secret-token",
        help="the signing secret your receiver verifies with (default: the provider's "
        "environment variable)",
    )
    serve.add_argument("--seed", type=_seed, help="seed of the generated values (default: random)")
    serve.add_argument(
        "--deadline",
        type=_seconds(0, 3600),
        default=None,
        help="seconds a receiver has to answer a delivery (default: the provider's)",
    )
    serve.add_argument(
        "--read-timeout",
        type=_seconds(0, 3600),
        default=10.0,
        help="seconds a client's connection may stay silent before it is closed (10)",
    )
    serve.add_argument(
        "--max-deliveries",
        type=_count,
        default=DEFAULT_MAX_DELIVERIES,
        metavar="N",
        help=f"keep the last N delivery attempts in full for the control API and the page; "
        f"earlier ones are counted, not kept ({DEFAULT_MAX_DELIVERIES:,}; --log keeps every "
        "one)",
    )
    serve.add_argument(
        "--log",
        metavar="FILE",
        help="append every delivery attempt to FILE as one JSON line, as it happens",
    )
    serve.add_argument(
        "--quiet",
        action="store_true",
        help="print no line on stderr for each delivery attempt",
    )
    serve.add_argument(
        "--control-token",
        help=f"require this token in the X-Hookmock-Control-Token header of control requests, "
        f"on a machine others use too (default: ${CONTROL_TOKEN_ENV}, else none); the page "
        "takes it as /#token=TOKEN",
    )
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests addressed to NAME or NAME:PORT (a proxy's or a container's "
        "name); other Host headers are refused. Repeatable",
    )
    # Each provider's own options, once per flag: the first provider to declare one owns it.
    owners: dict[str, tuple[str, ServerOption]] = {}
    for provider in providers:
        options = [o for o in extension_of(provider).options if o.flag not in owners]
        if not options:
            continue
        shown = title(provider)
        group = serve.add_argument_group(f"{shown}'s own endpoints (--provider {provider.name})")
        for option in options:
            owners[option.flag] = (shown, option)
            env = f"${option.env}, else " if option.env else ""
            group.add_argument(
                option.flag,
                dest=_dest(option),
                metavar=option.keyword.upper(),
                help=f"{option.help} (default: {env}{option.default})",
            )
    serve.set_defaults(provider_options=owners)


def _dest(option: ServerOption) -> str:
    return "provider_option_" + option.keyword


def _provider_options(provider: type[Provider], args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of the server that the options of *provider*'s own endpoints set
    (the command line's, else their environment variables); the options of another provider's
    endpoints are refused."""
    own = {option.flag for option in extension_of(provider).options}
    owners: dict[str, tuple[str, ServerOption]] = getattr(args, "provider_options", None) or {}
    refused = [
        (flag, owner)
        for flag, (owner, option) in owners.items()
        if flag not in own and getattr(args, _dest(option), None)
    ]
    if refused:
        flags = ", ".join(flag for flag, _ in refused)
        whose = ", ".join(sorted({owner for _, owner in refused}))
        raise ConfigurationError(
            f"{flags}: an option of {whose}'s own endpoints; the mock {title(provider)} server has "
            "no such endpoint (subscribe with POST /_hookmock/subscriptions)"
        )
    found: dict[str, Any] = {}
    for option in extension_of(provider).options:
        value = getattr(args, _dest(option), None) or (option.env and os.environ.get(option.env))
        if value:
            found[option.keyword] = value
    return found


class _Signals:
    """SIGINT and SIGTERM turned into a wake-up of the main thread, with no lock taken in the
    handler: the handler only sets a flag, and Python's C-level handler writes to a socket that
    the main thread waits on (``signal.set_wakeup_fd``).

    A handler that set a :class:`threading.Event` would deadlock when the signal arrives while
    the main thread holds that event's lock inside ``wait()``.
    """

    def __init__(self) -> None:
        self.received = False
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous: dict[signal.Signals, Any] = {}
        self._previous_fd = -1

    def install(self) -> None:
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        self.received = True

    def wait(self, stop: threading.Event) -> None:
        """Return once a signal arrived or *stop* is set (read without its lock)."""
        while not self.received and not stop.is_set():
            select.select([self._reader], [], [], 0.25)
            try:
                while self._reader.recv(512):
                    pass
            except BlockingIOError:
                continue

    def restore(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        if self._previous:
            signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()


def serve_command(
    args: argparse.Namespace,
    out: TextIO,
    *,
    provider: type[Provider],
    stop: threading.Event | None = None,
) -> int:
    """Run ``hookmock serve``: print the base URL, serve until SIGINT or SIGTERM (or until
    *stop* is set), shut down within about a second, return 0.

    :param provider: the class of the provider to serve (the command line's ``--provider``, or
        the default the wiring picks). ``args.openapi``, when set, is given to it.
    """
    from . import MockServer

    own_options = _provider_options(provider, args)
    secret = args.secret_token or (provider.secret_env and os.environ.get(provider.secret_env))
    if not secret:
        if provider.secret_option == "secret_token":
            what, how = "secret token", "--secret-token TOKEN"
        else:
            what, how = "secret", "--secret SECRET"
        raise ConfigurationError(
            f"no {what}: pass {how} or set {provider.secret_env} (the {what.split()[-1]} "
            "your receiver verifies signatures with)"
        )
    options: dict[str, Any] = {provider.secret_option: secret}
    openapi = getattr(args, "openapi", None)
    if openapi is not None:
        options["openapi"] = openapi
    served = provider(
        **options,
        seed=args.seed,
        deadline=args.deadline,
        max_deliveries=args.max_deliveries,
    )
    log = None
    if args.log:
        try:
            log = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise ConfigurationError(f"cannot write {args.log!r}: {error.strerror}") from None
    control_token = args.control_token or os.environ.get(CONTROL_TOKEN_ENV) or None
    stop = stop or threading.Event()
    signals = _Signals() if threading.current_thread() is threading.main_thread() else None
    try:
        server = MockServer(
            served,
            host=args.host,
            port=args.port,
            log=log,
            echo=None if args.quiet else sys.stderr,
            read_timeout=args.read_timeout,
            control_token=control_token,
            allowed_hosts=args.allow_host,
            **own_options,
        )
        if signals is not None:
            signals.install()
        with server:
            print(server.url, file=out, flush=True)
            guarded = " (with its control token)" if control_token else ""
            describe = server.extension.describe
            endpoints = (
                describe(server)
                if describe is not None
                else f"subscriptions at POST {server.url_for('/_hookmock/subscriptions')}"
            )
            print(
                f"hookmock serve: a mock {title(served)} (seed {served.seed}): {endpoints}, "
                f"control API at {server.url_for('/_hookmock/')}"
                f"{guarded}, page at {server.url}/ ; Ctrl-C stops it",
                file=out,
                flush=True,
            )
            if signals is not None:
                signals.wait(stop)
            else:
                while not stop.wait(0.25):
                    pass
    finally:
        if signals is not None:
            signals.restore()
        if log is not None:
            log.close()
    return 0
