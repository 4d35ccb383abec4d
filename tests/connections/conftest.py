from tests.fakes.fixtures import (  # noqa: F401  (fixtures are found by name)
    fake_cloud_api,
    fake_evolution,
    fake_telegram,
    fake_waha,
)
