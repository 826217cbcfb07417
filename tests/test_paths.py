from __future__ import annotations

import os
from pathlib import Path

from wezmp_tui.paths import Paths, builtin_dir, resolve


def test_overrides_and_xdg(tmp_path: Path) -> None:
    p = resolve({"HOME": "/h", "XDG_CONFIG_HOME": "/x/c", "XDG_RUNTIME_DIR": "/run/u"})
    assert p.config_dir == Path("/x/c/wezmp")
    assert p.data_dir == Path("/h/.local/share/wezmp")
    assert p.socket == Path("/run/u/wezmp/wezmp.sock")
    p2 = resolve({"HOME": "/h", "XDG_CONFIG_HOME": "relative", "WEZMP_PROFILE": "w"})
    assert p2.config_dir == Path("/h/.config/wezmp-w")
    assert p2.runtime_dir == Path(f"/tmp/wezmp-{os.getuid()}-w")


def test_isolated_env(wezmp_env: Paths) -> None:
    assert str(wezmp_env.config_dir).startswith("/tmp/wz")
    wezmp_env.ensure_dirs()
    assert wezmp_env.runtime_dir.stat().st_mode & 0o777 == 0o700
    wezmp_env.runtime_dir.chmod(0o755)
    wezmp_env.ensure_runtime_dir()
    assert wezmp_env.runtime_dir.stat().st_mode & 0o777 == 0o700


def test_builtin_dirs() -> None:
    assert builtin_dir("themes").name == "themes"
