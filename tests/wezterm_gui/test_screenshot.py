"""What a person sees: the window with the control center open, kept as a PNG among the
test's files (pytest keeps the last runs' temporary directories)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import wait_until
from tests.realgui import GuiSession


def painted(screen: str) -> bool:
    return "wezmp" in screen and sum(1 for line in screen.splitlines() if line.strip()) > 5


def test_a_screenshot_of_the_control_center(gui: GuiSession, tmp_path: Path) -> None:
    if shutil.which("xwd") is None or shutil.which("convert") is None:
        pytest.skip("xwd or ImageMagick's convert not installed: no screenshot")
    (first,) = gui.panes()
    gui.leader("m")
    control = wait_until(lambda: next((p for p in gui.panes() if p != first), None), timeout=30)
    # The dashboard has painted (its title and a screenful of panels).
    wait_until(lambda: painted(gui.text(str(control))), timeout=30)
    png = gui.screenshot(tmp_path / "control-center.png")
    size = subprocess.run(["convert", str(png), "-format", "%w %h %k", "info:"],
                          capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    width, height, colours = (int(v) for v in size)
    assert (width, height) == (1280, 800)
    assert colours > 16, "a picture of text in colour, not a blank screen"
    print(f"screenshot: {png}")
