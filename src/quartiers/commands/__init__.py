"""CLI commands, one module per command group; importing this package registers them on ``app``."""

from quartiers.commands import serve as serve
from quartiers.commands import sources as sources
