import datetime as dt

import pytest

from pilothouse import demo

# A fixed "today" in the middle of a quarter, so that the tests see the same data.
TODAY = dt.date(2026, 5, 14)


@pytest.fixture
def small_demo(db):
    return demo.build(scale="small", seed=42, today=TODAY)
