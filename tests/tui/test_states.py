"""How states, sizes and ages are shown."""

from __future__ import annotations

import pytest

from wezmp_tui.tui.states import human_age, human_bytes, state_text


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(-3, "0s"), (59, "59s"), (60, "1m"), (754, "12m"), (3600, "1h00m"), (90061, "1d01h")],
)
def test_age_has_seconds_only_in_the_first_minute(seconds: float, shown: str) -> None:
    assert human_age(seconds) == shown


def test_bytes_and_state_text() -> None:
    assert human_bytes(0) == "-"
    assert human_bytes(180 * 1024 * 1024) == "180M"
    text = state_text("waiting", {"waiting": "#ff8800"})
    assert text.plain == "◆ waiting" and str(text.style) == "#ff8800"
    assert state_text("quiet").plain == "◇ quiet" and str(state_text("quiet").style) == "#a9b1d6"
    with pytest.raises(ValueError, match="not an agent state"):
        state_text("mystery")  # only the model's list of states is ever shown
