"""What the providers' own modules share about the engine that runs them."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ..engine.adapter import Adapter
    from ..engine.simulator import Provider

__all__ = ["simulator_of"]


def simulator_of(adapter: Adapter) -> Provider:
    """The engine's :class:`~hookmock.Provider` *adapter* is bound to. An adapter is promised
    only the members of :class:`hookmock.engine.adapter.Simulator`; a provider's own modules
    (its scenarios) also draw from the simulator's generators and clock, which every engine
    Provider has."""
    return cast("Provider", adapter.sim)
