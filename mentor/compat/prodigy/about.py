"""``prodigy.about``: the package's name and version, as Prodigy's module has them.

The version is the Prodigy API this stand-in follows, marked as mentor's.
"""
__title__ = "prodigy"
__version__ = "1.15.0+mentor"
__summary__ = "mentor's stand-in for Prodigy's recipe API (not Prodigy)"
__author__ = "mentor"
__license__ = "MIT"
