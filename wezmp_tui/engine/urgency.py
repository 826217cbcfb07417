"""Urgency: one number that orders the queue and `wezmp task next`.

    urgency = priority[H|M|L]                      (6.0 / 3.9 / 1.8 by default)
            + due  × f(days until due)             f = 1.0 when overdue, falling linearly to
                                                   0.2 at 14 days away, 0 beyond or with no due
            + age  × min(age in days / 365, 1)
            + blocking (when open tasks depend on it)
            + blocked  (when it has an unfinished dependency; negative)
            + Σ tags[tag] for each of its tags

Weights live under `board.urgency` in config.yaml (a taskwarrior user will recognise them).
"""

from __future__ import annotations

from typing import Any

DAY = 86400.0


def due_factor(due: float | None, now: float) -> float:
    if due is None:
        return 0.0
    days = (due - now) / DAY
    if days <= 0:
        return 1.0
    if days >= 14:
        return 0.0
    return 1.0 - 0.8 * days / 14


def score(
    *,
    priority: str,
    due: float | None,
    created_at: float,
    tags: list[str],
    blocking: bool,
    blocked: bool,
    now: float,
    weights: Any,
) -> float:
    pr = dict(getattr(weights, "priority", {"H": 6.0, "M": 3.9, "L": 1.8}))
    total = pr.get(priority, 0.0)
    total += float(getattr(weights, "due", 12.0)) * due_factor(due, now)
    total += float(getattr(weights, "age", 2.0)) * min(max(now - created_at, 0) / DAY / 365, 1.0)
    if blocking:
        total += float(getattr(weights, "blocking", 8.0))
    if blocked:
        total += float(getattr(weights, "blocked", -5.0))
    tag_weights = dict(getattr(weights, "tags", {}) or {})
    total += sum(tag_weights.get(t, 0.0) for t in tags)
    return float(round(total, 3))
