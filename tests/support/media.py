"""Audio made at test time with the standard library: a tone, then silence."""
from __future__ import annotations

import base64
import io
import math
import struct
import wave
from pathlib import Path
from typing import BinaryIO, Union

RATE = 8000


def write_tone_wav(path: Union[Path, BinaryIO], *, tone: float = 1.0, silence: float = 1.0, hz: float = 440.0):
    """A mono 16-bit WAV (into a file or a binary buffer): ``tone`` seconds of a sine, then ``silence`` seconds of nothing."""
    frames = [int(12000 * math.sin(2 * math.pi * hz * i / RATE)) for i in range(int(tone * RATE))]
    frames += [0] * int(silence * RATE)
    with wave.open(path if not isinstance(path, Path) else str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(frames)}h", *frames))
    return path


def wav_data_uri(**tone: float) -> str:
    """The WAV of :func:`write_tone_wav` as a data URI, for tasks that carry their audio (``--keep-base64``)."""
    buffer = io.BytesIO()
    write_tone_wav(buffer, **tone)
    return "data:audio/wav;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
