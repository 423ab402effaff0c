"""mentor: scriptable annotation for machine teaching, built on spaCy."""
from .registry import Arg, Opt, recipe
from .tasks import set_hashes, split_string

__version__ = "0.1.0"


def connect(*args, **kwargs):  # noqa: ANN002, ANN003 - mirrors Database's signature
    """Open the configured database (see :func:`mentor.db.connect`)."""
    from .db import connect as _connect

    return _connect(*args, **kwargs)


__all__ = ["recipe", "Arg", "Opt", "set_hashes", "split_string", "connect", "__version__"]
