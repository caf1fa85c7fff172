from tests.live.conftest import fast_policy, people, pytest_runtest_makereport, smtp  # noqa: F401
