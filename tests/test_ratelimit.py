"""The rate limiter's sliding window, with a fake clock."""

from __future__ import annotations

import multiprocessing

import pytest

from s3graph.errors import S3GraphError
from s3graph.service.ratelimit import RateLimiter, SharedRateLimiter, shared_tables


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


def shared(clock: Clock, seconds: float = 100.0, errors: int = 100, window: float = 10.0,
           slots: int = 64) -> tuple[SharedRateLimiter, SharedRateLimiter]:
    """Two limiters over one table, as two server processes hold them."""
    tables = shared_tables(multiprocessing.get_context("spawn"), slots)
    return (SharedRateLimiter(seconds, errors, window, tables, clock),
            SharedRateLimiter(seconds, errors, window, tables, clock))


def test_the_shared_limit_is_one_allowance_across_processes() -> None:
    clock = Clock()
    first, second = shared(clock, errors=4)
    for limiter in (first, second, first, second):
        limiter.check("a")
        limiter.record("a", 0.0, True)
    for limiter in (first, second):  # refused by both, whichever took the errors
        with pytest.raises(S3GraphError) as caught:
            limiter.check("a")
        assert (caught.value.status, caught.value.code) == (429, "rate-limited")
        assert caught.value.headers == {"Retry-After": "10"}
    second.check("b")  # other clients are not affected


def test_the_shared_window_slides() -> None:
    clock = Clock()
    first, second = shared(clock, seconds=1.0, window=10.0)
    first.record("a", 0.8, False)
    clock.now += 10.0  # a new window: 0.8 s of the last one, weighed by what is left of it
    second.record("a", 0.3, False)
    with pytest.raises(S3GraphError):
        first.check("a")  # 0.3 + 0.8 x 1.0
    clock.now += 5.0
    first.check("a")  # 0.3 + 0.8 x 0.5 = 0.7
    clock.now += 20.0
    first.record("a", 0.9, False)
    first.check("a")  # the old windows are gone: 0.9


def test_a_full_table_gives_up_its_stalest_slot() -> None:
    clock = Clock()
    first, _ = shared(clock, errors=1, slots=4)
    for n in range(4):
        first.record(f"client-{n}", 0.0, True)
        clock.now += 1
    first.record("newcomer", 0.0, True)  # takes the stalest slot (client-0's)
    with pytest.raises(S3GraphError):
        first.check("newcomer")
    with pytest.raises(S3GraphError):
        first.check("client-3")
    first.check("client-0")  # forgotten, so allowed again
