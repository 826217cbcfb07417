"""Where wezmp keeps its files: XDG base directories, each overridable for tests.

`WEZMP_CONFIG_DIR`, `WEZMP_DATA_DIR`, `WEZMP_STATE_DIR` and `WEZMP_RUNTIME_DIR` replace the
whole wezmp directory (not the XDG root), so a test points all four at a temporary directory
and never touches the real home. `WEZMP_PROFILE` gives a second, independent daemon.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP = "wezmp"


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    data_dir: Path
    state_dir: Path
    runtime_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.yaml"

    @property
    def settings_file(self) -> Path:
        """Choices made inside the app (theme picked from the palette...), kept apart from the
        user's hand-written config.yaml so that we never rewrite their comments."""
        return self.data_dir / "settings.json"

    @property
    def layouts_dir(self) -> Path:
        return self.config_dir / "layouts"

    @property
    def themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def rules_dir(self) -> Path:
        return self.config_dir / "rules"

    @property
    def plugins_dir(self) -> Path:
        return self.config_dir / "plugins"

    @property
    def db_file(self) -> Path:
        return self.data_dir / "wezmp.db"

    @property
    def snapshots_dir(self) -> Path:
        return self.data_dir / "snapshots"

    @property
    def socket(self) -> Path:
        return self.runtime_dir / "wezmp.sock"

    @property
    def lock_file(self) -> Path:
        return self.runtime_dir / "wezmp.lock"

    @property
    def status_file(self) -> Path:
        """Small JSON file the daemon rewrites (atomically) for WezTerm's status bar."""
        return self.runtime_dir / "status.json"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "wezmp.log"

    def ensure_runtime_dir(self) -> Path:
        """Create the runtime directory with mode 0700 and refuse one that others can enter."""
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = self.runtime_dir.stat()
        if st.st_uid != os.getuid():
            raise PermissionError(f"{self.runtime_dir} belongs to uid {st.st_uid}, not to you")
        if st.st_mode & 0o077:
            os.chmod(self.runtime_dir, 0o700)
        return self.runtime_dir

    def ensure_dirs(self) -> None:
        for d in (self.config_dir, self.data_dir, self.state_dir):
            d.mkdir(parents=True, exist_ok=True)
        self.ensure_runtime_dir()


def _xdg(env: Mapping[str, str], var: str, default: Path) -> Path:
    value = env.get(var, "")
    # The XDG spec says relative paths are invalid and must be ignored.
    return Path(value) if value and os.path.isabs(value) else default


def resolve(env: Mapping[str, str] | None = None) -> Paths:
    """Compute the paths from the environment (os.environ by default)."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    profile = env.get("WEZMP_PROFILE", "")
    name = APP if not profile else f"{APP}-{profile}"

    def pick(override: str, xdg_var: str, default: Path) -> Path:
        if env.get(override):
            return Path(env[override])
        return _xdg(env, xdg_var, default) / name

    runtime_default = Path(f"/tmp/{APP}-{os.getuid()}")
    runtime_root = _xdg(env, "XDG_RUNTIME_DIR", Path())
    if env.get("WEZMP_RUNTIME_DIR"):
        runtime = Path(env["WEZMP_RUNTIME_DIR"])
    elif runtime_root != Path():
        runtime = runtime_root / name
    else:
        runtime = runtime_default if not profile else Path(f"{runtime_default}-{profile}")
    return Paths(
        config_dir=pick("WEZMP_CONFIG_DIR", "XDG_CONFIG_HOME", home / ".config"),
        data_dir=pick("WEZMP_DATA_DIR", "XDG_DATA_HOME", home / ".local" / "share"),
        state_dir=pick("WEZMP_STATE_DIR", "XDG_STATE_HOME", home / ".local" / "state"),
        runtime_dir=runtime,
    )


def builtin_dir(kind: str) -> Path:
    """Directory of the shipped `themes`, `layouts` or `lua` files.

    In a checkout (and an editable install) they sit at the repository's top level; an installed
    wheel puts them under `<prefix>/share/wezmp/`.
    """
    repo = Path(__file__).resolve().parent.parent / kind
    if repo.is_dir():
        return repo
    return Path(sys.prefix) / "share" / APP / kind


def package_data(*parts: str) -> Path:
    """A file shipped inside the package (agent-state rules...)."""
    return Path(__file__).resolve().parent.joinpath("data", *parts)
