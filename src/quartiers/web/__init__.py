"""Web application: FastAPI pages, JSON API and local MapLibre assets over diagnostics."""

from quartiers.web.app import create_app

__all__ = ["create_app"]
