"""The rate limiter's sliding window, with a fake clock."""

from __future__ import annotations

import pytest

from s3graph.errors import S3GraphError
from s3graph.service.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_query_time_is_counted_over_the_window() -> None:
    clock = Clock()
    limiter = RateLimiter(seconds=1.0, errors=100, window=10.0, clock=clock)
    for _ in range(4):
        limiter.record("a", 0.3, False)
        clock.now += 1
    with pytest.raises(S3GraphError) as caught:
        limiter.check("a")
    assert caught.value.status == 429
    assert caught.value.headers == {"Retry-After": "6"}  # the first 0.3 s leaves the window at 1010
    limiter.check("b")  # other clients are not affected
    clock.now = 1010.5
    limiter.check("a")  # 0.9 s left in the window: under the allowance again


def test_errors_are_counted_and_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(seconds=100.0, errors=2, window=5.0, clock=clock)
    limiter.record("a", 0.0, True)
    limiter.check("a")
    limiter.record("a", 0.0, True)
    with pytest.raises(S3GraphError) as caught:
        limiter.check("a")
    assert "too many failed requests" in caught.value.message
    clock.now += 5.1
    limiter.check("a")
