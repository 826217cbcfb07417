"""Helpers shared by the commands."""

from __future__ import annotations

import pytest

from wezmp_tui.cli.common import hms


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0:00:00"), (2.6, "0:00:03"), (754, "0:12:34"), (90061, "25:01:01")]
)
def test_durations_read_like_timewarrior(seconds: float, shown: str) -> None:
    assert hms(seconds) == shown
