"""What statuses mean: their impact, the page indicator's wording, downtime weights.

The rules are the contract of docs/rules.md; each function names the rule it implements.
"""

from __future__ import annotations

from generator.content.model import (
    Incident,
    impact_rank,
    status_rank,
)

# Component status -> impact, for derived impacts and the page indicator.
STATUS_IMPACT = {
    "operational": "none",
    "under_maintenance": "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
# Statuspage's wording of status.description, by indicator.
INDICATOR_DESCRIPTIONS = {
    "none": "All Systems Operational",
    "maintenance": "Service Under Maintenance",
    "minor": "Partially Degraded Service",
    "major": "Partial System Outage",
    "critical": "Major System Outage",
}
# Share of time counted as downtime, in tenths (Statuspage's weighting): integer maths
# keeps uptime exact and the output reproducible.
DOWNTIME_TENTHS = {"major_outage": 10, "partial_outage": 3}
ACTIVE_MAINTENANCE = ("in_progress", "verifying")


def worst_status(statuses: list[str] | tuple[str, ...]) -> str:
    return max(statuses, key=status_rank, default="operational")


def worst_impact(impacts: list[str]) -> str:
    return max(impacts, key=impact_rank, default="none")


def impact_of(incident: Incident) -> str:
    """Explicit impact, else derived: maintenance -> maintenance, else the worst component
    status the entry gives at any time."""
    if incident.impact is not None:
        return incident.impact
    if incident.type == "maintenance":
        return "maintenance"
    statuses = [s for _, s in incident.components]
    statuses += [s for u in incident.updates for _, s in u.components]
    return worst_impact([STATUS_IMPACT[s] for s in statuses])
