"""What a person sees: the window with the control center open and an agent waiting, kept as
a PNG among the test's files (pytest keeps the last runs' temporary directories).

`get-text` reads what the pane holds, not what the window has drawn: the GUI paints later
(Mesa's software renderer, on a busy machine, seconds later). So the test looks at the
picture itself: the control center's part of the window painted, the other pane's still
black, the status bar's right end no longer empty.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import wait_until
from tests.realgui import GuiSession
from tests.wezterm_gui.conftest import ASKER, define_agent, waiting_pane
from wezmp_tui.paths import Paths

# The tab bar's height in pixels (WezTerm's fancy tab bar at the default font size): the
# panes' cells begin below it.
TAB_BAR = 34


def painted(screen: str) -> bool:
    return "wezmp" in screen and sum(1 for line in screen.splitlines() if line.strip()) > 5


def brightness(png: Path, box: tuple[int, int, int, int], stat: str = "mean") -> float:
    """The mean (or `maxima`: the brightest pixel's) brightness, 0 black … 1 white, of the
    part `box` (x, y, width, height) of the picture."""
    x, y, w, h = box
    out = subprocess.run(["convert", str(png), "-crop", f"{w}x{h}+{x}+{y}", "+repage",
                          "-colorspace", "Gray", "-format", f"%[fx:{stat}]", "info:"],
                         capture_output=True, text=True, timeout=30, check=True)  # fmt: skip
    return float(out.stdout)


def inside(pane: dict[str, object], margin: int = 2) -> tuple[int, int, int, int]:
    """The pixels of a pane's cells, `margin` cells in from each side."""
    size = pane["size"]
    assert isinstance(size, dict)
    cell_w = size["pixel_width"] / size["cols"]
    cell_h = size["pixel_height"] / size["rows"]
    left, top = int(str(pane["left_col"])), int(str(pane["top_row"]))
    return (
        int((left + margin) * cell_w),
        TAB_BAR + int((top + margin) * cell_h),
        int((size["cols"] - 2 * margin) * cell_w),
        int((size["rows"] - 2 * margin) * cell_h),
    )


def test_a_screenshot_of_the_control_center(
    gui: GuiSession, tmp_path: Path, short_tmp: Path, wezmp_env: Paths
) -> None:
    if shutil.which("xwd") is None or shutil.which("convert") is None:
        pytest.skip("xwd or ImageMagick's convert not installed: no screenshot")
    (first,) = gui.panes()
    define_agent(short_tmp, "asker", "proj", ASKER)
    waiting_pane(wezmp_env, "asker")
    gui.leader("m")
    control = wait_until(
        lambda: next((p for p, v in gui.panes().items() if v["left_col"]), None), timeout=30
    )
    # The dashboard has written its title and a screenful of panels.
    wait_until(lambda: painted(gui.text(str(control))), timeout=30)
    panes = gui.panes()
    png = tmp_path / "control-center.png"
    # The tab bar's right half, where the status goes: an even grey (0.2) while empty.
    bar = (600, 4, 600, TAB_BAR - 8)

    def drawn() -> bool:
        gui.screenshot(png)
        return (
            brightness(png, inside(panes[str(control)])) > 0.05
            and brightness(png, bar, "maxima") > 0.5
        )

    wait_until(drawn, timeout=30, interval=0.5)
    assert brightness(png, inside(panes[first])) < 0.02, "the shell's pane stays black"
    _, top, _, height = inside(panes[str(control)], margin=0)
    assert top + height <= 800, "the whole window is on the screen, its last row too"
    size = subprocess.run(["convert", str(png), "-format", "%w %h", "info:"],
                          capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    assert [int(v) for v in size] == [1280, 800]
    print(f"screenshot: {png}")
