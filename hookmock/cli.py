"""The ``hookmock`` command: argument parsing and printing around the library.

Exit status: 0 success, 1 the receiver failed, 2 a usage or connection error.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
import time
from collections.abc import Callable, Sequence

from .errors import ConfigurationError, HookmockError

# Each command imports what it needs when it runs, so that `hookmock --help` costs little more
# than Python's own start-up; not even typing or json is imported for it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

EXIT_OK, EXIT_RECEIVER_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser, with the options of *command* only: the other commands are
    listed with their one-line help, which is all ``hookmock --help`` shows of them."""
    parser = argparse.ArgumentParser(
        prog="hookmock",
        description="A simulated webhook provider (Zoom, or any Standard Webhooks sender and "
        "the events of its OpenAPI document): fake, sign and deliver events offline.",
        epilog="The secret may come from $ZOOM_WEBHOOK_SECRET_TOKEN (Zoom) or "
        "$STANDARD_WEBHOOKS_SECRET (standard-webhooks); it is never printed.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    # argparse calls parser_class(**options): a function that makes one serves (typeshed asks
    # for a class).
    sub = parser.add_subparsers(  # type: ignore[call-overload]
        dest="command", required=True, metavar="COMMAND", parser_class=_subparser
    )
    for name, (about, add_options) in _PARSERS.items():
        if name != command:
            sub.add_parser(name, help=about, unused=True)
        elif add_options is not None:
            add_options(sub.add_parser(name, help=about, formatter_class=_Formatter))
        elif name == "serve":
            # Defined beside the server, in a module that imports sockets and threads.
            from .providers import PROVIDERS, provider_class
            from .server.cli import add_serve_parser

            add_serve_parser(sub, [provider_class(known) for known in PROVIDERS])
            serve = sub.choices["serve"]
            serve.add_argument("--secret", dest="secret_token", help="the same as --secret-token")
            _provider_options(serve)
        else:
            from .providers.zoom.schemadiff import add_schema_diff_parser

            add_schema_diff_parser(sub)
            _provider_options(sub.choices["schema-diff"], zoom_only=True)
    return parser


class _Unused:
    """Stands for the parser of a command the command line does not name: ``hookmock --help``
    lists it, and an unknown command's error names it, from its entry in the sub-parsers
    action, so its parser (a few hundred microseconds each) is never made."""

    def __init__(self, prog: str) -> None:
        self.prog = prog


def _subparser(*, unused: bool = False, **options: Any) -> argparse.ArgumentParser | _Unused:
    """A command's parser (argparse's ``parser_class``); :class:`_Unused` for one not named."""
    if unused:
        return _Unused(options["prog"])
    return argparse.ArgumentParser(**options)


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, as wide as the terminal: argparse finds the width with
    shutil, which imports the compression modules; this reads it as shutil does, without."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24) -> None:
        super().__init__(prog, indent_increment, max_help_position, width=_help_width())


def _help_width() -> int:
    # shutil.get_terminal_size's order: $COLUMNS, the terminal of standard output, 80.
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


def _command_named(argv: Sequence[str]) -> str | None:
    """The command *argv* names: its first word that is not an option (the ``hookmock``
    command's own options, ``--help`` and ``--version``, take no value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def _provider_options(p: argparse.ArgumentParser, *, zoom_only: bool = False) -> None:
    """``--provider`` and ``--openapi``; a command that simulates Zoom only takes them too, to
    say so when they name something else."""
    from .providers import PROVIDERS

    names = ", ".join(PROVIDERS)
    if zoom_only:
        p.add_argument(
            "--provider",
            metavar="NAME",
            help=f"the provider to simulate; this command simulates zoom only (known: {names})",
        )
        p.add_argument(
            "--openapi", metavar="FILE", help="not taken: this command simulates zoom only"
        )
        return
    p.add_argument(
        "--provider",
        metavar="NAME",
        help=f"the provider to simulate: {names} (default: zoom, or standard-webhooks with "
        "--openapi)",
    )
    p.add_argument(
        "--openapi",
        metavar="FILE_OR_URL",
        help="an OpenAPI 3.1 document (JSON or YAML; a path or an http(s):// URL) whose webhooks "
        "are the events; implies "
        "--provider standard-webhooks (default for it: hookmock's example document)",
    )


def _secret_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--secret",
        "--secret-token",
        dest="secrets",
        action="append",
        metavar="SECRET",
        help="the signing secret your receiver verifies with: Zoom's secret token, or a "
        "standard-webhooks whsec_ secret or whsk_ key (repeat it for a rotation: one signature "
        "each); default: $ZOOM_WEBHOOK_SECRET_TOKEN or $STANDARD_WEBHOOKS_SECRET",
    )


def _events_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("prefix", nargs="?", default="", help="only names starting with this")
    p.add_argument(
        "--source",
        action="store_true",
        help="also print how each schema was made, after a tab: hand-written, converted (from "
        "Zoom's OpenAPI document), inferred (from an example body) or minimal; openapi for the "
        "events of an --openapi document",
    )
    _provider_options(p)


def _schema_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("event")
    _provider_options(p)


def _generation_options(p: argparse.ArgumentParser, *, body: bool = False) -> None:
    if body:
        p.add_argument(
            "event",
            nargs="?",
            help="event name, e.g. meeting.started (with --body: read from the body when left out)",
        )
    else:
        p.add_argument("event", help="event name, e.g. meeting.started")
    _provider_options(p)
    p.add_argument("--seed", type=int, help="seed of the generated values (default: random)")
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field by dotted path (payload.object.topic=Q3); VALUE is read as "
        "JSON when it parses, else as a string; repeatable. The path must name a field of "
        "the event's schema",
    )
    p.add_argument(
        "--add",
        dest="adds",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="like --set, for a field the event's schema does not know; repeatable",
    )
    p.add_argument(
        "--time",
        type=float,
        metavar="UNIX_SECONDS",
        help="the provider clock's reading that event_ts and payload times derive from "
        "(default: now); the same --seed and --time give the same bytes",
    )
    p.add_argument(
        "--serialization",
        default=None,
        help="how the body bytes are written: zoom (compact, Zoom's), pretty, ascii, "
        "escaped-slashes, spaced, sorted-keys (default: the provider's own)",
    )
    p.add_argument(
        "--no-validate", action="store_true", help="allow overrides that break the schema"
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="every field the schema declares, also those real deliveries often leave out",
    )


def _trigger_options(p: argparse.ArgumentParser) -> None:
    _generation_options(p, body=True)
    p.add_argument("--url", required=True, help="the receiver's webhook URL")
    p.add_argument(
        "--body",
        metavar="FILE",
        help="send these bytes as they are (a recorded or hand-written body; - for standard "
        "input) instead of a generated event, signed anew",
    )
    _secret_options(p)
    _delivery_options(p)


def _delivery_options(p: argparse.ArgumentParser) -> None:
    """What a command that delivers to a URL takes: the deadline, TLS trust, verbosity."""
    p.add_argument(
        "--deadline",
        type=float,
        help="seconds to wait (default: the provider's: zoom 3, standard-webhooks 15)",
    )
    p.add_argument("--cafile", help="a CA bundle to trust for https:// (a test CA)")
    p.add_argument("--insecure", action="store_true", help="do not verify the TLS certificate")
    p.add_argument(
        "--verbose", "-v", action="store_true", help="also print each request and response"
    )


def _check_options(p: argparse.ArgumentParser) -> None:
    p.description = (
        "Send a receiver what the provider (Zoom by default) sends and what an attacker sends, "
        "and grade its answers. Exit 0 when no error-severity check failed, 1 when one did, 2 "
        "for usage errors or an unreachable endpoint."
    )
    p.add_argument("url", help="the receiver's webhook URL")
    _provider_options(p)
    _secret_options(p)
    p.add_argument(
        "--tolerance", type=float, default=300.0, help="the timestamp window in seconds (300)"
    )
    p.add_argument(
        "--deadline",
        type=float,
        help="seconds to wait (default: the provider's: zoom 3, standard-webhooks 15)",
    )
    p.add_argument(
        "--concurrency", type=int, default=10, help="deliveries at once in the load check (10)"
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="CHECK",
        help="run only this check (and what it needs for a baseline); repeatable",
    )
    p.add_argument(
        "--event",
        dest="events",
        action="append",
        metavar="NAME",
        help="an event type to send correctly signed, one valid-event:NAME check each; "
        "repeatable (default: the battery's; for zoom meeting.started, meeting.ended, "
        "meeting.participant_joined, meeting.participant_left, recording.completed, "
        "recording.transcript_completed)",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="set a field by dotted path in every event sent (payload.object.topic=Q3); VALUE "
        "is read as JSON when it parses, else as a string; repeatable",
    )
    p.add_argument(
        "--probe-url",
        metavar="URL",
        help="a URL answering the receiver's count of processed events (a number, or JSON with "
        "one number), read before and after the duplicates to check they are processed once",
    )
    p.add_argument(
        "--probe-event",
        metavar="NAME",
        help="the event type the probe counts (default: the battery's first event; for zoom "
        "meeting.started)",
    )
    p.add_argument(
        "--fuzz",
        type=int,
        default=0,
        metavar="N",
        help="add the fuzz-valid-events check: N schema-valid variations of the events, each to "
        "be acknowledged within the deadline; a failure shows the shrunk body and the field "
        "(needs hookmock[fuzz])",
    )
    p.add_argument(
        "--fuzz-seed",
        type=int,
        metavar="S",
        help="the fuzzing's seed, printed with its result (default: the --seed)",
    )
    p.add_argument("--seed", type=int, help="seed of the generated values (default: random)")
    p.add_argument("--report-json", metavar="FILE", help="write the report as JSON")
    p.add_argument("--junit-xml", metavar="FILE", help="write one JUnit testcase per check")
    p.add_argument("--cafile", help="a CA bundle to trust for https:// (a test CA)")
    p.add_argument("--insecure", action="store_true", help="do not verify the certificate")


def _scenario_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "name", nargs="?", help="the scenario (Zoom's: meeting, webinar or user; --list lists them)"
    )
    p.add_argument(
        "params", nargs="*", metavar="KEY=VALUE", help="scenario parameters (participants=5)"
    )
    p.add_argument("--seed", type=int, help="seed of the generated values")
    p.add_argument(
        "--time", type=float, metavar="UNIX_SECONDS", help="the provider clock's start (now)"
    )
    p.add_argument("--summary", action="store_true", help="a timeline instead of the bodies")
    p.add_argument("--list", action="store_true", help="list the scenarios")
    _provider_options(p)


def _record_options(p: argparse.ArgumentParser) -> None:
    from .traffic.cli import add_record_options

    add_record_options(p)
    _provider_options(p)
    _secret_options(p)


def _replay_options(p: argparse.ArgumentParser) -> None:
    from .traffic.cli import add_replay_options

    add_replay_options(p)
    _provider_options(p)
    _secret_options(p)
    _delivery_options(p)


def _validate_options(p: argparse.ArgumentParser) -> None:
    from .traffic.cli import add_validate_options

    add_validate_options(p)
    _provider_options(p)


def _load_options(p: argparse.ArgumentParser) -> None:
    from .load.command import add_load_options

    add_load_options(p)
    _secret_options(p)
    _provider_options(p)


def _sign_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="the body (default: standard input)")
    _provider_options(p)
    _secret_options(p)
    p.add_argument(
        "--timestamp",
        help="the signing timestamp in Unix seconds, x-zm-request-timestamp or "
        "webhook-timestamp (default: now)",
    )


#: Each command, in the order ``hookmock --help`` lists them: its one-line help, and what adds
#: its options to its parser; None for ``serve`` and ``schema-diff``, whose parsers are defined
#: beside them (with the same help as here, which a test checks).
_PARSERS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None] | None]] = {
    "events": ("list the event names hookmock can generate", _events_options),
    "schema": ("print an event's JSON Schema", _schema_options),
    "fake": ("print a generated event body", _generation_options),
    "trigger": ("send one signed event to a URL", _trigger_options),
    "check": ("grade a live receiver: the conformance battery against a URL", _check_options),
    "scenario": (
        "print the events of a coherent scenario (Zoom's meeting, GitHub's pull_request...)",
        _scenario_options,
    ),
    "sign": ("print the provider's signed headers for a body (Zoom's by default)", _sign_options),
    "serve": (
        "run a mock provider server (its own endpoints, a control API and a page)",
        None,
    ),
    "schema-diff": (
        "compare hookmock's schemas with a newer Zoom OpenAPI webhooks document",
        None,
    ),
    "record": (
        "forward a real provider's deliveries to a local receiver and record them (JSON lines)",
        _record_options,
    ),
    "replay": ("send recorded deliveries to a URL, signed anew", _replay_options),
    "validate": (
        "check recorded deliveries against the catalog's schemas: what reality has that it lacks",
        _validate_options,
    ),
    "load": (
        "load a receiver with Locust: many users sending a provider's signed deliveries",
        _load_options,
    ),
}


def _version() -> str:
    from . import __version__

    return f"hookmock {__version__}"


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run the command line; return the exit status.

    Standard output and error (and *stdout*) are switched to replacing what their encoding
    cannot represent, so that no command fails for printing a character.
    """
    out = stdout or sys.stdout
    # Event names, topics and arrows are Unicode; a console that cannot encode a character gets
    # a replacement for it rather than a crash after the event was sent.
    for stream in {id(s): s for s in (out, sys.stdout, sys.stderr)}.values():
        _replace_unencodable(stream)
    words = sys.argv[1:] if argv is None else argv
    parser = _parser(_command_named(words))
    try:
        # argparse prints --help and --version to sys.stdout; send them where the caller asked.
        with contextlib.redirect_stdout(out):
            args = parser.parse_args(words)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        _check_values(args)
        _check_zoom_only(args)
        handler = _COMMANDS[args.command]
        return handler(args, out)
    except (_UsageError, HookmockError, ValueError) as exc:
        print(f"hookmock {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`hookmock events | head`): exit quietly, as Unix tools do.
        # Python's docs recommend pointing stdout at devnull so the flush at exit cannot fail.
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_RECEIVER_FAILED


def _replace_unencodable(stream: TextIO) -> None:
    reconfigure = getattr(stream, "reconfigure", None)
    # surrogateescape (a C locale's) only round-trips undecodable bytes: it fails on "→" too.
    if reconfigure is not None and getattr(stream, "errors", None) in ("strict", "surrogateescape"):
        with contextlib.suppress(ValueError):  # a closed or detached stream
            reconfigure(errors="replace")


#: The latest --time accepted: 9999-12-31T23:59:59Z, the last second a payload time can show.
MAX_TIME = 253_402_300_799.0
#: The longest --deadline accepted, in seconds (Zoom waits 3).
MAX_DEADLINE = 3600.0
#: The widest --tolerance accepted, in seconds (a year; the usual window is 300).
MAX_TOLERANCE = 366 * 86400.0
#: The most deliveries at once --concurrency accepts.
MAX_CONCURRENCY = 1000
#: The most segments a --set path may have, and the deepest a --set value may nest; Zoom's
#: bodies nest about ten levels.
MAX_PATH_SEGMENTS = 32
MAX_VALUE_DEPTH = 32


def _number(option: str, value: float, low: float, high: float, *, above: bool = False) -> None:
    """Reject a non-finite or out-of-range value of *option*, saying which values it takes."""
    if math.isfinite(value) and (value > low if above else value >= low) and value <= high:
        return
    unit, example = _UNITS[option]
    lowest = f"above {low:g}" if above else f"at least {low:g}"
    raise _UsageError(
        f"{option} must be a finite number{unit}, {lowest} and at most {high:.0f}, got "
        f"{value!r}; e.g. {option} {example}"
    )


_UNITS = {
    "--deadline": (" of seconds", "3"),
    "--tolerance": (" of seconds", "300"),
    "--time": (" of Unix seconds", "1720705455"),
    "--concurrency": ("", "10"),
}


def _check_values(args: argparse.Namespace) -> None:
    """Check option values argparse accepts but hookmock cannot use (``inf``, ``nan``, a time
    past year 9999, a CA file that is not one), naming the option and how to fix it."""
    if getattr(args, "deadline", None) is not None and args.command in (
        "trigger",
        "check",
        "record",
        "replay",
    ):
        _number("--deadline", args.deadline, 0.0, MAX_DEADLINE, above=True)
    if getattr(args, "tolerance", None) is not None:
        _number("--tolerance", args.tolerance, 0.0, MAX_TOLERANCE)
    if getattr(args, "concurrency", None) is not None:
        _number("--concurrency", args.concurrency, 1, MAX_CONCURRENCY)
    if getattr(args, "time", None) is not None:
        _number("--time", args.time, 0.0, MAX_TIME)
    if getattr(args, "cafile", None) is not None:
        _check_cafile(args.cafile)


def _check_cafile(path: str) -> None:
    fix = "give the CA's certificate as a PEM file (with trustme: ca.cert_pem.write_to_path(path))"
    if os.path.isdir(path):
        raise _UsageError(f"--cafile {path!r} is a directory; {fix}")
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError as exc:
        raise _UsageError(f"--cafile {path!r}: cannot read it ({exc.strerror}); {fix}") from None
    if b"-----BEGIN CERTIFICATE-----" not in head:
        raise _UsageError(
            f"--cafile {path!r} holds no PEM certificate (no -----BEGIN CERTIFICATE----- line); "
            f"{fix}"
        )


def _http_target(option: str, args: argparse.Namespace) -> Any:
    """The receiver's :class:`~hookmock.transports.HTTPTarget`; a bad URL or CA file is a usage
    error naming *option*."""
    from .transports import HTTPTarget

    try:
        return HTTPTarget(args.url, verify=not args.insecure, cafile=args.cafile)
    except ConfigurationError as exc:
        raise _UsageError(f"{option}: {exc}") from None


#: The commands that simulate Zoom only, and why.
ZOOM_ONLY = {
    "schema-diff": "it compares hookmock's Zoom schemas with Zoom's OpenAPI document",
}


def _provider_name(args: argparse.Namespace) -> str:
    """The provider the command line names: ``--provider``, else standard-webhooks when an
    ``--openapi`` document is given, else zoom."""
    from .providers import DEFAULT_PROVIDER

    if args.provider:
        return str(args.provider)
    return "standard-webhooks" if args.openapi is not None else DEFAULT_PROVIDER


def _check_zoom_only(args: argparse.Namespace) -> None:
    """A command that simulates Zoom only refuses another provider, saying what it supports."""
    why = ZOOM_ONLY.get(args.command)
    if why is None:
        return
    asked = _provider_name(args)
    if asked == "zoom" and args.openapi is None:
        return
    if asked != "zoom":
        from .providers import provider_class

        provider_class(asked)  # an unknown name says so, with the close ones
    given = f"--provider {args.provider}" if asked != "zoom" and args.provider else ""
    given = given or f"--openapi {args.openapi}"
    others = ", ".join(c for c in _PARSERS if c not in ZOOM_ONLY)
    raise _UsageError(
        f"{given} is not supported: {args.command} simulates zoom only ({why}); leave out "
        f"--provider and --openapi. The commands for every provider: {others}"
    )


def _provider_class(args: argparse.Namespace) -> Any:
    from .providers import provider_class

    return provider_class(_provider_name(args))


def _secrets(args: argparse.Namespace, cls: Any, *, required: bool) -> list[str]:
    """The secrets given with ``--secret`` (or ``--secret-token``), else the one in the
    provider's environment variable; a usage error naming both when *required* and none is."""
    secrets = [s for s in (getattr(args, "secrets", None) or []) if s]
    if not secrets and cls.secret_env:
        secrets = [s for s in [os.environ.get(cls.secret_env)] if s]
    if not secrets and required:
        if cls.secret_option == "secret_token":
            what, how, thing = "secret token", "--secret-token TOKEN", "token"
        else:
            what, how, thing = "secret", "--secret SECRET", "secret"
        raise _UsageError(
            f"no {what}: pass {how} or set {cls.secret_env} "
            f"(the {thing} your receiver verifies signatures with)"
        )
    if len(secrets) > 1 and cls.secret_option == "secret_token":
        raise _UsageError(
            f"{cls.name} signs with one secret token; --secret was given {len(secrets)} times "
            "(several secrets, one signature each, are a standard-webhooks rotation)"
        )
    return secrets


def _check_openapi(args: argparse.Namespace, cls: Any) -> None:
    """Refuse ``--openapi`` for a provider whose events are its own."""
    if args.openapi is None:
        return
    import inspect

    if "openapi" not in inspect.signature(cls).parameters:
        raise _UsageError(
            f"--openapi {args.openapi}: {cls.name} does not take an OpenAPI document (its "
            "events are its own); give --provider standard-webhooks, or leave --provider out"
        )


def _provider(args: argparse.Namespace, *, secret: bool, **options: Any) -> Any:
    """The provider the command line names, made with *options*; its secret from the command
    line or the environment (required when *secret*)."""
    cls = _provider_class(args)
    _check_openapi(args, cls)
    if args.openapi is not None:
        options["openapi"] = args.openapi
    secrets = _secrets(args, cls, required=secret)
    if secrets:
        options[cls.secret_option] = secrets[0] if len(secrets) == 1 else secrets
    return cls(**options)


def _overrides(sets: Sequence[str], option: str = "--set") -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in sets:
        path, sep, text = item.partition("=")
        shown = item if len(item) <= 80 else item[:77] + "..."
        if not sep or not path:
            raise _UsageError(
                f"{option} {shown!r}: expected PATH=VALUE, e.g. payload.object.topic=Q3"
            )
        segments = path.split(".")
        if len(segments) > MAX_PATH_SEGMENTS:
            raise _UsageError(
                f"{option} {shown!r}: the path has {len(segments)} segments, at most "
                f"{MAX_PATH_SEGMENTS} are taken; name a field of the event, e.g. "
                "payload.object.topic"
            )
        if "" in segments:
            raise _UsageError(
                f"{option} {shown!r}: the path has an empty segment; separate field names and "
                "list indexes with single dots, e.g. payload.object.recording_files.0.file_type"
            )
        bad = next((s for s in segments if s.isdigit() and not (s.isascii() and len(s) <= 6)), None)
        if bad is not None:
            raise _UsageError(
                f"{option} {shown!r}: {bad[:20]!r} is not a list index; indexes are up to six "
                "ASCII digits, e.g. recording_files.0"
            )
        found[path] = _value(text, option, shown)
    return found


def _value(text: str, option: str, shown: str) -> Any:
    """*text* read as JSON when it is strict JSON (no ``Infinity`` or ``NaN``), else as a string."""

    import json

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    try:
        value = json.loads(text, parse_constant=refuse)
    except ValueError:
        return text
    except RecursionError:
        depth = MAX_VALUE_DEPTH + 1
    else:
        from .engine.nesting import depth as nesting

        depth = nesting(value, MAX_VALUE_DEPTH)
    if depth > MAX_VALUE_DEPTH:
        raise _UsageError(
            f"{option} {shown!r}: the value nests more than {MAX_VALUE_DEPTH} levels deep; set "
            "the inner field by its path instead"
        )
    return value


def _catalog_name(args: argparse.Namespace) -> str:
    """The catalog the named provider's events are in (an ``--openapi`` document is read and
    registered under its name)."""
    if args.openapi is None and _provider_name(args) == "zoom":
        # Zoom's catalog needs no provider made (which would make up a secret token).
        return "zoom"
    return str(_provider(args, secret=False).name)


def _cmd_events(args: argparse.Namespace, out: TextIO) -> int:
    from .generate.catalog import event_names, load_schema

    provider = _catalog_name(args)
    for name in event_names(provider):
        if name.startswith(args.prefix):
            if args.source:
                source = load_schema(name, provider).get("x-hookmock-source", {})
                print(f"{name}\t{source.get('method', 'openapi')}", file=out)
            else:
                print(name, file=out)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from .generate.catalog import load_schema

    schema = load_schema(args.event, _catalog_name(args))
    print(json.dumps(schema, indent=2, ensure_ascii=False), file=out)
    return EXIT_OK


def _make_event(args: argparse.Namespace, provider: Any) -> Any:
    from .errors import UnknownFieldError

    overrides = _overrides(args.sets)
    if args.adds:
        from .engine.overrides import ADD

        overrides.update({k: ADD(v) for k, v in _overrides(args.adds, "--add").items()})
    try:
        return provider.fake(
            args.event,
            overrides,
            seed=args.seed,
            validate=not args.no_validate,
            serialization=args.serialization,
            full=args.full,
        )
    except UnknownFieldError as error:
        raise _UsageError(
            error.describe(
                "hint: --add PATH=VALUE creates a field the schema does not know; "
                "--no-validate turns off every schema check"
            )
        ) from None


def _clock(args: argparse.Namespace) -> Any:
    if args.time is None:
        return time.time
    fixed = float(args.time)
    _number("--time", fixed, 0.0, MAX_TIME)
    return lambda: fixed


def _cmd_fake(args: argparse.Namespace, out: TextIO) -> int:
    event = _make_event(args, _provider(args, secret=False, clock=_clock(args)))
    out.write(event.text + "\n")
    return EXIT_OK


def _body_event(args: argparse.Namespace, provider: Any) -> Any:
    """The event of ``trigger --body FILE``: the file's bytes as they are."""
    import json

    from .generate.events import Event
    from .traffic.recorder import event_name

    generation = {
        "--seed": args.seed is not None,
        "--set": bool(args.sets),
        "--add": bool(args.adds),
        "--time": args.time is not None,
        "--serialization": args.serialization is not None,
        "--no-validate": args.no_validate,
        "--full": args.full,
    }
    given = [option for option, used in generation.items() if used]
    if given:
        raise _UsageError(
            f"--body sends the file's bytes as they are: {', '.join(given)} would change a "
            "generated event; leave them out, or leave out --body"
        )
    if args.body == "-":
        body = sys.stdin.buffer.read()
    else:
        try:
            with open(args.body, "rb") as handle:
                body = handle.read()
        except OSError as exc:
            raise _UsageError(f"--body {args.body!r}: cannot read it ({exc.strerror})") from None
    name = args.event
    if name is None:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            data = None
        name = event_name(provider, (), data)
        if name is None:
            raise _UsageError(
                f"--body {args.body!r}: the body names no event; give its name: "
                "hookmock trigger NAME --body FILE --url URL"
            )
    return Event.from_body(body, name=name)


def _cmd_trigger(args: argparse.Namespace, out: TextIO) -> int:
    from .engine.subscription import Subscription
    from .records.masking import mask_url, mask_urls
    from .records.outcome import Outcome

    if args.event is None and args.body is None:
        raise _UsageError(
            "give the event to send (hookmock trigger meeting.started --url URL) or a body "
            "(--body FILE)"
        )
    target = _http_target("--url", args)
    provider = _provider(args, secret=True, deadline=args.deadline, clock=_clock(args))
    event = _body_event(args, provider) if args.body is not None else _make_event(args, provider)
    subscription = Subscription(id="cli", name="--url", target=target, events=None)
    delivery = provider.deliver(event, subscription)
    status = delivery.status if delivery.status is not None else "-"
    print(
        f"{event.name} → {mask_url(args.url)}: {status} in {delivery.elapsed * 1000:.1f} ms "
        f"({delivery.outcome.value})",
        file=out,
    )
    if delivery.error:
        print(f"  {mask_urls(delivery.error.strip().splitlines()[-1])}", file=out)
    if args.verbose:
        print(delivery.describe(body_limit=2000), file=out)
    if delivery.outcome in (Outcome.CONNECTION_ERROR,):
        return EXIT_USAGE
    return EXIT_OK if delivery.acknowledged else EXIT_RECEIVER_FAILED


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from .conformance.checks import ReceiverUnreachableError

    target = _http_target("URL", args)
    provider = _provider(args, secret=False, deadline=args.deadline, seed=args.seed)
    # Whether there is a battery to run is said first: a secret would not help without one.
    try:
        provider.adapter.conformance_suite()
    except NotImplementedError:
        name = _provider_name(args)
        document = f" --openapi {args.openapi}" if args.openapi is not None else ""
        raise _UsageError(
            f"hookmock has no conformance battery for {name} yet. To send this receiver {name} "
            f"events one at a time: hookmock trigger EVENT --url URL --provider {name}{document}"
        ) from None
    _secrets(args, type(provider), required=True)
    probe = None
    if args.probe_url:
        from .conformance.probe import url_probe

        probe = url_probe(args.probe_url, cafile=args.cafile, verify=not args.insecure)
        probe()  # a probe that cannot be read is a usage error, found before anything is sent
    progress = _CheckProgress(out) if _is_terminal(out) else None
    try:
        report = provider.check(
            target,
            only=args.only,
            events=args.events,
            overrides=_overrides(args.sets),
            tolerance=args.tolerance,
            concurrency=args.concurrency,
            probe=probe,
            probe_event=args.probe_event,
            progress=progress,
            fuzz=args.fuzz,
            fuzz_seed=args.fuzz_seed,
        )
    except ReceiverUnreachableError as exc:
        print(f"hookmock check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if progress is not None:
            progress.clear()
    print(report.table(), file=out)
    outputs: list[tuple[str, str]] = []
    if args.report_json:
        outputs.append((args.report_json, json.dumps(report.to_dict(), indent=2) + "\n"))
    if args.junit_xml:
        outputs.append((args.junit_xml, report.to_junit_xml() + "\n"))
    for path, text in outputs:
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise _UsageError(f"cannot write {path!r}: {exc.strerror}") from None
    return EXIT_OK if report.passed else EXIT_RECEIVER_FAILED


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _CheckProgress:
    """On a terminal, one status line naming the check that runs, rewritten as checks go."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, index: int, total: int, check: Any, result: Any) -> None:
        if result is None:
            self.out.write(f"\r\033[K[{index + 1}/{total}] {check.id} ...")
        else:
            self.out.write(f"\r\033[K[{index + 1}/{total}] {check.id}: {result.outcome.value}")
        self.out.flush()

    def clear(self) -> None:
        self.out.write("\r\033[K")
        self.out.flush()


def _cmd_sign(args: argparse.Namespace, out: TextIO) -> int:
    # Check the arguments before reading standard input, which may wait for a terminal.
    if args.timestamp is not None and not (args.timestamp.isascii() and args.timestamp.isdigit()):
        raise _UsageError(f"--timestamp must be Unix seconds, got {args.timestamp!r}")
    cls = _provider_class(args)
    secrets = _secrets(args, cls, required=True)
    # Signing does not depend on the events: an --openapi document is not read. The secrets
    # are checked before standard input is read, too.
    try:
        sign_body = cls.adapter_class.signer(secrets)
    except ConfigurationError as exc:
        raise _UsageError(f"--secret: {exc}") from None
    timestamp = None if args.timestamp is None else int(args.timestamp)
    if args.file:
        try:
            with open(args.file, "rb") as handle:
                body = handle.read()
        except OSError as exc:
            raise _UsageError(f"cannot read {args.file!r}: {exc.strerror}") from None
    else:
        body = sys.stdin.buffer.read()
    for header, value in sign_body(body, timestamp).items():
        print(f"{header}: {value}", file=out)
    return EXIT_OK


def _cmd_scenario(args: argparse.Namespace, out: TextIO) -> int:
    import json

    provider = _provider(args, secret=False, seed=args.seed, clock=_clock(args))
    known = provider.adapter.scenarios()
    if not known:
        raise _UsageError(
            f"{provider.adapter.title or provider.name} has no scenarios; the providers with "
            "some: zoom, github, stripe, slack"
        )
    if args.list or not args.name:
        for name, (about, defaults) in known.items():
            settings = " ".join(f"{k}={json.dumps(v)}" for k, v in defaults.items())
            print(f"{name}: {about}" + (f" [{settings}]" if settings else ""), file=out)
        return EXIT_OK
    params = _overrides(args.params, "scenario parameter")
    steps = provider.adapter.scenario_steps(args.name, **params)
    start = steps[0][0] if steps else 0.0
    for at, event in steps:
        if args.summary:
            offset = int(at - start)
            sign = "-" if offset < 0 else "+"
            hours, rest = divmod(abs(offset), 3600)
            print(f"{sign}{hours:d}:{rest // 60:02d}:{rest % 60:02d}  {event.name}", file=out)
        else:
            out.write(event.text + "\n")
    return EXIT_OK


def _schema_diff(args: argparse.Namespace, out: TextIO) -> int:
    from .providers.zoom.schemadiff import schema_diff_command

    return schema_diff_command(args, out)


def _cmd_load(args: argparse.Namespace, out: TextIO) -> int:
    from .load.command import check_arguments, load_command

    cls = _provider_class(args)
    if args.openapi is not None:
        raise _UsageError(
            f"--openapi {args.openapi}: hookmock load sends the events of a provider it knows; "
            "for standard-webhooks, those of hookmock's example document (--provider "
            "standard-webhooks, without --openapi)"
        )
    args.provider = cls.name
    check_arguments(args)
    # A master runs no user: the workers sign, each with its own secret.
    secrets = _secrets(args, cls, required=not args.master)
    if len(secrets) > 1:
        raise _UsageError(
            f"hookmock load signs with one secret; --secret was given {len(secrets)} times"
        )
    return load_command(args, out, secret=secrets[0] if secrets else None)


def _cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from .server.cli import serve_command

    cls = _provider_class(args)
    _check_openapi(args, cls)
    return serve_command(args, out, provider=cls)


def _cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    from .traffic.cli import record_command

    cls = _provider_class(args)
    _check_openapi(args, cls)
    secrets = _secrets(args, cls, required=False)
    if secrets:
        try:
            cls.adapter_class.signer(secrets)
        except ConfigurationError as exc:
            raise _UsageError(f"--secret: {exc}") from None
    provider = _provider(args, secret=False)
    return record_command(args, out, provider=provider, secrets=secrets)


def _cmd_replay(args: argparse.Namespace, out: TextIO) -> int:
    from .traffic.cli import replay_command

    target = _http_target("--url", args)
    provider = _provider(args, secret=True, deadline=args.deadline, seed=args.seed)
    return replay_command(args, out, provider=provider, target=target)


def _cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from .traffic.cli import validate_command

    return validate_command(args, out, provider=_catalog_name(args))


_COMMANDS = {
    "serve": _cmd_serve,
    "events": _cmd_events,
    "schema": _cmd_schema,
    "fake": _cmd_fake,
    "trigger": _cmd_trigger,
    "sign": _cmd_sign,
    "check": _cmd_check,
    "schema-diff": _schema_diff,
    "scenario": _cmd_scenario,
    "record": _cmd_record,
    "replay": _cmd_replay,
    "validate": _cmd_validate,
    "load": _cmd_load,
}
