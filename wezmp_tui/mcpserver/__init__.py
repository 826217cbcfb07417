"""`wezmp mcp`: the board and the agents' states offered to agents as MCP tools."""
