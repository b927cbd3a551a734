"""From what a user passes (a URL, a WSGI or ASGI application, a :class:`Target`) to the
transport that delivers to it. :mod:`hookmock.transports.asgi` is imported only for an ASGI
application, so creating a simulated provider loads neither asyncio nor asgiref."""

from __future__ import annotations

from types import FunctionType
from typing import Any

from ..errors import ConfigurationError
from . import HTTPTarget, Target, WSGITarget

__all__ = ["as_target", "is_asgi"]


def as_target(target: Any, *, path: str | None = None) -> Target:
    """Accept a :class:`Target`, a URL string, or a WSGI or ASGI application."""
    if isinstance(target, str):
        if path is not None:
            raise ConfigurationError("path= is for in-process applications; put it in the URL")
        return HTTPTarget(target)
    if hasattr(target, "send") and hasattr(target, "url"):
        return target  # type: ignore[no-any-return]
    if is_asgi(target):
        from .asgi import ASGITarget

        return ASGITarget(target, path=path or "/")
    if callable(target):
        return WSGITarget(target, path=path or "/")
    raise ConfigurationError(
        f"cannot deliver to {target!r}: give a URL ('https://host/path'), a WSGI application "
        "(Flask's app, Django's get_wsgi_application()), an ASGI application (FastAPI, "
        "Starlette) or a hookmock Target"
    )


def is_asgi(app: Any) -> bool:
    """ASGI applications are coroutine functions (or objects whose ``__call__`` is one)."""
    plain = _plain_answer(app)
    if plain is not None:
        return plain
    import inspect

    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)


_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE


def _plain_answer(app: Any) -> bool | None:
    """:func:`is_asgi`'s answer for the common cases, without importing :mod:`inspect` (which
    imports ``ast``, ``dis`` and ``tokenize``: milliseconds of a first subscription): a plain
    function, or an object whose class's ``__call__`` is one. ``None`` for anything else
    (methods, partials, marked callables): :mod:`inspect` decides those."""
    function: Any
    if type(app) is FunctionType:
        function = app
    elif not hasattr(app, "__code__") and type(type(app).__call__) is FunctionType:
        function = type(app).__call__
    else:
        return None
    if hasattr(app, "_is_coroutine_marker") or hasattr(function, "_is_coroutine_marker"):
        return None  # inspect.markcoroutinefunction's mark (Python 3.12)
    return bool(function.__code__.co_flags & _CO_COROUTINE)
