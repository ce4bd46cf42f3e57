"""UI strings and locale-aware date formatting from a theme's catalogue."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any


class Translator:
    def __init__(self, catalogue: dict[str, Any], zone: tzinfo):
        self.catalogue = catalogue
        self.zone = zone

    def __call__(self, key: str, **values: Any) -> str:
        node: Any = self.catalogue
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return key  # a missing string shows its key rather than failing the build
            node = node[part]
        text = str(node)
        return text.format(**values) if values else text

    def date(self, value: datetime | date, short: bool = False) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.zone).date()
        months = self.catalogue["months_short" if short else "months"]
        return self("date_format", day=value.day, month=months[value.month - 1],
                    year=value.year)

    def datetime(self, value: datetime) -> str:
        local = value.astimezone(self.zone)
        return self("datetime_format", day=local.day,
                    month=self.catalogue["months_short"][local.month - 1], year=local.year,
                    time=f"{local:%H:%M}", zone=local.tzname() or "")

    def month(self, year: int, month: int) -> str:
        return self("month_heading", month=self.catalogue["months"][month - 1], year=year)

    @staticmethod
    def duration(value: timedelta) -> str:
        minutes = int(value.total_seconds() // 60)
        days, rest = divmod(minutes, 1440)
        hours, minutes = divmod(rest, 60)
        parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
                 f"{minutes} min" if minutes or not (days or hours) else ""]
        return " ".join(p for p in parts if p)
