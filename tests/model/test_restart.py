"""The one restart decision the wrapper and the supervisor share."""

from __future__ import annotations

from wezmp_tui.model.restart import MAX_BACKOFF, RestartPolicy


def test_policies_say_which_ends_restart() -> None:
    assert not RestartPolicy("no").wants(1)
    assert not RestartPolicy("on_failure").wants(0)
    assert RestartPolicy("on_failure").wants(3)
    assert RestartPolicy("on_failure").wants(None)  # its pane closed: not a clean end
    assert RestartPolicy("always").wants(0)
    kept = RestartPolicy("no").decide(1, (5.0,), 10.0)
    assert (kept.restart, kept.gave_up, kept.recent) == (False, False, (5.0,))
    assert "restart policy no" in kept.reason


def test_backoff_doubles_within_the_window_and_the_loop_gives_up() -> None:
    policy = RestartPolicy("on_failure", max_restarts=3, backoff=0.5, window=60.0)
    recent: tuple[float, ...] = ()
    delays = []
    for now in (1.0, 2.0, 3.0):
        d = policy.decide(2, recent, now)
        assert d.restart and not d.gave_up
        delays.append(d.delay)
        recent = d.recent
    assert delays == [0.5, 1.0, 2.0]
    last = policy.decide(2, recent, 4.0)
    assert (last.restart, last.gave_up) == (False, True)
    assert last.reason == "ended 4 times within 60s (last: exit 2)"
    # Restarts older than the window no longer count: a fresh backoff.
    later = policy.decide(None, recent, 70.0)
    assert (later.restart, later.delay, later.recent) == (True, 0.5, (70.0,))
    assert later.reason.startswith("its pane closed")


def test_the_backoff_is_capped() -> None:
    policy = RestartPolicy("always", max_restarts=100, backoff=1.0)
    recent = tuple(float(t) for t in range(20))
    assert policy.decide(0, recent, 20.0).delay == MAX_BACKOFF
