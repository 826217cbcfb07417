"""Talking to the daemon: newline-delimited JSON-RPC 2.0 over a Unix socket."""
