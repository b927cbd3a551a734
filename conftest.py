"""Project-wide test configuration: pytester drives the plugin tests in tests/test_plugin.py."""

pytest_plugins = ["pytester"]
