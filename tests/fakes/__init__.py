"""Fake provider servers and webhook builders that speak each provider's exact wire format
(``/work/shared/reference/providers.md``), for adapter tests and pipeline tests."""
