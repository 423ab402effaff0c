"""Measures of annotation quality: inter-annotator agreement.

``agreement.py`` is the math, on plain values: no database, no command line.
"""
