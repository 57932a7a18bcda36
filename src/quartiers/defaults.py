"""Defaults shown in the command-line help, kept in a module that imports nothing heavy.

The CLI declares its options when it starts; reading these values from here lets
``quartiers --help`` answer without importing pandas, geopandas or the pipeline.
"""

from __future__ import annotations

__all__ = ["DEFAULT_CHOSEN", "DEFAULT_MARGIN_M", "DEFAULT_SEED"]

#: Seed of the demo territory generator (same seed, same fictitious territory).
DEFAULT_SEED = 2024

#: Margin (m) added around the territory when clipping national files: walking distances
#: from border cells to resources in neighbouring communes stay right.
DEFAULT_MARGIN_M = 1500.0

#: Suggestions chosen by default (workshop page, roadmap command).
DEFAULT_CHOSEN = 4
