from tests.fixtures.spool import fresh_spool, spooled

__all__ = ["fresh_spool", "spooled"]
