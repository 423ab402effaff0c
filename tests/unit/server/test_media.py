"""GET /media sends the audio and video files tasks name, and nothing else."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from fastapi.testclient import TestClient
from support.media import write_tone_wav

from mentor.recipes.audio import audio_manual


def test_media_sends_named_files_with_ranges_and_refuses_the_rest(make_client: Callable[..., TestClient],
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    wav = write_tone_wav(folder / "a.wav")
    (folder / "b.wav").write_bytes(b"RIFF")  # any file the folder holds is a task
    (tmp_path / "server.db.wav").write_bytes(b"RIFF")
    comps = audio_manual("clips", str(folder), label="A")
    client = make_client(comps)
    tasks = client.post("/get_session_questions", json={"session_id": "x"}).json()["tasks"]
    assert [t["audio"] for t in tasks] == [str(wav), str(folder / "b.wav")]
    full = client.get("/media", params={"path": tasks[0]["audio"]})
    assert full.status_code == 200 and full.content == wav.read_bytes()
    assert full.headers["content-type"].startswith("audio/") and "private" in full.headers["cache-control"]
    part = client.get("/media", params={"path": str(wav)}, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == b"RIFF"
    for path in (str(tmp_path / "server.db.wav"), str(folder / ".." / "server.db.wav"), "/etc/passwd",
                 str(folder), "a.wav", str(folder) + "/../recordings/../../server.db"):
        assert client.get("/media", params={"path": path}).status_code == 404, path
    assert client.get("/media").status_code == 422


def test_media_is_404_for_recipes_without_media(make_client: Callable[..., TestClient]) -> None:
    assert make_client().get("/media", params={"path": "/etc/hostname"}).status_code == 404
