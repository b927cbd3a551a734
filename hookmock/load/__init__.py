"""Load testing a receiver with Locust: what the load generator sends and how each answer is
judged (:mod:`hookmock.load.generator`), and the ``hookmock load`` command
(:mod:`hookmock.load.command`).

Nothing here imports Locust or gevent: Locust monkey-patches the standard library when it is
imported, which must never happen in a pytest process or when hookmock is imported. The Locust
``User`` is :class:`hookmock.locust.ZoomUser`, in a module that only a locustfile imports.
"""
