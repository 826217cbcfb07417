"""A desktop notification service for the GUI tests: `org.freedesktop.Notifications` on the
session bus named by `DBUS_SESSION_BUS_ADDRESS`, logging each call as one JSON line.

    python -m tests.wezterm_gui.notify_service LOG

It answers what WezTerm's toasts ask (`GetCapabilities`, `Notify`, `CloseNotification`,
`GetServerInformation`) and writes `{"ready": true}` once it owns the name, so a test knows
notifications can be received before it starts WezTerm.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import Message

NAME = "org.freedesktop.Notifications"
DO_NOT_QUEUE = 4
PRIMARY_OWNER = 1


def log(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record) + "\n")
    out.flush()


def answer(msg: Message, out: TextIO, next_id: list[int]) -> Message:
    fields = msg.header.fields
    member = fields.get(HeaderFields.member)
    if fields.get(HeaderFields.interface) != NAME:
        return new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (str(member),))
    if member == "GetCapabilities":
        return new_method_return(msg, "as", (["body", "actions"],))
    if member == "GetServerInformation":
        return new_method_return(msg, "ssss", ("wezmp-test", "wezmp", "1", "1.2"))
    if member == "Notify":
        app, _replaces, _icon, summary, body, actions, _hints, timeout = msg.body
        next_id[0] += 1
        log(out, {"notify": next_id[0], "app": app, "summary": summary, "body": body,
                  "actions": list(actions), "timeout": timeout})  # fmt: skip
        return new_method_return(msg, "u", (next_id[0],))
    if member == "CloseNotification":
        log(out, {"close": msg.body[0]})
        return new_method_return(msg)
    return new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (str(member),))


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: notify_service.py LOG\n")
        return 2
    with open(argv[0], "a") as out:
        conn = open_dbus_connection(bus="SESSION")
        reply = conn.send_and_get_reply(message_bus.RequestName(NAME, DO_NOT_QUEUE))
        if reply.body[0] != PRIMARY_OWNER:
            sys.stderr.write(f"{NAME} is taken on this bus\n")
            return 1
        log(out, {"ready": True})
        next_id = [0]
        while True:
            msg = conn.receive()
            if msg.header.message_type == MessageType.method_call:
                conn.send(answer(msg, out, next_id))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
