"""Audio made at test time with the standard library: a tone, then silence."""
from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 8000


def write_tone_wav(path: Path, *, tone: float = 1.0, silence: float = 1.0, hz: float = 440.0) -> Path:
    """A mono 16-bit WAV: ``tone`` seconds of a sine, then ``silence`` seconds of nothing."""
    frames = [int(12000 * math.sin(2 * math.pi * hz * i / RATE)) for i in range(int(tone * RATE))]
    frames += [0] * int(silence * RATE)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(frames)}h", *frames))
    return path
