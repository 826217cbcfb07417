"""Plugins in a real daemon: one installed from a package (a wheel with real entry-point
metadata, installed by pip into a directory on the daemon's path) and one dropped into the
plugins dir both receive its events; raising, hanging and non-importing plugins beside them
leave it serving."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wezmp_argv
from tests.helpers import wait_until
from tests.plugins.test_service import BAD_PLUGINS, RECORDER
from wezmp_tui.daemon.lock import holder_pid
from wezmp_tui.paths import Paths

PACKAGE = '''
import json
from wezmp_tui.plugins.api import hookimpl

HOST = []

@hookimpl
def wezmp_plugin_start(host):
    HOST.append(host)

@hookimpl
def wezmp_workspace_created(event):
    with open(HOST[0].options()["out"], "a") as f:
        f.write(json.dumps({"from": "package", "workspace": event.workspace}) + "\\n")

@hookimpl
def wezmp_task_created(event):
    with open(HOST[0].options()["out"], "a") as f:
        f.write(json.dumps({"from": "package", "task": event.title}) + "\\n")

@hookimpl
def wezmp_cli_commands():
    import click

    @click.command("demo-hello")
    def hello():
        click.echo("hello from a plugin")

    return [hello]
'''


def _wheel(where: Path) -> Path:
    """A wheel of package `demo_wezmp` with a `wezmp.plugins` entry point `demo`."""
    dist = "demo_wezmp-0.1.dist-info"
    files = {
        "demo_wezmp/__init__.py": PACKAGE,
        f"{dist}/METADATA": "Metadata-Version: 2.1\nName: demo-wezmp\nVersion: 0.1\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{dist}/entry_points.txt": "[wezmp.plugins]\ndemo = demo_wezmp\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist}/RECORD,,")
    files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
    path = where / "demo_wezmp-0.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo package installed by pip into a directory of its own (once per module)."""
    root = tmp_path_factory.mktemp("pkg")
    target = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps",
         "--disable-pip-version-check", "--target", str(target), str(_wheel(root))],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert (target / "demo_wezmp-0.1.dist-info" / "entry_points.txt").exists()
    return target


def _notices(paths: Paths, n: int) -> list[dict[str, Any]] | None:
    got = json.loads(paths.status_file.read_text())["notices"]
    return got if len(got) >= n else None


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(wezmp_argv(*args), capture_output=True, text=True, timeout=60)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_package_and_file_plugins_hear_a_real_daemon_beside_bad_ones(
    installed: Path, wezmp_env: Paths, short_tmp: Path, monkeypatch: pytest.MonkeyPatch,
    some_backend: str,
) -> None:  # fmt: skip
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(installed), os.environ.get(
        "PYTHONPATH", "")]))  # fmt: skip
    pkg_out, file_out = short_tmp / "pkg.jsonl", short_tmp / "file.jsonl"
    wezmp_env.config_dir.mkdir(parents=True, exist_ok=True)
    action_out = short_tmp / "action.txt"
    record = short_tmp / "record.py"
    record.write_text("import sys\nopen(sys.argv[1], 'a').write(sys.stdin.read() + '\\n')\n")
    wezmp_env.config_file.write_text(textwrap.dedent(f"""\
        plugins:
          timeout: 0.5
          max_failures: 2
          options:
            demo: {{out: {pkg_out}}}
        notifications:
          events:
            task.created: {{bell: false, desktop: false}}
        actions:
          - event: task.created
            run: [{sys.executable}, {record}, {action_out}]
        """))
    wezmp_env.plugins_dir.mkdir()
    (wezmp_env.plugins_dir / "rec.py").write_text(RECORDER.format(out=str(file_out)))
    for name, code in BAD_PLUGINS.items():
        (wezmp_env.plugins_dir / f"{name}.py").write_text(textwrap.dedent(code))
    try:
        for i in range(3):
            made = _cli("ws", "create", f"w{i}", "--cwd", str(short_tmp))
            assert made.returncode == 0, made.stderr
        assert _cli("task", "add", "from the cli").returncode == 0
        wait_until(lambda: len(_lines(pkg_out)) >= 4)
        wait_until(lambda: len(_lines(file_out)) >= 4)
        assert _lines(pkg_out) == [
            {"from": "package", "workspace": "w0"}, {"from": "package", "workspace": "w1"},
            {"from": "package", "workspace": "w2"}, {"from": "package", "task": "from the cli"},
        ]  # fmt: skip
        assert [x.get("workspace") for x in _lines(file_out)] == ["w0", "w1", "w2", None]
        # The action ran once.
        ran = wait_until(lambda: _lines(action_out))
        assert [(x["event"], x["title"]) for x in ran] == [("task.created", "from the cli")]

        def states() -> dict[str, Any] | None:
            out = _cli("plugin", "list", "--json")
            got = {p["name"]: p for p in json.loads(out.stdout)}
            return got if got["raiser"]["state"] == got["hanger"]["state"] == "off" else None

        listed = wait_until(states)
        # Toasts (in the status file) for the task, and for the plugins wezmp turned off.
        notices = wait_until(lambda: _notices(wezmp_env, 3))
        assert sorted(n["title"] for n in notices) == [
            "plugin hanger turned off", "plugin raiser turned off", "task #1 added",
        ]  # fmt: skip
        assert listed["demo"]["source"] == "package" and listed["demo"]["dist"] == "demo-wezmp"
        assert listed["demo"]["state"] == listed["rec"]["state"] == "on"
        assert listed["broken"]["state"] == "error"
        # Still serving, and says what happened.
        assert _cli("ws", "list", "--json").returncode == 0
        text = _cli("plugin", "list").stdout
        assert "raiser" in text and "turned off after 2 failures" in text
        doctor = _cli("plugin", "doctor").stdout
        assert "NameError: name 'undefined_name' is not defined" in doctor
        hello = _cli("demo-hello")
        assert hello.stdout.strip() == "hello from a plugin", hello.stderr
        assert "demo-hello" in _cli("--help").stdout
        log = (wezmp_env.state_dir / "wezmp.log").read_text()
        assert "plugin hanger: hook wezmp_workspace_created timed out" in log
    finally:
        subprocess.run(wezmp_argv("daemon", "stop"), capture_output=True, timeout=30)
    # It stops although a plugin's thread is still stuck in a hook.
    wait_until(lambda: holder_pid(wezmp_env.lock_file) is None)
