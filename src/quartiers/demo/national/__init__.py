"""A fictitious France at national size, in the official formats (``quartiers demo --echelle``)."""

from quartiers.demo.national.generator import FILES, SCALES, NationalFiles, generate_france

__all__ = ["FILES", "SCALES", "NationalFiles", "generate_france"]
