"""Schedules: integrator.io's presets and cron expressions, and the next-run maths.

Presets are the UI's list (celigo-jet.md §1.6): every 15 or 30 minutes, every hour, every two,
four, six or eight hours, twice daily, once daily, once weekly. A cron expression may be written
in Celigo's API form with a leading ``?`` seconds field (``"? */5 * * * *"``); the seconds field is
dropped because flows run at most once a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from etail.errors import SettingsError

PRESETS: dict[str, tuple[str, str]] = {
    "every_15_minutes": ("*/15 * * * *", "Every 15 minutes"),
    "every_30_minutes": ("*/30 * * * *", "Every 30 minutes"),
    "hourly": ("0 * * * *", "Every hour"),
    "every_2_hours": ("0 */2 * * *", "Every two hours"),
    "every_4_hours": ("0 */4 * * *", "Every four hours"),
    "every_6_hours": ("0 */6 * * *", "Every six hours"),
    "every_8_hours": ("0 */8 * * *", "Every eight hours"),
    "twice_daily": ("0 0,12 * * *", "Twice daily"),
    "daily": ("0 0 * * *", "Once daily"),
    "weekly": ("0 0 * * 1", "Once weekly"),
}


@dataclass(frozen=True, slots=True)
class Schedule:
    """A preset name or a five-field cron expression, evaluated in an IANA time zone."""

    expression: str
    timezone: str = "UTC"

    @classmethod
    def parse(cls, text: str, timezone: str = "UTC") -> Schedule:
        """Validate ``text`` (a preset name or cron) and ``timezone``; errors name the field."""
        value = " ".join(text.split())
        if value.startswith("? "):
            value = value[2:]
        if value not in PRESETS and not croniter.is_valid(value):
            presets = ", ".join(PRESETS)
            raise SettingsError(
                f"schedule {text!r} is neither a preset nor a valid cron expression",
                field="schedule",
                hint=f"use one of {presets}, or five cron fields such as '*/15 * * * *'",
            )
        if len(value.split()) not in (1, 5):
            raise SettingsError(
                f"schedule {text!r} must have five cron fields (minute hour day month weekday)",
                field="schedule",
                hint="for example '0 */2 * * *'",
            )
        _zone(timezone)
        return cls(expression=value, timezone=timezone)

    @property
    def cron(self) -> str:
        return PRESETS[self.expression][0] if self.expression in PRESETS else self.expression

    @property
    def label(self) -> str:
        if self.expression in PRESETS:
            return PRESETS[self.expression][1]
        suffix = "" if self.timezone == "UTC" else f" ({self.timezone})"
        return f"cron {self.expression}{suffix}"

    def next_run(self, after: datetime) -> datetime:
        """The first run time strictly after ``after`` (an aware datetime), in UTC."""
        if after.tzinfo is None:
            raise ValueError("next_run needs an aware datetime (use UTC)")
        local = after.astimezone(_zone(self.timezone))
        nxt = croniter(self.cron, local).get_next(datetime)
        return nxt.astimezone(UTC)

    def is_due(self, next_run_at: datetime | None, now: datetime) -> bool:
        return next_run_at is not None and next_run_at <= now


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"unknown time zone {name!r}",
            field="timezone",
            hint="use an IANA name such as 'UTC' or 'America/New_York'",
        ) from exc


__all__ = ["PRESETS", "Schedule"]
