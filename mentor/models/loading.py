"""Load a spaCy pipeline by name, path or ``blank:LANG``, with a clear error."""
from __future__ import annotations

from typing import Any

from ..errors import NotFound


def load_pipeline(name: str, **kwargs: Any) -> Any:
    """Load ``blank:en``, an installed package or a pipeline folder.

    Raises NotFound (not spaCy's OSError) when the pipeline isn't there, since
    nothing can be downloaded at run time.
    """
    import spacy

    if name.startswith("blank:"):
        try:
            return spacy.blank(name.split(":", 1)[1])
        except ImportError:
            raise NotFound(f"Unknown language code in '{name}'") from None
    try:
        return spacy.load(name, **kwargs)
    except OSError:
        raise NotFound(
            f"Can't find spaCy pipeline '{name}': use blank:LANG, a pipeline folder, or an installed package"
        ) from None
