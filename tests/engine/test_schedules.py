"""Schedules: presets, cron (with Celigo's '?' seconds field), time zones, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etail.engine.schedules import PRESETS, Schedule
from etail.errors import SettingsError

T = datetime(2026, 3, 7, 10, 7, 30, tzinfo=UTC)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every_15_minutes", datetime(2026, 3, 7, 10, 15, tzinfo=UTC)),
        ("every_30_minutes", datetime(2026, 3, 7, 10, 30, tzinfo=UTC)),
        ("hourly", datetime(2026, 3, 7, 11, 0, tzinfo=UTC)),
        ("every_4_hours", datetime(2026, 3, 7, 12, 0, tzinfo=UTC)),
        ("twice_daily", datetime(2026, 3, 7, 12, 0, tzinfo=UTC)),
        ("daily", datetime(2026, 3, 8, 0, 0, tzinfo=UTC)),
        ("weekly", datetime(2026, 3, 9, 0, 0, tzinfo=UTC)),
        ("*/5 * * * *", datetime(2026, 3, 7, 10, 10, tzinfo=UTC)),
        ("? */5 * * * *", datetime(2026, 3, 7, 10, 10, tzinfo=UTC)),
    ],
)
def test_next_run(text: str, expected: datetime) -> None:
    assert Schedule.parse(text).next_run(T) == expected


def test_time_zones_shift_the_wall_clock_and_follow_dst() -> None:
    daily_ny = Schedule.parse("0 6 * * *", "America/New_York")
    assert daily_ny.next_run(T) == datetime(2026, 3, 7, 11, 0, tzinfo=UTC)  # EST, UTC-5
    after_dst = daily_ny.next_run(datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    assert after_dst == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # EDT, UTC-4


@pytest.mark.parametrize("bad", ["", "sometimes", "* * *", "61 * * * *", "*/5 * * * * *"])
def test_bad_schedules_name_the_field_and_the_fix(bad: str) -> None:
    with pytest.raises(SettingsError) as info:
        Schedule.parse(bad)
    assert info.value.field == "schedule"
    assert info.value.hint


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(SettingsError) as info:
        Schedule.parse("hourly", "Mars/Olympus")
    assert info.value.field == "timezone"


def test_labels() -> None:
    assert Schedule.parse("every_15_minutes").label == "Every 15 minutes"
    assert Schedule.parse("0 1 * * *", "Europe/Paris").label == "cron 0 1 * * * (Europe/Paris)"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Schedule.parse("hourly").next_run(datetime(2026, 1, 1))


@given(
    preset=st.sampled_from(sorted(PRESETS)),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 400),
)
def test_next_run_is_strictly_later_and_within_a_week(preset: str, minutes: int) -> None:
    after = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes, seconds=13)
    nxt = Schedule.parse(preset).next_run(after)
    assert after < nxt <= after + timedelta(days=7)
    assert nxt.second == 0 and nxt.tzinfo is not None
