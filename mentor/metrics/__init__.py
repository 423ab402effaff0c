"""Measures of annotation quality: inter-annotator agreement.

``agreement.py`` is the math, on plain values: no database, no command line.
``iaa.py`` turns stored answers into the items that math compares, one report
a kind of task; ``errors.py`` holds what a user can get wrong (M140-M149).
"""
