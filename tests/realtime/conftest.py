from tests.fakes.fixtures import fake_waha
from tests.fixtures.live_server import live_server

__all__ = ["fake_waha", "live_server"]
