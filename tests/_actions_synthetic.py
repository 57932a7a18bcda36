"""The synthetic territory type shared by the actions tests (imported by name, not via conftest)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from quartiers.diagnostic import Diagnostic
from quartiers.method.spec import Method
from quartiers.schemas import TerritoryInputs


@dataclass(frozen=True)
class Synthetic:
    """A tiny territory (10 × 10 cells) with every layer, its access table and diagnostic."""

    inputs: TerritoryInputs
    access: pd.DataFrame
    method: Method
    before: Diagnostic
