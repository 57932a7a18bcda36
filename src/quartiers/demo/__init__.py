"""The embedded demo territory « Ville-Témoin » (fictitious), in the official formats."""

from quartiers.demo.generator import DEFAULT_SEED, FILES, SOURCE_IDS, generate

__all__ = ["DEFAULT_SEED", "FILES", "SOURCE_IDS", "generate"]
