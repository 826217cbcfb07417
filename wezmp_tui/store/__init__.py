"""SQLite persistence. Each domain (workspaces, agents, board, ...) owns its tables and its
own list of migrations, so domains evolve independently."""
