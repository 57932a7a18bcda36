"""CLI commands, one module per command group; importing this package registers them on ``app``."""

from quartiers.commands import contributions as contributions
from quartiers.commands import demo as demo
from quartiers.commands import diagnose as diagnose
from quartiers.commands import methods as methods
from quartiers.commands import reference as reference
from quartiers.commands import report as report
from quartiers.commands import roadmap as roadmap
from quartiers.commands import serve as serve
from quartiers.commands import sources as sources
