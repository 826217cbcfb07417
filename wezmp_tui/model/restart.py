"""When an ended agent starts again, after how long, and when it has crashed too often.

One decision for both places that restart an agent: `wezmp exec` (the agent's process ended,
restart it in its pane) and the supervisor (the agent's pane closed, make it again). Standard
library only and no I/O: the wrapper imports this on every agent start.
"""

from __future__ import annotations

from typing import NamedTuple

POLICIES = ("no", "on_failure", "always")
MAX_BACKOFF = 30.0


class RestartDecision(NamedTuple):
    restart: bool
    delay: float  # seconds of backoff before the restart
    gave_up: bool  # a crash loop: one restart too many within the window
    recent: tuple[float, ...]  # restart times still inside the window, this one included
    reason: str  # for a person: why it restarts, or why not


class RestartPolicy(NamedTuple):
    policy: str = "no"  # one of POLICIES
    max_restarts: int = 5  # within `window` seconds; one more and the agent has failed
    backoff: float = 1.0  # before the first restart in a window, doubling for each next one
    window: float = 60.0

    def wants(self, code: int | None) -> bool:
        """Whether an end with `code` (None: its pane closed, no code) calls for a restart."""
        if self.policy == "always":
            return True
        return self.policy == "on_failure" and code != 0

    def decide(self, code: int | None, recent: tuple[float, ...], now: float) -> RestartDecision:
        """What to do about an end with `code` at monotonic time `now`, given the times of
        the restarts before it (`recent`, as the last decision returned them)."""
        what = "its pane closed" if code is None else f"exit {code}"
        if not self.wants(code):
            reason = f"{what}; restart policy {self.policy}"
            return RestartDecision(False, 0.0, False, recent, reason)
        kept = (*(t for t in recent if now - t < self.window), now)
        if len(kept) > self.max_restarts:
            reason = f"ended {len(kept)} times within {self.window:.0f}s (last: {what})"
            return RestartDecision(False, 0.0, True, kept, reason)
        delay = min(self.backoff * 2 ** (len(kept) - 1), MAX_BACKOFF)
        return RestartDecision(True, delay, False, kept, f"{what}; restart {len(kept)}")
