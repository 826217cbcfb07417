"""How soon an event reaches a plugin's hook, an event action and a notification (the toast
notice in the status file the Lua module reads), on a real daemon; and the daemon's RSS idle
with a plugin loaded.

    python bench/notify.py [tmux|local]
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._util import cleanup, isolated_env, machine, ms, rss_mib

N = 50
STAMP = "import sys, time; open(sys.argv[1], 'a').write(f'{time.time()}\\n')"
PLUGIN = """
import time
from wezmp_tui.plugins.api import hookimpl

@hookimpl
def wezmp_task_created(event):
    with open({out!r}, "a") as f:
        f.write(f"{{time.time()}}\\n")
"""


def stamps(path: Path) -> list[float]:
    return [float(x) for x in path.read_text().split()] if path.exists() else []


def wait_for(fn: object, deadline: float = 10.0) -> None:
    end = time.monotonic() + deadline
    while not fn():  # type: ignore[operator]
        if time.monotonic() > end:
            raise SystemExit("timed out waiting for the daemon")
        time.sleep(0.002)


def main() -> None:
    print(f"machine: {machine()}")
    backend = sys.argv[1] if len(sys.argv) > 1 else "tmux"
    root = isolated_env(backend)
    config_dir = Path(os.environ["WEZMP_CONFIG_DIR"])
    (config_dir / "plugins").mkdir(parents=True)
    hook_out, action_out = root / "hook.txt", root / "action.txt"
    (config_dir / "plugins" / "stamp.py").write_text(PLUGIN.format(out=str(hook_out)))
    (config_dir / "config.yaml").write_text(json.dumps({
        "notifications": {"events": {"task.created": {"bell": False, "desktop": False}},
                          "quiet_seconds": 0},
        "actions": [{"event": "task.created", "run": [sys.executable, "-c", STAMP,
                                                       str(action_out)]}],
    }))  # fmt: skip
    from wezmp_tui.ipc.client import connect
    from wezmp_tui.paths import resolve

    status = resolve(os.environ).status_file
    hook, action, notice = [], [], []
    try:
        with connect() as c:
            pid = int(c.server["pid"])
            time.sleep(1.5)
            print(f"daemon RSS idle ({backend}, one plugin loaded): {rss_mib(pid):.1f} MiB")
            for i in range(N):
                start = time.time()
                c.call("task.add", title=f"t{i}")

                def noticed(i: int = i) -> bool:
                    try:
                        got = json.loads(status.read_text())["notices"]
                    except (OSError, ValueError, KeyError):
                        return False
                    return any(n["body"] == f"t{i}" for n in got)

                wait_for(noticed)
                notice.append(time.time() - start)
                wait_for(lambda i=i: len(stamps(hook_out)) > i and len(stamps(action_out)) > i)
                hook.append(stamps(hook_out)[i] - start)
                action.append(stamps(action_out)[i] - start)
                time.sleep(0.25)  # past the status file's 200 ms coalescing window
            c.call("system.shutdown")
        print(f"event -> plugin hook:        {ms(hook)}")
        print(f"event -> action running:     {ms(action)}  (a new Python process each)")
        print(f"event -> toast in status:    {ms(notice)}  (polled every 2 ms)")
    finally:
        cleanup(root)


if __name__ == "__main__":
    main()
