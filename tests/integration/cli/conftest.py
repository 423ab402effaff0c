import subprocess
import sys
from dataclasses import dataclass

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def mentor(mentor_home):
    """Run ``python -m mentor ARGS`` as a user would, in a fresh mentor home."""

    def run(*args: str, input: str = None) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "mentor", *args],
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run
