"""UI strings and locale-aware date, time, number and duration formatting.

A language's words live in its catalogue (themes/default/i18n/<lang>.yaml), so adding a
language is adding one file; docs/theming.md lists the keys. The facts of the language that
are not words chosen for a status page (month and weekday names, AM/PM, plural rules, the
decimal sign, the percent layout, the writing direction) come from the Unicode CLDR through
Babel, so no catalogue has to copy them by hand; a catalogue may still override the names.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError


@cache
def locale_of(language: str) -> Locale | None:
    """Babel's locale for a language code (`pt-BR`, `de`), or None when CLDR has no data."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def known_language(language: str) -> bool:
    return locale_of(language) is not None


def plural_categories(language: str) -> frozenset[str]:
    """The CLDR plural categories the language's words need (always including 'other')."""
    locale = locale_of(language) or Locale("en")
    return frozenset(locale.plural_form.tags | {"other"})


def text_direction(language: str) -> str:
    """'rtl' for languages written right to left (ar, he, fa, ur...), else 'ltr'."""
    locale = locale_of(language)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def autonym(language: str) -> str:
    """The language's name in itself, from CLDR, as a language switcher shows it: "Deutsch",
    "Français", "Português (Brasil)", "日本語" (capitalised: it starts a menu item)."""
    locale = locale_of(language)
    name = (locale.get_display_name(locale) if locale else None) or language
    return name[:1].upper() + name[1:]


# The placeholders the pages give each layout, whatever the English text uses: a catalogue
# may write a 12-hour clock ("{h}:{M} {p}") or the weekday (docs/theming.md).
LAYOUT_PLACEHOLDERS = {
    "date_format": ("day", "month", "year", "weekday"),
    "time_format": ("H", "h", "M", "p"),
    "datetime_format": ("day", "month", "year", "time", "zone"),
}


class Translator:
    def __init__(self, catalogue: dict[str, Any], zone: dt.tzinfo, language: str = "en"):
        self.catalogue = catalogue
        self.zone = zone
        self.language = language
        self.dir = text_direction(language)
        locale = locale_of(language) or Locale("en")
        self.plural = locale.plural_form
        # CLDR's names, unless the catalogue gives its own (e.g. "Sep" rather than "Sept").
        self.names: dict[str, list[str]] = {
            "months": [locale.months["format"]["wide"][m] for m in range(1, 13)],
            "months_short": [locale.months["format"]["abbreviated"][m] for m in range(1, 13)],
            "weekdays": [locale.days["format"]["wide"][d] for d in range(7)],
            "am_pm": [locale.day_periods["format"]["abbreviated"][p] for p in ("am", "pm")],
        }
        for key in self.names:
            own = catalogue.get(key)
            if isinstance(own, list) and len(own) == len(self.names[key]):
                self.names[key] = [str(v) for v in own]
        symbols = locale.number_symbols["latn"]
        self.decimal = str(catalogue.get("decimal_separator") or symbols["decimal"])
        pattern = locale.percent_formats[None].pattern
        self.percent_layout = str(catalogue.get("percent_format") or
                                  _percent_layout(pattern, symbols["percentSign"]))
        self.missing: set[str] = set()  # keys asked for but absent, for tests and checks
        # Every page formats the same few strings and times again: remember them.
        self._plain: dict[str, str] = {}
        self._nodes: dict[str, Any] = {}  # key -> its catalogue entry, or None
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
        if isinstance(node, dict) and "count" in values:
            # CLDR's plural categories: en one/other, fr one/many/other, ar six, ja other.
            node = node.get(self.plural(values["count"]), node.get("other", key))
        return str(node).format(**values)

    def lookup(self, key: str) -> Any:
        try:
            return self._nodes[key]
        except KeyError:
            pass
        node: Any = self.catalogue
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                self.missing.add(key)
                node = None
                break
            node = node[part]
        self._nodes[key] = node
        return node

    def _names(self, key: str, index: int) -> str:
        return self.names[key][index]

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

    def datetime_pattern(self) -> str:
        """datetime_format with time_format in place of {time}: what the optional script
        fills in with the visitor's local time, so both read alike."""
        return self("datetime_format").replace("{time}", self("time_format"))

    def month(self, year: int, month: int) -> str:
        return self("month_heading", month=self._names("months", month - 1), year=year)

    def number(self, value: str | float) -> str:
        """A decimal number as text ('99.93') with the language's decimal separator."""
        text = value if isinstance(value, str) else f"{value:g}"
        return text.replace(".", self.decimal)

    def percent(self, value: str | float) -> str:
        return self.percent_layout.format(value=self.number(value))

    def duration(self, value: dt.timedelta) -> str:
        minutes = max(0, int(value.total_seconds() // 60))
        days, rest = divmod(minutes, 1440)
        hours, minutes = divmod(rest, 60)
        parts = [self("units.days", n=days) if days else "",
                 self("units.hours", n=hours) if hours else "",
                 self("units.minutes", n=minutes) if minutes or not (days or hours) else ""]
        return " ".join(p for p in parts if p)


def _percent_layout(pattern: str, sign: str) -> str:
    """CLDR's percent pattern as a layout: '#,##0\xa0%' -> '{value}\xa0%'."""
    positive = pattern.split(";")[0]
    start = min((positive.index(c) for c in "#0" if c in positive), default=0)
    end = max((positive.rindex(c) for c in "#0" if c in positive), default=-1) + 1
    text = positive[:start] + "{value}" + positive[end:]
    return text.replace("%", sign).replace("'", "")
