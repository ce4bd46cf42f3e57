"""Derived state rules (docs/rules.md), with exact expected values and no files."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import component, content, incident, t

from generator.content.model import Incident, Update
from generator.state.derive import derive
from generator.state.rules import impact_of
from generator.state.timeline import build_timeline
from generator.state.uptime import percent, uptime_windows, window_percents

NOW = t("2026-05-12T12:00")


# The questions the old per-module functions answered, asked of the one timeline.
def is_open(incident: Incident, now: object) -> bool:
    return build_timeline(incident).is_open(now)  # type: ignore[arg-type]


def maintenance_state(incident: Incident, now: object) -> str:
    return build_timeline(incident).status(now)  # type: ignore[arg-type]


def timeline(incident: Incident, now: object) -> tuple[Update, ...]:
    return tuple(e.update for e in build_timeline(incident).upto(now))  # type: ignore[arg-type]


def maintenance_active_spans(incident: Incident, now: object) -> list[tuple[object, object]]:
    """When the maintenance gave its component its status."""
    spans = build_timeline(incident).spans(now)  # type: ignore[arg-type]
    return [(s, e) for s, e, _ in spans.get(incident.components[0][0], [])]


def latest_update(incident: Incident, now: object) -> Update:
    return build_timeline(incident).latest(now).update  # type: ignore[arg-type]


# --- impact ------------------------------------------------------------------------------

@pytest.mark.parametrize(("statuses", "expected"), [
    ({"api": "degraded_performance"}, "minor"),
    ({"api": "partial_outage"}, "major"),
    ({"api": "major_outage"}, "critical"),
    ({"api": "degraded_performance", "web": "major_outage"}, "critical"),
    ({"api": "operational"}, "none"),
    ({}, "none"),
])
def test_derived_impact_is_the_worst_component_status(statuses, expected):
    assert impact_of(incident("i", [("2026-05-11T10:00", "investigating")], statuses)) == expected


def test_explicit_impact_wins_and_maintenance_derives_maintenance():
    explicit = incident("i", [("2026-05-11T10:00", "investigating")],
                        {"api": "major_outage"}, impact="minor")
    maintenance = incident("m", [("2026-05-11T10:00", "scheduled")], {"api": "under_maintenance"},
                           kind="maintenance", window=("2026-05-12T00:00", "2026-05-12T01:00"))
    assert impact_of(explicit) == "minor"
    assert impact_of(maintenance) == "maintenance"


# --- open / resolved ---------------------------------------------------------------------

def test_incident_is_open_until_resolved_and_stays_resolved_after_postmortem():
    inc = incident("i", [("2026-05-11T10:00", "investigating"), ("2026-05-11T11:00", "resolved"),
                         ("2026-05-11T15:00", "postmortem")])
    assert is_open(inc, t("2026-05-11T10:59"))
    assert not is_open(inc, t("2026-05-11T11:00"))
    assert not is_open(inc, NOW)
    assert build_timeline(inc).status(NOW) == "postmortem"
    assert build_timeline(inc).ended_at(NOW) == t("2026-05-11T11:00")


def test_monitoring_is_still_open():
    inc = incident("i", [("2026-05-11T10:00", "investigating"), ("2026-05-11T11:00", "monitoring")])
    assert is_open(inc, NOW)


# --- maintenance state -------------------------------------------------------------------

WINDOW = ("2026-05-12T02:00", "2026-05-12T04:00")


def maint(*updates: tuple[str, str]):
    return incident("m", list(updates), {"api": "under_maintenance"}, kind="maintenance",
                    window=WINDOW)


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-05-12T01:59", "scheduled"),
    ("2026-05-12T02:00", "in_progress"),  # the window start itself
    ("2026-05-12T03:59", "in_progress"),
    ("2026-05-12T04:00", "completed"),
    ("2026-05-13T00:00", "completed"),
])
def test_maintenance_follows_the_clock(now, expected):
    assert maintenance_state(maint(("2026-05-01T10:00", "scheduled")), t(now)) == expected


def test_completed_early_ends_it_and_the_clock_no_longer_applies():
    m = maint(("2026-05-01T10:00", "scheduled"), ("2026-05-12T02:00", "in_progress"),
              ("2026-05-12T02:30", "completed"))
    assert maintenance_state(m, t("2026-05-12T03:00")) == "completed"
    assert maintenance_state(m, t("2026-05-12T05:00")) == "completed"
    assert maintenance_active_spans(m, t("2026-05-12T05:00")) == [
        (t("2026-05-12T02:00"), t("2026-05-12T02:30"))]


def test_cancelled_before_the_window_never_starts():
    m = maint(("2026-05-01T10:00", "scheduled"), ("2026-05-05T10:00", "completed"))
    assert maintenance_state(m, t("2026-05-12T03:00")) == "completed"
    assert maintenance_active_spans(m, t("2026-05-12T05:00")) == []


def test_in_progress_posted_after_the_end_means_overrunning():
    m = maint(("2026-05-01T10:00", "scheduled"), ("2026-05-12T04:10", "in_progress"))
    assert maintenance_state(m, t("2026-05-12T04:05")) == "completed"
    assert maintenance_state(m, t("2026-05-12T06:00")) == "in_progress"
    # Active by the clock from 02:00 to 04:00, then again from the overrun update to now.
    assert maintenance_active_spans(m, t("2026-05-12T06:00")) == [
        (t("2026-05-12T02:00"), t("2026-05-12T04:00")),
        (t("2026-05-12T04:10"), t("2026-05-12T06:00"))]


def test_verifying_before_the_end_gives_way_to_completed_at_the_end():
    m = maint(("2026-05-01T10:00", "scheduled"), ("2026-05-12T03:30", "verifying"))
    assert maintenance_state(m, t("2026-05-12T03:45")) == "verifying"
    assert maintenance_state(m, t("2026-05-12T04:00")) == "completed"


def test_verifying_after_the_end_overruns():
    m = maint(("2026-05-01T10:00", "scheduled"), ("2026-05-12T04:00", "verifying"))
    # Posted exactly at the end: the posted update wins over the clock at the same instant.
    assert maintenance_state(m, t("2026-05-12T04:00")) == "verifying"


# --- component, group and page status ---------------------------------------------------

def test_component_status_is_the_worst_of_manual_and_open_incidents():
    comps = [component("api", status="degraded_performance"), component("web"),
             component("db", position=3)]
    incs = [
        incident("open", [("2026-05-12T10:00", "investigating")], {"web": "partial_outage",
                                                                   "api": "operational"}),
        incident("closed", [("2026-05-11T10:00", "investigating"), ("2026-05-11T11:00",
                                                                    "resolved")],
                 {"db": "major_outage"}),
    ]
    state = derive(content(incs, comps), NOW)
    assert state.component_status == {"api": "degraded_performance", "web": "partial_outage",
                                      "db": "operational"}
    assert state.group_status == {"g": "partial_outage"}
    assert state.indicator == "major"
    assert state.description == "Partial System Outage"
    assert [i.slug for i in state.open_incidents] == ["open"]


def test_manual_status_never_improves_through_an_incident():
    comps = [component("api", status="major_outage")]
    incs = [incident("i", [("2026-05-12T10:00", "investigating")], {"api": "degraded_performance"})]
    assert derive(content(incs, comps), NOW).component_status["api"] == "major_outage"


def test_active_maintenance_sets_under_maintenance_but_a_worse_manual_status_wins():
    comps = [component("api"), component("web", status="degraded_performance")]
    m = incident("m", [("2026-05-01T10:00", "scheduled")],
                 {"api": "under_maintenance", "web": "under_maintenance"}, kind="maintenance",
                 window=("2026-05-12T11:00", "2026-05-12T13:00"))
    state = derive(content([m], comps), NOW)
    assert state.component_status == {"api": "under_maintenance", "web": "degraded_performance"}
    assert state.indicator == "minor"
    assert [x.slug for x in state.active_maintenance] == ["m"]
    assert state.upcoming_maintenance == ()


def test_indicator_maintenance_and_none():
    m = incident("m", [("2026-05-01T10:00", "scheduled")], {"api": "under_maintenance"},
                 kind="maintenance", window=("2026-05-12T11:00", "2026-05-12T13:00"))
    during = derive(content([m]), NOW)
    assert (during.indicator, during.description) == ("maintenance", "Service Under Maintenance")
    before = derive(content([m]), t("2026-05-12T10:00"))
    assert (before.indicator, before.description) == ("none", "All Systems Operational")
    assert [x.slug for x in before.upcoming_maintenance] == ["m"]


def test_indicator_uses_open_incident_impact_even_if_components_look_better():
    inc = incident("i", [("2026-05-12T10:00", "investigating")], {"api": "degraded_performance"},
                   impact="critical")
    state = derive(content([inc]), NOW)
    assert (state.indicator, state.description) == ("critical", "Major System Outage")


def test_open_notice_is_listed_but_does_not_change_the_indicator():
    notice = incident("n", [("2026-05-12T09:00", "investigating")], kind="notice")
    state = derive(content([notice]), NOW)
    assert [i.slug for i in state.open_incidents] == ["n"]
    assert state.indicator == "none"


def test_empty_site():
    state = derive(content([], []), NOW)
    assert state.indicator == "none" and state.component_status == {} and state.uptime == {}


# --- uptime ------------------------------------------------------------------------------

def uptime_of(incs, now=NOW, **site_args):
    return derive(content(incs, **site_args), now).uptime["api"]


def test_period_is_history_days_ending_today_and_today_ends_at_now():
    up = uptime_of([])
    assert [d.date for d in up.days] == [date(2026, 5, 10), date(2026, 5, 11), date(2026, 5, 12)]
    assert up.days[-1].end == NOW
    assert up.percent == "100.00"
    assert all(d.uptime == "100.00" and d.worst == "operational" for d in up.days)


def test_major_outage_counts_fully_and_partial_at_30_percent():
    major = incident("a", [("2026-05-11T10:00", "investigating"), ("2026-05-11T11:00",
                                                                    "resolved")],
                     {"api": "major_outage"})
    partial = incident("b", [("2026-05-10T10:00", "investigating"), ("2026-05-10T11:00",
                                                                      "resolved")],
                       {"api": "partial_outage"})
    up = uptime_of([major, partial])
    assert up.days[1].uptime == "95.83"  # 1 h down: 1 - 1/24 = 95.833...
    assert up.days[0].uptime == "98.75"  # 18 min weighted: 1 - 0.3/24
    # Whole period: 2 days + 12 h = 60 h, 1.3 h weighted downtime: 97.8333...%
    assert up.percent == "97.83"
    assert up.days[1].worst == "major_outage" and up.days[1].incidents == ("a",)


def test_degraded_and_maintenance_do_not_count_as_downtime():
    degraded = incident("d", [("2026-05-11T10:00", "investigating"), ("2026-05-11T20:00",
                                                                       "resolved")],
                        {"api": "degraded_performance"})
    up = uptime_of([degraded])
    assert up.percent == "100.00"
    assert up.days[1].worst == "degraded_performance"
    assert up.days[1].incidents == ("d",)


def test_overlapping_incidents_count_once_at_the_worst_status():
    a = incident("a", [("2026-05-11T10:00", "investigating"), ("2026-05-11T12:00", "resolved")],
                 {"api": "major_outage"})
    b = incident("b", [("2026-05-11T11:00", "investigating"), ("2026-05-11T13:00", "resolved")],
                 {"api": "partial_outage"})
    c = incident("c", [("2026-05-11T10:30", "investigating"), ("2026-05-11T11:30", "resolved")],
                 {"api": "major_outage"})
    up = uptime_of([a, b, c])
    # 10:00-12:00 major (2 h) + 12:00-13:00 partial (0.3 h) = 2.3 h
    assert up.days[1].uptime == "90.41"  # 1 - 2.3/24 = 90.416...
    assert up.days[1].incidents == ("b", "c", "a")  # content order: newest first


def test_incident_still_open_counts_until_now():
    inc = incident("open", [("2026-05-12T10:00", "investigating")], {"api": "major_outage"})
    up = uptime_of([inc])
    assert up.days[2].uptime == "83.33"  # 2 h down of the 12 h of today so far


def test_incident_crossing_midnight_is_split_between_days():
    inc = incident("x", [("2026-05-10T23:00", "investigating"), ("2026-05-11T01:30",
                                                                  "resolved")],
                   {"api": "major_outage"})
    up = uptime_of([inc])
    assert up.days[0].uptime == "95.83"  # 23:00-24:00: 1 - 1/24
    assert up.days[1].uptime == "93.75"  # 00:00-01:30: 1 - 1.5/24
    assert up.days[0].incidents == up.days[1].incidents == ("x",)


def test_incident_ending_exactly_at_midnight_does_not_touch_the_next_day():
    inc = incident("x", [("2026-05-10T23:00", "investigating"), ("2026-05-11T00:00",
                                                                  "resolved")],
                   {"api": "partial_outage"})
    up = uptime_of([inc])
    assert up.days[0].incidents == ("x",) and up.days[1].incidents == ()


def test_days_follow_the_site_time_zone():
    # 23:30 UTC on the 10th is 01:30 on the 11th in Berlin (CEST, UTC+2).
    inc = incident("x", [("2026-05-10T23:30", "investigating"), ("2026-05-11T00:30",
                                                                  "resolved")],
                   {"api": "major_outage"})
    up = uptime_of([inc], timezone="Europe/Berlin")
    assert up.days[0].uptime == "100.00"
    assert up.days[1].uptime == "95.83"  # 1 - 1/24
    assert up.days[1].start == t("2026-05-10T22:00")


def test_dst_change_day_has_23_hours():
    # Berlin springs forward on 2026-03-29: that day is 23 hours long.
    inc = incident("x", [("2026-03-29T10:00", "investigating"), ("2026-03-29T11:00",
                                                                  "resolved")],
                   {"api": "major_outage"})
    up = uptime_of([inc], now=t("2026-03-30T12:00"), timezone="Europe/Berlin")
    day = up.days[1]
    assert day.date == date(2026, 3, 29)
    assert day.end - day.start == timedelta(hours=23)
    assert day.uptime == "95.65"  # 1 - 1/23 = 95.652...


def test_maintenance_shows_in_the_bars_without_downtime():
    m = incident("m", [("2026-05-01T10:00", "scheduled")], {"api": "under_maintenance"},
                 kind="maintenance", window=("2026-05-11T02:00", "2026-05-11T04:00"))
    up = uptime_of([m])
    assert up.days[1].worst == "under_maintenance" and up.days[1].incidents == ("m",)
    assert up.percent == "100.00"


def test_any_downtime_never_shows_as_100_percent():
    inc = incident("x", [("2026-05-11T10:00:00", "investigating"), ("2026-05-11T10:00:01",
                                                                     "resolved")],
                   {"api": "partial_outage"})
    up = uptime_of([inc], history_days=90)
    assert up.percent == "99.99"


def test_incidents_before_the_period_are_ignored():
    old = incident("old", [("2026-01-01T10:00", "investigating"), ("2026-01-01T11:00",
                                                                    "resolved")],
                   {"api": "major_outage"})
    up = uptime_of([old])
    assert up.percent == "100.00" and all(not d.incidents for d in up.days)


@pytest.mark.parametrize(("down", "total", "expected"), [
    (0, 100, "100.00"), (1, 10**9, "99.99"), (10 * 50, 100, "50.00"), (10 * 100, 100, "0.00"),
    (0, 0, "100.00"),
])
def test_percent_rounds_down(down, total, expected):
    assert percent(down, total) == expected


# --- timeline ----------------------------------------------------------------------------

def test_timeline_adds_what_the_clock_did_to_a_maintenance():
    m = maint(("2026-05-01T10:00", "scheduled"))
    during = timeline(m, t("2026-05-12T03:00"))
    assert [(u.at, u.status, u.automatic) for u in during] == [
        (t("2026-05-01T10:00"), "scheduled", False),
        (t("2026-05-12T02:00"), "in_progress", True)]
    after = timeline(m, t("2026-05-12T05:00"))
    assert [(u.status, u.automatic) for u in after] == [
        ("scheduled", False), ("in_progress", True), ("completed", True)]
    assert latest_update(m, t("2026-05-12T05:00")).at == t("2026-05-12T04:00")


def test_timeline_of_a_maintenance_finished_early_or_overrunning():
    early = maint(("2026-05-01T10:00", "scheduled"), ("2026-05-12T02:30", "completed"))
    assert [(u.status, u.automatic) for u in timeline(early, t("2026-05-12T05:00"))] == [
        ("scheduled", False), ("in_progress", True), ("completed", False)]
    overrun = maint(("2026-05-01T10:00", "scheduled"), ("2026-05-12T04:10", "in_progress"))
    assert [(u.status, u.automatic) for u in timeline(overrun, t("2026-05-12T05:00"))] == [
        ("scheduled", False), ("in_progress", True), ("completed", True),
        ("in_progress", False)]


def test_timeline_of_an_incident_is_its_updates():
    inc = incident("i", [("2026-05-11T10:00", "investigating"), ("2026-05-11T11:00", "resolved")])
    assert timeline(inc, NOW) == inc.updates


# --- uptime windows (narrower screens show fewer days) -----------------------------------

@pytest.mark.parametrize(("history_days", "expected"), [
    (90, (30, 60, 90)), (365, (30, 60, 365)), (60, (30, 60)), (45, (30, 45)), (30, (30,)),
    (14, (14,)), (1, (1,)),
])
def test_uptime_windows_are_30_and_60_days_where_shorter_and_the_whole_period(
        history_days, expected):
    assert uptime_windows(history_days) == expected


def test_window_percents_count_only_the_last_days():
    day = 86_400_000_000  # microseconds
    # Four days, oldest first: 24 h of major outage on the first (10 tenths), 1 h of partial
    # (3 tenths) on the third, today 12 h long so far.
    down = [10 * day, 0, 3 * 3_600_000_000, 0]
    totals = [day, day, day, day // 2]
    # last 1 day: 100%; last 2: 1 - 0.3 h / 36 h = 99.1666 -> 99.16;
    # last 4: 1 - (24 + 0.3) h / 84 h = 71.0714 -> 71.07
    assert window_percents(down, totals, (1, 2, 4)) == ("100.00", "99.16", "71.07")


def test_uptime_has_a_percentage_for_each_window():
    # history_days 3 in the factories: no window is shorter, so the whole period only.
    up = uptime_of([])
    assert [(w.days, w.first_day, w.percent) for w in up.windows] == [
        (3, date(2026, 5, 10), "100.00")]
    major = incident("a", [("2026-04-01T10:00", "investigating"), ("2026-04-01T16:00",
                                                                    "resolved")],
                     {"api": "major_outage"})
    up = uptime_of([major], history_days=90)
    # 6 h down on 1 April (UTC site), outside the last 30 days (from 13 April), inside the
    # last 60 (from 14 March: 59 days + 12 h = 1428 h; 1 - 6/1428 = 99.579 -> 99.57) and 90
    # (from 12 February: 2148 h; 1 - 6/2148 = 99.720 -> 99.72).
    assert [(w.days, w.first_day, w.percent) for w in up.windows] == [
        (30, date(2026, 4, 13), "100.00"), (60, date(2026, 3, 14), "99.57"),
        (90, date(2026, 2, 12), "99.72")]
    assert up.percent == up.windows[-1].percent
