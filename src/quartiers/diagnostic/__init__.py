"""The diagnostic (layer ⑤): inputs read → indicators → zones → index → :class:`Diagnostic`.

``pipeline.diagnose`` is the one entry point (reads the sources, decides walking access);
``run.run_diagnostic`` diagnoses inputs already read (steps: ``_prepare``, ``_cell_indicators``,
``aggregate``, ``scoring``, ``_assemble``, ``robustness``); ``result`` holds the
:class:`Diagnostic`; ``_io`` writes and reads its output directory; ``record`` types its
``run.json`` (:class:`RunRecord`). Web, report and actions read only a :class:`Diagnostic`.
"""

from quartiers.diagnostic._indicator_memo import IndicatorMemo
from quartiers.diagnostic.record import RunRecord
from quartiers.diagnostic.run import Diagnostic, RobustnessOptions, run_diagnostic

__all__ = ["Diagnostic", "IndicatorMemo", "RobustnessOptions", "RunRecord", "run_diagnostic"]
