"""What wezmp and its agents wrote: the daemon's JSON-lines log and each agent's output per run."""
