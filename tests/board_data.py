"""Boards of realistic size for tests and benches: tasks with the titles, tags and
descriptions people write (about 450 bytes a task on the wire), the same for a given count."""

from __future__ import annotations

import json
import random
from typing import Any

COLUMNS = ["Backlog", "Queue", "Doing", "Review", "Done"]
_VERBS = ["Fix", "Add", "Refactor", "Document", "Test", "Speed up", "Remove", "Review",
          "Migrate", "Investigate"]  # fmt: skip
_THINGS = ["the retry loop", "flaky login test", "payment webhook handler", "CSV export",
           "rate limiter", "search index rebuild", "onboarding emails", "session cookies",
           "dark theme contrast", "API pagination", "the release script", "dependency pins",
           "memory leak in the worker", "error messages of the importer", "audit log"]  # fmt: skip
_WHERE = ["in the billing service", "for the mobile app", "on the admin dashboard",
          "in the CLI", "before the 2.4 release", "behind the feature flag", ""]  # fmt: skip
_TAGS = ["backend", "frontend", "bug", "perf", "docs", "infra", "security", "ux", "api",
         "tests", "kind:claude", "kind:codex", "urgent", "tech-debt"]  # fmt: skip
_SENTENCES = [
    "Customers report that it fails about once a day under load.",
    "Steps to reproduce are in the linked incident; logs are attached to the ticket.",
    "The fix should keep the public API unchanged and come with a regression test.",
    "Measure before and after on the staging data set and note the numbers here.",
    "Coordinate with the on-call engineer before deploying anything to production.",
    "There is a half-finished branch from last sprint that may be a good start.",
    "Acceptance: the nightly job passes three nights in a row without a retry.",
    "Update the changelog and the user guide once it ships.",
]


def task_rows(n: int, now: float, board: str = "default", seed: int = 14) -> list[tuple[Any, ...]]:
    """`n` rows for `tasks(board, col, title, description, priority, tags, position,
    created_at, due, finished_at)`, spread over the default columns."""
    rnd = random.Random(seed)
    # A thousand distinct cards, each told apart by its number: fast to make at 100,000.
    pool = [
        (
            f"{rnd.choice(_VERBS)} {rnd.choice(_THINGS)} {rnd.choice(_WHERE)}".strip(),
            " ".join(rnd.sample(_SENTENCES, rnd.randint(2, 5))),
            json.dumps(rnd.sample(_TAGS, rnd.randint(1, 3))),
            rnd.randint(-5, 30) * 86400.0,
            rnd.randint(0, 400) * 86400.0,
        )
        for _ in range(1000)
    ]
    rows = []
    for i in range(n):
        col = COLUMNS[i % len(COLUMNS)]
        title, description, tags, due_in, age = pool[(i * 7919) % len(pool)]
        rows.append((board, col, f"{title} ({i})", description, "HML "[i % 4].strip(), tags,
                     float(i), now - age, now + due_in if i % 4 == 0 else None,
                     now if col == COLUMNS[-1] else None))  # fmt: skip
    return rows


def seed(conn: Any, n: int, now: float, board: str = "default") -> None:
    """Insert `n` realistic tasks (a `sqlite3.Connection`, inside a transaction or not)."""
    conn.executemany(
        "INSERT INTO tasks(board, col, title, description, priority, tags, position, created_at,"
        " due, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        task_rows(n, now, board),
    )
