import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The matrix keeps its sorted rows in the cache by round and computed version: start each test without them."""
    cache.clear()
    yield
    cache.clear()
