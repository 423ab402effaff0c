"""``mentor predict``: a spaCy pipeline over a large source, into resumable shards, on one machine or Ray.

:func:`run.predict` is the entry point; :mod:`shards` is the output folder
(manifest, atomic shards, resume), :mod:`local` and :mod:`ray_engine` the two
engines, :mod:`dataset` the import of finished shards into a dataset, and
:mod:`progress` the bar shared with the ``*.model-annotate`` recipes. The
predictions themselves are :mod:`mentor.models.prediction`'s.
"""
