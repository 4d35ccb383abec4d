from tests.fakes.fixtures import fake_cloud_api  # noqa: F401  (fixtures are found by name)
