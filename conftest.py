"""Project-wide test configuration: pytester drives the plugin tests in tests/test_plugin.py, and
tests/server_helpers.py holds the mock server tests' ``receiver`` and ``api`` fixtures."""

pytest_plugins = ["pytester", "tests.server_helpers"]
