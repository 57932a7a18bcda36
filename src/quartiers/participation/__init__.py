"""Residents' contributions: store (SQLAlchemy + Alembic), moderation, web router, exports.

Import from the submodules (this package stays light so that the CLI starts fast):
``store.ContributionStore``, ``territories.Territory``, ``api.build_router``,
``routing.ParticipationConfig``, ``schemas`` (Create / Update / Public), ``workshop``,
``exports``, ``backup``. See ``docs/participation.md``.
"""
