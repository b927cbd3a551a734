"""Django for the example's tests: the example's settings (unless Django is configured already)
and a test database, sqlite in memory, made once for the session.

With pytest-django installed, its own fixtures make the database and these step aside.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

try:
    import django
    from django.conf import settings
except ImportError:  # Django is a development dependency: without it, nothing here runs
    collect_ignore_glob = ["*.py"]
else:
    if not settings.configured:
        from examples.django_receiver import settings as example_settings

        settings.configure(
            **{
                name: getattr(example_settings, name)
                for name in dir(example_settings)
                if name.isupper()
            }
        )
        django.setup()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "django_db: the test uses Django's test database")


@pytest.fixture(scope="session")
def _example_database(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.config.pluginmanager.hasplugin("django"):
        # pytest-django's django_db marker gives each test the database.
        yield
        return
    from django.db import connection

    # Runs the migrations; for ":memory:" the database is shared by every thread.
    name = connection.creation.create_test_db(verbosity=0)
    yield
    connection.creation.destroy_test_db(name, verbosity=0)


@pytest.fixture
def webhook_app(request: pytest.FixtureRequest) -> object:
    """The project's WSGI application, with an empty table of recordings."""
    from django.core.wsgi import get_wsgi_application

    if request.config.pluginmanager.hasplugin("django"):
        request.getfixturevalue("db")  # pytest-django's database, rolled back after the test
    else:
        request.getfixturevalue("_example_database")
        from examples.django_receiver.models import Recording

        Recording.objects.all().delete()
    return get_wsgi_application()
