"""Command-line interface. Each command group lives in its own module, imported only when
that command runs (see `main.COMMANDS`)."""
