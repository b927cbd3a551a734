"""One package per webhook provider: what is particular to it, and nothing else.

:data:`PROVIDERS` names each provider hookmock simulates and the class that does, imported only
when asked for (:func:`provider_class`), so that naming one costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from ..conformance.checkable import Checkable

__all__ = ["DEFAULT_PROVIDER", "PROVIDERS", "provider_class"]

#: Each provider's name (as ``--provider`` takes it) and its class, as ``module:Class``.
PROVIDERS: dict[str, str] = {
    "zoom": "hookmock.providers.zoom:Zoom",
    "standard-webhooks": "hookmock.providers.standard_webhooks:StandardWebhooks",
    "slack": "hookmock.providers.slack:Slack",
    "github": "hookmock.providers.github:GitHub",
    "stripe": "hookmock.providers.stripe:Stripe",
}
#: The provider a command simulates when none is named (and no ``--openapi`` document is given).
DEFAULT_PROVIDER = "zoom"


def provider_class(name: str) -> type[Checkable]:
    """The class that simulates the provider *name*.

    :raises ConfigurationError: for a name hookmock does not know, with the close ones.
    """
    where = PROVIDERS.get(name)
    if where is None:
        import difflib

        close = difflib.get_close_matches(name, PROVIDERS, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ConfigurationError(
            f"unknown provider {name!r}{hint} (known: {', '.join(sorted(PROVIDERS))})"
        )
    module, _, attribute = where.partition(":")
    cls: type[Checkable] = getattr(importlib.import_module(module), attribute)
    return cls
