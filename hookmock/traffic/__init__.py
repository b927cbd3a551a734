"""Real traffic: record a provider's real deliveries through a forwarding proxy
(:mod:`~hookmock.traffic.recorder`), check them against the catalog
(:mod:`~hookmock.traffic.validate`), and the command line of ``record``, ``replay`` and
``validate`` (:mod:`~hookmock.traffic.cli`). Replaying is the engine's
(:meth:`hookmock.Provider.replay`); the file format is :mod:`hookmock.records.traffic`.

Provider-neutral: a provider is passed in, and its signature headers and signer say how a
delivery is verified.
"""
