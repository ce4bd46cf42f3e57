"""UI strings and locale-aware date, time, number and duration formatting.

Everything a language needs lives in its catalogue (themes/default/i18n/<lang>.yaml), so
adding a language is adding one file; docs/theming.md lists the keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class Translator:
    def __init__(self, catalogue: dict[str, Any], zone: dt.tzinfo):
        self.catalogue = catalogue
        self.zone = zone
        self.missing: set[str] = set()  # keys asked for but absent, for tests and checks
        # Every page formats the same few strings and times again: remember them.
        self._plain: dict[str, str] = {}
        self._datetimes: dict[dt.datetime, str] = {}

    def __call__(self, key: str, **values: Any) -> str:
        if not values:
            text = self._plain.get(key)
            if text is None:
                node = self.lookup(key)
                text = self._plain[key] = key if node is None else str(node)
            return text
        node = self.lookup(key)
        if node is None:
            return key  # a missing string shows its key rather than failing the build
        if isinstance(node, dict) and "count" in values:  # plural forms: one / other
            node = node.get("one" if values["count"] == 1 else "other", key)
        return str(node).format(**values)

    def lookup(self, key: str) -> Any:
        node: Any = self.catalogue
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                self.missing.add(key)
                return None
            node = node[part]
        return node

    def _names(self, key: str, index: int) -> str:
        names = self.lookup(key)
        if isinstance(names, list) and 0 <= index < len(names):
            return str(names[index])
        return str(index + 1)

    def date(self, value: dt.datetime | dt.date, short: bool = False) -> str:
        if isinstance(value, dt.datetime):
            value = value.astimezone(self.zone).date()
        month = self._names("months_short" if short else "months", value.month - 1)
        return self("date_format", day=value.day, month=month, year=value.year,
                    weekday=self._names("weekdays", value.weekday()))

    def time(self, value: dt.datetime) -> str:
        local = value.astimezone(self.zone)
        hour12 = local.hour % 12 or 12
        return self("time_format", H=f"{local.hour:02d}", h=hour12, M=f"{local.minute:02d}",
                    p=self._names("am_pm", local.hour // 12))

    def zone_name(self, value: dt.datetime) -> str:
        """The zone's abbreviation, translated where the language has its own (CET -> MEZ)."""
        name = value.astimezone(self.zone).tzname() or ""
        names = self.catalogue.get("zone_names")
        return str(names.get(name, name)) if isinstance(names, dict) else name

    def datetime(self, value: dt.datetime) -> str:
        text = self._datetimes.get(value)
        if text is None:
            text = self._datetimes[value] = self._format_datetime(value)
        return text

    def _format_datetime(self, value: dt.datetime) -> str:
        local = value.astimezone(self.zone)
        return self("datetime_format", day=local.day,
                    month=self._names("months_short", local.month - 1), year=local.year,
                    time=self.time(value), zone=self.zone_name(value))

    def month(self, year: int, month: int) -> str:
        return self("month_heading", month=self._names("months", month - 1), year=year)

    def number(self, value: str | float) -> str:
        """A decimal number as text ('99.93') with the language's decimal separator."""
        text = value if isinstance(value, str) else f"{value:g}"
        return text.replace(".", self("decimal_separator"))

    def percent(self, value: str | float) -> str:
        return self("percent_format", value=self.number(value))

    def duration(self, value: dt.timedelta) -> str:
        minutes = max(0, int(value.total_seconds() // 60))
        days, rest = divmod(minutes, 1440)
        hours, minutes = divmod(rest, 60)
        parts = [self("units.days", n=days) if days else "",
                 self("units.hours", n=hours) if hours else "",
                 self("units.minutes", n=minutes) if minutes or not (days or hours) else ""]
        return " ".join(p for p in parts if p)
