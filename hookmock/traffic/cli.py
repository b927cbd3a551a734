"""The commands ``hookmock record``, ``replay`` and ``validate``: their options and what they
print. :mod:`hookmock.cli` makes the provider from ``--provider``, ``--openapi`` and the secret
options, as for every command, and hands it here."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections import Counter
from typing import Any, TextIO

from ..errors import ConfigurationError
from ..records.masking import mask_url, mask_urls
from ..records.traffic import read_records

__all__ = [
    "EXIT_DIFFERENT",
    "EXIT_SAME",
    "add_record_options",
    "add_replay_options",
    "add_validate_options",
    "record_command",
    "replay_command",
    "validate_command",
]

EXIT_SAME, EXIT_DIFFERENT = 0, 1


def add_record_options(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Forward a real provider's deliveries to a local receiver and record each exchange as "
        "one JSON line: the request with its exact body (signatures masked), the verdict on its "
        "signature with the real secret, the receiver's answer and its time. Point the "
        "provider's subscription at this address through a tunnel. Ctrl-C stops it."
    )
    p.add_argument(
        "--forward",
        required=True,
        metavar="URL",
        help="the local receiver's webhook URL; every delivery is forwarded there",
    )
    p.add_argument(
        "--port", type=int, default=0, help="port to listen on (default: a free one, printed)"
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (127.0.0.1; a tunnel on this machine reaches it there)",
    )
    p.add_argument(
        "--out",
        default="deliveries.jsonl",
        metavar="FILE",
        help="the file the deliveries are appended to, one JSON line each "
        "(default: deliveries.jsonl; - for standard output)",
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=300.0,
        help="seconds a signing timestamp may be off before it is recorded stale (300)",
    )
    p.add_argument(
        "--deadline",
        type=float,
        help="seconds to wait for the receiver before answering the provider 504 (default: "
        "the provider's deadline plus 30, so that a late answer is recorded too)",
    )
    p.add_argument("--cafile", help="a CA bundle to trust for an https:// receiver")
    p.add_argument("--insecure", action="store_true", help="do not verify the TLS certificate")
    p.add_argument(
        "--quiet", "-q", action="store_true", help="no line per delivery on standard error"
    )


def add_replay_options(p: argparse.ArgumentParser) -> None:
    from ..engine.replay import ORDERS

    p.description = (
        "Send recorded deliveries (a file written by hookmock record) to a receiver: each body "
        "byte for byte, signed anew with the given secret and the current time. Exit 0 when "
        "every one was acknowledged in time, 1 when one was not, 2 for usage errors or an "
        "unreachable receiver."
    )
    p.add_argument("file", help="the recorded deliveries (JSON lines)")
    p.add_argument("--url", required=True, help="the receiver's webhook URL")
    p.add_argument(
        "--order",
        default="recorded",
        choices=list(ORDERS),
        help="; ".join(f"{name}: {about}" for name, about in ORDERS.items())
        + " (default: recorded)",
    )
    p.add_argument(
        "--event",
        dest="events",
        action="append",
        metavar="NAME",
        help="replay only the deliveries of this event; repeatable",
    )
    p.add_argument(
        "--seed", type=int, help="the seed --order shuffled shuffles by (default: random)"
    )


def add_validate_options(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Hold recorded deliveries (a file written by hookmock record) against the catalog's "
        "schemas and list what they have that the catalog lacks: unknown event types, unknown "
        "fields, other types, values outside enums, missing required fields, counted over the "
        "deliveries. Exit 0 when nothing differs, 1 when something does, 2 when the file is "
        "not a recording."
    )
    p.add_argument("file", help="the recorded deliveries (JSON lines)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")


def _open_out(path: str) -> tuple[TextIO, bool]:
    if path == "-":
        return sys.stdout, False
    try:
        # Appended: a recording goes on where the last one stopped; each line stands alone.
        return open(path, "a", encoding="utf-8"), True
    except OSError as error:
        raise ConfigurationError(f"--out {path!r}: cannot write it ({error.strerror})") from None


def record_command(
    args: argparse.Namespace,
    out: TextIO,
    *,
    provider: Any,
    secrets: list[str],
    stop: threading.Event | None = None,
) -> int:
    """Run ``hookmock record`` until Ctrl-C (or until *stop* is set); return 0."""
    from .recorder import Recorder

    if not 0 <= args.port <= 65535:
        raise ConfigurationError(
            f"--port must be from 0 to 65535 (0: any free port), got {args.port}"
        )
    sink, close = _open_out(args.out)
    to_stdout = sink is sys.stdout
    talk = sys.stderr if to_stdout else out
    try:
        recorder = Recorder(
            provider,
            args.forward,
            secrets=secrets,
            out=out if to_stdout else sink,
            host=args.host,
            port=args.port,
            tolerance=args.tolerance,
            deadline=args.deadline,
            echo=None if args.quiet else talk,
            cafile=args.cafile,
            verify_tls=not args.insecure,
        )
    except BaseException:
        if close:
            sink.close()
        raise
    if recorder.verify.checks:
        verified = "each verified with the secret"
    elif secrets:
        verified = (
            f"not verified ({provider.name} signs more than the body and a timestamp: hookmock "
            "cannot check its signatures here)"
        )
    else:
        how = f" or set {provider.secret_env}" if provider.secret_env else ""
        verified = f"not verified (no secret given: pass --secret{how})"
    where = "standard output" if to_stdout else args.out
    stop = stop or threading.Event()
    try:
        with recorder:
            print(recorder.url, file=talk, flush=True)
            print(
                f"hookmock record: {provider.name} deliveries to {recorder.url} are forwarded to "
                f"{mask_url(args.forward)} and recorded to {where}, {verified}; Ctrl-C stops it",
                file=talk,
                flush=True,
            )
            try:
                while not stop.wait(0.25):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        if close:
            sink.close()
    noun = "delivery" if recorder.count == 1 else "deliveries"
    print(f"hookmock record: {recorder.count} {noun} recorded to {where}", file=talk, flush=True)
    return 0


def replay_command(args: argparse.Namespace, out: TextIO, *, provider: Any, target: Any) -> int:
    """Run ``hookmock replay``: 0 when every delivery was acknowledged, 1 when one was not, 2
    when the receiver could not be reached."""
    from ..engine.subscription import Subscription
    from ..records.outcome import Outcome

    records = read_records(args.file)
    subscription = Subscription(id="cli", name="--url", target=target, events=None)
    deliveries = provider.replay(records, to=subscription, order=args.order, events=args.events)
    unnamed = sum(r.event is None for r in records) if args.events is None else 0
    for delivery in deliveries:
        status = delivery.status if delivery.status is not None else "-"
        print(
            f"{delivery.event.name} → {mask_url(args.url)}: {status} in "
            f"{delivery.elapsed * 1000:.1f} ms ({delivery.outcome.value})",
            file=out,
        )
        if delivery.error:
            print(f"  {mask_urls(delivery.error.strip().splitlines()[-1])}", file=out)
        if args.verbose:
            print(delivery.describe(body_limit=2000), file=out)
    outcomes = Counter(d.outcome.value for d in deliveries)
    acknowledged = outcomes.get(Outcome.ACKNOWLEDGED.value, 0)
    others = ", ".join(
        f"{count} {name}" for name, count in outcomes.most_common() if name != "acknowledged"
    )
    total = len(deliveries)
    noun = "delivery" if total == 1 else "deliveries"
    print(
        f"replayed {total} {noun} from {args.file} in {args.order} order: "
        f"{acknowledged} acknowledged"
        + (f", {others}" if others else "")
        + (f"; {unnamed} naming no event not replayed" if unnamed else ""),
        file=out,
    )
    if deliveries and all(d.outcome is Outcome.CONNECTION_ERROR for d in deliveries):
        return 2
    return 0 if acknowledged == total else 1


def validate_command(args: argparse.Namespace, out: TextIO, *, provider: str) -> int:
    """Run ``hookmock validate``: 0 when nothing differs, 1 when something does.

    :raises RecordFileError: when the file is not a recording (exit status 2).
    """
    from .validate import render_text, to_dict, validate_records

    result = validate_records(read_records(args.file), provider)
    if args.json:
        out.write(json.dumps(to_dict(result, args.file), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_text(result, args.file))
    return EXIT_DIFFERENT if result.differences else EXIT_SAME
