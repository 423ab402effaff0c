"""The compat tests start real servers with the server tests' fixture."""
from integration.server.conftest import start_server  # noqa: F401 - the fixture, shared
