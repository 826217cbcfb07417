"""The multiplexer layer: one `Mux` contract, three backends (wezterm, tmux, local)."""
