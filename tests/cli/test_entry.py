"""The fast entry paths: the daemon's asyncio without OpenSSL."""

from __future__ import annotations

import pytest

from tests.conftest import require_tmux
from tests.helpers import fresh_python
from wezmp_tui.paths import Paths


def test_daemon_asyncio_does_not_load_openssl_but_ssl_still_imports() -> None:
    code = (
        "import sys\n"
        "from wezmp_tui.cli.entry import import_asyncio_without_tls\n"
        "asyncio = import_asyncio_without_tls()\n"
        "assert 'ssl' not in sys.modules, 'ssl was loaded'\n"
        "assert import_asyncio_without_tls() is asyncio\n"
        "asyncio.run(asyncio.sleep(0))\n"
        "import ssl\n"
        "print(ssl.OPENSSL_VERSION)\n"
    )
    proc = fresh_python(code)
    assert proc.returncode == 0, proc.stderr
    assert "OpenSSL" in proc.stdout


@pytest.mark.parametrize("backend", ["local", "tmux"])
def test_a_daemon_maps_no_openssl_nor_compression(
    backend: str, wezmp_env: Paths, tmux_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libssl and libcrypto are 4 MiB of resident memory the daemon has no use for: neither
    asyncio's TLS nor OpenSSL's hashes (pulled in by `secrets`, from wezmp's own tmux code
    or a library under the built-in backend) may load them; nor may `shutil` load the
    compression libraries (0.6 MiB) to find an executable."""
    import subprocess
    import sys

    from wezmp_tui.ipc.client import connect, start_daemon

    if backend == "tmux":
        require_tmux()
    monkeypatch.setenv("WEZMP_BACKEND", backend)
    monkeypatch.setenv("WEZMP_TMUX_SOCKET", tmux_name)
    start_daemon(wezmp_env)
    try:
        with connect(autostart=False) as c:
            pid = c.call("system.status")["pid"]
            c.call("ws.create", name="mem", cwd=str(wezmp_env.data_dir))
        with open(f"/proc/{pid}/maps") as f:
            libs = {line.split()[-1].rsplit("/", 1)[-1] for line in f if "/" in line}
        unwanted = ("libcrypto", "libssl", "liblzma", "libbz2", "_lzma", "_bz2")
        assert not [lib for lib in libs if lib.startswith(unwanted)], libs
    finally:
        subprocess.run([sys.executable, "-m", "wezmp_tui", "daemon", "stop"],
                       capture_output=True, timeout=20, check=False)  # fmt: skip
