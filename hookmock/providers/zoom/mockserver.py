"""``MockZoomServer``: the mock server serving a simulated Zoom, under the name it had before the
server served any provider (:mod:`hookmock.server` looks it up here, by name, on first use).

New code says :class:`hookmock.server.MockServer` and gives it the provider to serve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...server import MockServer
from . import Zoom

if TYPE_CHECKING:
    from ...engine.simulator import Provider

__all__ = ["MockZoomServer"]


class MockZoomServer(MockServer):
    """:class:`~hookmock.server.MockServer` serving *zoom*: a new :class:`~hookmock.Zoom` with a
    random secret token when none is given. Other parameters as
    :class:`~hookmock.server.MockServer`'s.
    """

    def __init__(self, zoom: Zoom | None = None, **options: Any) -> None:
        super().__init__(Zoom() if zoom is None else zoom, **options)

    @property
    def zoom(self) -> Provider:
        """The provider being served: :attr:`provider`, by its name from before."""
        return self.provider
