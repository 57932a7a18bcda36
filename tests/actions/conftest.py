"""Fixtures of the actions tests: a synthetic territory and a workshop over the demo."""

from __future__ import annotations

import pytest

from _actions_synthetic import Synthetic
from _synthetic import access_table, environment_layers, make_territory
from quartiers.actions.workshop import Workshop
from quartiers.demo.pipeline import DemoRun
from quartiers.diagnostic import run_diagnostic
from quartiers.method.spec import default_method


@pytest.fixture(scope="session")
def synthetic() -> Synthetic:
    """Return the synthetic territory and its baseline diagnostic (computed once)."""
    inputs = make_territory(**environment_layers())
    access = access_table(inputs.cells)
    method = default_method()
    before = run_diagnostic(inputs, method=method, access=access)
    return Synthetic(inputs=inputs, access=access, method=method, before=before)


@pytest.fixture(scope="session")
def demo_workshop(demo_run: DemoRun) -> Workshop:
    """Return a workshop over the demo's diagnostic directory (inputs reloaded lazily)."""
    return Workshop.open(demo_run.out_dir)
