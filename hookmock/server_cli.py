"""``hookmock serve``: the mock Zoom server from the command line (see :mod:`hookmock.server`).

Kept apart from :mod:`hookmock.server` so that building the CLI's parser imports no werkzeug.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from typing import Any, TextIO

from .errors import ConfigurationError

__all__ = ["add_serve_parser", "serve_command"]

# -- hookmock serve -----------------------------------------------------------------------------

CLIENT_ID_ENV = "ZOOM_CLIENT_ID"
CLIENT_SECRET_ENV = "ZOOM_CLIENT_SECRET"
ACCOUNT_ID_ENV = "ZOOM_ACCOUNT_ID"


def add_serve_parser(subparsers: Any) -> None:
    """Add ``hookmock serve`` to the CLI's subcommands."""
    serve = subparsers.add_parser(
        "serve",
        help="run a mock Zoom server: OAuth, event subscriptions, recording downloads",
        description="Serve a simulated Zoom until interrupted: POST /oauth/token, the event "
        "subscription API (/v2/marketplace/app/event_subscription), recording downloads, a "
        "control API under /_hookmock/ (see /_hookmock/openapi.json) and a page at /. The "
        "first line printed is the base URL.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=0, help="port to listen on (0, the default: any free port)"
    )
    serve.add_argument("--secret-token", help="the app's webhook secret token")
    serve.add_argument("--seed", type=int, help="seed of the generated values (default: random)")
    serve.add_argument("--deadline", type=float, default=3.0, help="seconds to wait (3)")
    serve.add_argument(
        "--log",
        metavar="FILE",
        help="append every delivery attempt to FILE as one JSON line, as it happens",
    )
    serve.add_argument(
        "--client-id",
        help=f"the OAuth client id to accept (default: ${CLIENT_ID_ENV}, else hookmock-client-id)",
    )
    serve.add_argument(
        "--client-secret",
        help=f"the OAuth client secret to accept (default: ${CLIENT_SECRET_ENV}, else "
        "hookmock-client-secret)",
    )
    serve.add_argument(
        "--account-id",
        help=f"the account grant_type=account_credentials must name (default: "
        f"${ACCOUNT_ID_ENV}, else any)",
    )


def serve_command(
    args: argparse.Namespace, out: TextIO, *, stop: threading.Event | None = None
) -> int:
    """Run ``hookmock serve``: print the base URL, serve until SIGINT or SIGTERM (or until
    *stop* is set), shut down cleanly, return 0."""
    from .providers.zoom import SECRET_TOKEN_ENV, Zoom
    from .server import MockZoomServer

    secret = args.secret_token or os.environ.get(SECRET_TOKEN_ENV)
    if not secret:
        raise ConfigurationError(
            f"no secret token: pass --secret-token TOKEN or set {SECRET_TOKEN_ENV} (the token "
            "your receiver verifies signatures with)"
        )
    zoom = Zoom(secret_token=secret, seed=args.seed, deadline=args.deadline)
    log = None
    if args.log:
        try:
            log = open(args.log, "a", encoding="utf-8")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise ConfigurationError(f"cannot write {args.log!r}: {error.strerror}") from None
    stop = stop or threading.Event()
    restore: dict[signal.Signals, Any] = {}
    try:
        server = MockZoomServer(
            zoom,
            host=args.host,
            port=args.port,
            client_id=args.client_id or os.environ.get(CLIENT_ID_ENV),
            client_secret=args.client_secret or os.environ.get(CLIENT_SECRET_ENV),
            account_id=args.account_id or os.environ.get(ACCOUNT_ID_ENV),
            log=log,
        )
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                restore[signum] = signal.signal(signum, lambda *_: stop.set())
        with server:
            print(server.url, file=out, flush=True)
            print(
                f"hookmock serve: a mock Zoom (seed {zoom.seed}): OAuth at "
                f"{server.url_for('/oauth/token')} (client id {server.client_id!r}), event "
                f"subscriptions at {server.url_for('/v2/marketplace/app/event_subscription')}, "
                f"control API at {server.url_for('/_hookmock/')}, page at {server.url}/ ; "
                "Ctrl-C stops it",
                file=out,
                flush=True,
            )
            while not stop.wait(0.25):
                pass
    finally:
        for signum, handler in restore.items():
            signal.signal(signum, handler)
        if log is not None:
            log.close()
    return 0
