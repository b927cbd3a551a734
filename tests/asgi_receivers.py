"""FastAPI receivers for the tests: verify, acknowledge at once, do the work in a BackgroundTask,
with a resource that the app's lifespan opens and closes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import BackgroundTasks, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from hookmock.providers import zoom

Work = Callable[["Database", dict[str, Any]], Awaitable[None]]


class Database:
    """A stand-in for an async database engine: opened by the lifespan, closed at shutdown,
    and bound to the event loop it was opened on, as asyncpg's pools are."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.rows: list[str] = []
        self.closed = False

    async def insert(self, row: str) -> None:
        if self.closed:
            raise RuntimeError("the database is closed")
        if asyncio.get_running_loop() is not self.loop:
            raise RuntimeError("the database is attached to a different event loop")
        await asyncio.sleep(0)
        self.rows.append(row)


async def record(db: Database, event: dict[str, Any]) -> None:
    await db.insert(event["event"])


def fastapi_receiver(
    secret: str,
    *,
    work: Work = record,
    startup_error: Exception | None = None,
    shutdown_error: Exception | None = None,
    lifespan: bool = True,
    database: Callable[[], Database] = Database,
    detach: bool = False,
) -> Any:
    """A FastAPI receiver at ``/zoom/webhook``. With *lifespan*, the database is opened at
    startup and handed to requests through the lifespan state; ``app.state.events`` lists
    what the lifespan did. With *detach*, the work runs in a task the handler starts and never
    awaits (``asyncio.create_task``) instead of a BackgroundTask."""
    events: list[str] = []

    @asynccontextmanager
    async def opened(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        if startup_error is not None:
            raise startup_error
        db = database()
        app.state.database = db
        yield {"db": db}
        db.closed = True
        events.append("shutdown")
        if shutdown_error is not None:
            raise shutdown_error

    app = FastAPI(title="Receiver", lifespan=opened if lifespan else None)
    app.state.events = events

    @app.post("/zoom/webhook")
    async def hook(request: Request, background: BackgroundTasks) -> Response:
        body = await request.body()
        ts = request.headers.get("x-zm-request-timestamp", "")
        if not zoom.verify(secret, ts, body, request.headers.get("x-zm-signature", "")):
            return Response("bad signature", status_code=401)
        event = json.loads(body)
        if event["event"] == "endpoint.url_validation":
            plain = event["payload"]["plainToken"]
            token = zoom.encrypted_token(secret, plain)
            return JSONResponse({"plainToken": plain, "encryptedToken": token})
        db = request.state.db if lifespan else app.state.database
        if detach:
            app.state.detached = asyncio.get_running_loop().create_task(work(db, event))
        else:
            background.add_task(work, db, event)
        return Response(status_code=204)

    return app
