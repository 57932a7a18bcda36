"""CLI commands, one module per command group; importing this package registers them on ``app``."""

from quartiers.commands import roadmap as roadmap
from quartiers.commands import sources as sources
