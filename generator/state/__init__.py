"""Derived state: pure functions of (content, now). One timeline per entry (timeline),
what statuses mean (rules), the statuses at an instant (statuses), uptime (uptime), and
the whole page's state (derive). No I/O, no clock."""
