"""The fast entry paths: the daemon's asyncio without OpenSSL."""

from __future__ import annotations

from tests.helpers import fresh_python


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
