"""CLI commands, one module per command group; importing this package registers them on ``app``."""
