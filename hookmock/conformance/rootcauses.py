"""Root causes: the likely reasons behind a report's failures, worked out from the whole report.

One defect often fails many checks (a wrong secret fails every check that needs an accepted
request). Each :class:`RootCause` names the defect and the checks it explains, so a report can
say "fix first: ..." and each of those checks "explained by ..." instead of guessing at a cause
from its own delivery alone. What the causes are is the provider's: its battery's suite finds
them (:attr:`hookmock.conformance.base.Suite.root_causes`) from the results and the
:class:`Facts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.delivery import Delivery

__all__ = ["Facts", "RootCause"]


@dataclass(frozen=True)
class RootCause:
    """:ivar id: a stable name (``wrong-secret``); :ivar summary: what is wrong and what to do;
    :ivar checks: the ids of the checks it explains, in the report's order."""

    id: str
    summary: str
    checks: tuple[str, ...]


@dataclass
class Facts:
    """What the battery learnt beside the checks' own deliveries."""

    target: str
    #: The first correctly signed delivery of each event type.
    signed: dict[str, Delivery] = field(default_factory=dict)
    #: Requests sent to tell causes apart when nothing signed was acknowledged.
    diagnosis: dict[str, Delivery] = field(default_factory=dict)
    validation: Delivery | None = None
    validation_ok: bool | None = None
    validation_problems: list[str] = field(default_factory=list)
    #: A correctly signed delivery after the negative checks, when one was sent.
    control: Delivery | None = None

    @property
    def carrier(self) -> str | None:
        return next((name for name, d in self.signed.items() if d.acknowledged), None)
