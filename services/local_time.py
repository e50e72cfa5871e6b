"""Türkiye's calendar date of an instant: delivery estimates and fiscal years are local dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    TURKIYE: timezone | ZoneInfo = ZoneInfo("Europe/Istanbul")
except ZoneInfoNotFoundError:  # no tz database (Windows without the tzdata package)
    # Türkiye has kept UTC+3 all year round since September 2016 (no more clock changes).
    TURKIYE = timezone(timedelta(hours=3), "TRT")


def today_in_turkiye(now: datetime) -> date:
    """The date in Türkiye at the aware instant `now`: 22:30 UTC is already tomorrow there."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(TURKIYE).date()
