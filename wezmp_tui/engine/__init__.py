"""Services that hold wezmp's state and work. No Textual, no sockets: interfaces call in."""
