"""--gpu-id on a machine where spaCy can't use a GPU: one line naming the fix, not thinc's traceback."""
from __future__ import annotations

import pytest
import thinc.api
from thinc.api import Config

from mentor.training.errors import GpuUnavailable
from mentor.training.train import train_pipeline


def test_gpu_id_without_cupy_is_a_user_error(tmp_path, monkeypatch):
    def no_cupy(gpu_id: int = 0) -> bool:  # what thinc's require_gpu raises where CuPy is missing
        raise ValueError("Cannot use GPU, CuPy is not installed")

    monkeypatch.setattr(thinc.api, "require_gpu", no_cupy)
    with pytest.raises(GpuUnavailable) as caught:
        train_pipeline(Config({"nlp": {"lang": "en"}}), tmp_path / "out", use_gpu=0)
    message = str(caught.value)
    assert "--gpu-id 0" in message and "CuPy is not installed" in message and "--gpu-id -1" in message
    assert caught.value.code == "M075"
    assert not (tmp_path / "out").exists()  # refused before anything is written
