"""Processes the benchmarks start: receivers, a bare JSON endpoint, and probes run in a venv.

Run as ``python helpers.py COMMAND ...``; only the standard library is imported at the top, so
that the same file runs in any of the benchmark's virtual environments.

Servers print their port on the first line of stdout and serve until they are terminated:

- ``raw SECRET``: a receiver written on bare sockets, the fastest a loopback receiver can be; it
  answers Zoom's URL validation and acknowledges every other event with 204.
- ``werkzeug SECRET``: the same receiver as a WSGI app served by werkzeug (threaded).
- ``json``: a bare werkzeug JSON endpoint: it parses the body and answers a small JSON document.

Probes print one JSON document and exit:

- ``first-send SECRET``: the time to import hookmock, then to make a Zoom, subscribe a trivial
  in-process WSGI app and send one event, then a second event (steady state).
- ``catalog SECONDS``: generating and signing every catalog event round-robin with the public
  API, for about SECONDS; events per second.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

VALIDATION = b"endpoint.url_validation"
HOOK_PATH = "/zoom/webhook"


def _validation_answer(secret: str, body: bytes) -> bytes:
    plain = json.loads(body)["payload"]["plainToken"]
    digest = hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
    return json.dumps({"plainToken": plain, "encryptedToken": digest}).encode()


# -- servers --------------------------------------------------------------------------------------


def _raw_connection(conn: socket.socket, secret: str) -> None:
    buffer = b""
    with conn:
        while True:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buffer) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            body, buffer = buffer[:length], buffer[length:]
            if VALIDATION in body:
                answer = _validation_answer(secret, body)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer)
                )
            else:
                conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")


def serve_raw(secret: str) -> None:
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    print(listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_raw_connection, args=(conn, secret), daemon=True).start()


def _serve_wsgi(app: Callable[[dict[str, Any], Any], Iterable[bytes]]) -> None:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(server.port, flush=True)
    server.serve_forever()


def serve_werkzeug(secret: str) -> None:
    from werkzeug.wrappers import Request, Response

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = Request(environ).get_data()
        if VALIDATION in body:
            answer = Response(_validation_answer(secret, body), content_type="application/json")
        else:
            answer = Response(status=204)
        return answer(environ, start_response)  # type: ignore[no-any-return]

    _serve_wsgi(app)


def serve_json() -> None:
    from werkzeug.wrappers import Request, Response

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        data = json.loads(request.get_data() or b"{}")
        answer = {"received": True, "event": data.get("event"), "method": request.method}
        response = Response(json.dumps(answer), content_type="application/json")
        return response(environ, start_response)  # type: ignore[no-any-return]

    _serve_wsgi(app)


# -- probes ---------------------------------------------------------------------------------------


def probe_first_send(secret: str) -> None:
    begin = time.perf_counter()
    cpu_begin = time.process_time()
    import hookmock

    imported = time.perf_counter()
    cpu_imported = time.process_time()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        if VALIDATION in body:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [_validation_answer(secret, body)]
        start_response("204 No Content", [])
        return []

    zoom = hookmock.Zoom(secret_token=secret, seed=1)
    zoom.subscribe(app, path=HOOK_PATH)
    subscribed = time.perf_counter()
    first = zoom.send("meeting.started")
    sent = time.perf_counter()
    cpu_sent = time.process_time()
    second = zoom.send("meeting.started")
    again = time.perf_counter()
    cpu_again = time.process_time()
    if not (first.acknowledged and second.acknowledged):
        raise SystemExit(f"the trivial app did not acknowledge: {first.status}, {second.status}")
    print(
        json.dumps(
            {
                "import": imported - begin,
                "import_cpu": cpu_imported - cpu_begin,
                "zoom_and_subscribe": subscribed - imported,
                "first_send": sent - subscribed,
                "after_import": sent - imported,
                "after_import_cpu": cpu_sent - cpu_imported,
                "second_send": again - sent,
                "second_send_cpu": cpu_again - cpu_sent,
            }
        )
    )


def probe_catalog(seconds: float) -> None:
    import hookmock

    now = 1_795_000_000.0
    try:  # a fixed clock, as far back as the public API has had one
        zoom = hookmock.Zoom(secret_token="bench-secret", seed=1, clock=lambda: now)
    except TypeError:
        zoom = hookmock.Zoom(secret_token="bench-secret", seed=1)
    names = zoom.event_names()
    key = b"bench-secret"
    stamp = b"v0:1795000000:"
    # Warm-up: schemas loaded, pools built, and what is compiled on an event's second body
    # (its consistency rules) compiled, so that the rate is the steady one.
    for _ in range(2):
        for name in names:
            zoom.fake(name)
    events = 0
    begin, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - begin < seconds:
        for name in names:
            body = zoom.fake(name).body
            hmac.new(key, stamp + body, hashlib.sha256).hexdigest()
        events += len(names)
    wall, cpu = time.perf_counter() - begin, time.process_time() - cpu
    print(json.dumps({"events": events, "wall": wall, "cpu": cpu}))


def main(argv: list[str]) -> None:
    command, *rest = argv
    if command == "raw":
        serve_raw(rest[0])
    elif command == "werkzeug":
        serve_werkzeug(rest[0])
    elif command == "json":
        serve_json()
    elif command == "first-send":
        probe_first_send(rest[0])
    elif command == "catalog":
        probe_catalog(float(rest[0]))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
