from __future__ import annotations

from wezmp_tui.errors import InvalidParams, NotFound, ProtocolMismatch
from wezmp_tui.ipc.protocol import mismatch_of

SAID = "the running daemon speaks protocol {}, this client 2: run `wezmp daemon restart`"


def test_a_failed_hello_names_the_protocols_whoever_said_it() -> None:
    # This daemon's own answer, as the wire brings it back.
    ours = ProtocolMismatch("whatever the daemon said", data={"protocol": 3, "type": "x"})
    assert str(mismatch_of(ours, 2)) == SAID.format(3)
    # A daemon from before ProtocolMismatch existed answered InvalidParams.
    old = InvalidParams(
        "protocol 2 is not supported (this daemon speaks 1); restart the daemon: wezmp daemon stop"
    )
    found = mismatch_of(old, 2)
    assert isinstance(found, ProtocolMismatch) and str(found) == SAID.format(1)
    assert mismatch_of(InvalidParams("topics must be a list of strings"), 2) is None
    assert mismatch_of(NotFound("no such thing"), 2) is None
    assert mismatch_of(OSError("reset"), 2) is None
