"""``image.manual``: draw labelled boxes and polygons on images."""
from __future__ import annotations

from typing import Annotated, Optional

from ..core import Components
from ..errors import InputError
from ..loaders import get_stream
from ..registry import Arg, Opt, recipe
from ..tasks import split_string

DARKEN = 0.3


@recipe("image.manual", group="annotation")
def image_manual(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    source: Annotated[str, Arg(help="Folder of images (jpg, png, gif, webp, ...)")],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s)")] = None,
    darken: Annotated[bool, Opt("--darken", "-D", help="Darken the image so the shapes stand out")] = False,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Draw rectangles and polygons on images and label them.

    Each image is shown once; its answer's ``spans`` hold the shapes, each with
    ``label``, ``points`` and, for rectangles, ``x``, ``y``, ``width`` and ``height``.
    """
    labels = split_string(label)
    if not labels:
        raise InputError("image.manual needs at least one label: --label CAT,DOG")
    return Components(
        dataset=dataset,
        view_id="image_manual",
        stream=get_stream(source, loader="images", dedup=True),
        exclude=split_string(exclude),
        config={"labels": labels, "darken_image": DARKEN if darken else 0, "exclude_by": "input"},
    )
