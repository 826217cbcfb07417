"""`lua5.4 FILE ARGS…` for machines without a Lua interpreter: the same Lua 5.4, embedded
through lupa (a test dependency), with the same `arg` table and exit status.

`make lua-test` and the tests that load a `wezterm.lua` use this when `lua5.4` is absent, so
a fresh machine runs every Lua test with nothing installed by hand.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: lupa_lua.py FILE [ARGS…]\n")
        return 2
    from lupa import lua54

    lua = lua54.LuaRuntime(unpack_returned_tuples=True)
    # `arg` as the stand-alone interpreter sets it: arg[0] the script, arg[1…] its arguments.
    set_arg = lua.eval("function(t) arg = {} for i, v in ipairs(t) do arg[i - 1] = v end end")
    set_arg(lua.table_from(argv))
    run = lua.eval("function(path) return dofile(path) end")
    try:
        run(argv[0])
    except lua54.LuaError as exc:
        sys.stderr.write(f"lua: {exc}\n")
        return 1
    # A script that ends without os.exit succeeds, as under lua5.4.
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
