"""The ratio helper the scaling tests rely on tells linear work from quadratic work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from _cpu_time import assert_grows_linearly


def _quadratic(n: int) -> Callable[[], object]:
    data = bytes(n)
    return lambda: sum(len(data[:i]) for i in range(0, n, 4))  # copies n²/8 bytes


def _linear(n: int) -> Callable[[], object]:
    data = bytes(n * 20)
    return lambda: data.count(b"\x00") + sum(1 for _ in range(n))


@pytest.mark.slow
def test_quadratic_work_is_refused() -> None:
    with pytest.raises(AssertionError, match="times as long"):
        assert_grows_linearly(_quadratic, 8_000)


@pytest.mark.slow
def test_linear_work_passes() -> None:
    assert_grows_linearly(_linear, 100_000)
