"""`wezmp web`: the control center in a browser, for its owner only."""
