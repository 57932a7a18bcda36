"""Documents read from a diagnostic: QPV sheets, territory synthesis, comparison, map page.

Import from the submodules (this package stays light so that the CLI starts fast):
``render`` (write the sheets, the synthesis and the comparison: Jinja2 + WeasyPrint),
``context``, ``synthesis`` and ``comparison`` (what each document shows, pure),
``maps`` and ``charts`` (matplotlib figures), ``contributions`` (residents' published
contributions) and ``carte`` (the offline MapLibre page). See ``docs/reports.md``.
"""
