"""What day it is for the tenants: China Standard Time, whatever the server's zone.

A contract ends, leave starts and a deadline falls on a Chinese calendar
day; a server running on UTC would be a day behind from midnight to 08:00.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(CHINA).date()
