"""A workshop page opened under ``quartiers serve`` prepares its what-if baseline ahead."""

from __future__ import annotations

from dataclasses import replace

from quartiers.actions.workshop import Workshop
from quartiers.demo.pipeline import DemoRun


def test_warm_prepares_the_baseline_once_in_the_background(demo_run: DemoRun) -> None:
    workshop = Workshop.open(demo_run.out_dir)  # its own: the shared one may be ready already
    thread = workshop.warm()
    assert thread is not None and thread.daemon
    assert workshop.warm() is None  # under way: not started twice
    thread.join(timeout=300)
    assert not thread.is_alive()
    assert workshop._baseline is not None  # the first simulation finds it ready
    assert workshop.warm() is None


def test_warm_does_nothing_without_inputs(demo_workshop: Workshop) -> None:
    without = replace(demo_workshop, loader=None)
    assert not without.can_simulate
    assert without.warm() is None
