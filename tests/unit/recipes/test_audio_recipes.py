"""audio.manual, video.manual and audio.transcribe, called as functions, and their media loader."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import srsly
from support.media import write_tone_wav

from mentor.errors import InputError, NoMediaFiles, SourceNotFound
from mentor.loaders.media import MediaFiles, get_media_stream
from mentor.recipes.audio import audio_manual, audio_transcribe, video_manual


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    write_tone_wav(recordings / "b.wav", hz=300)
    write_tone_wav(recordings / "a.wav")
    (recordings / "notes.txt").write_text("not audio")
    return recordings


def test_audio_manual_serves_a_folder_by_path_not_base64(folder: Path) -> None:
    comps = audio_manual("ds", str(folder), label="SPEAKER_1,SPEAKER_2")
    assert comps.view_id == "audio_manual" and comps.config["labels"] == ["SPEAKER_1", "SPEAKER_2"]
    tasks = list(comps.stream)
    assert [t["meta"]["file"] for t in tasks] == ["a.wav", "b.wav"]
    assert tasks[0]["audio"] == str(folder / "a.wav") and not tasks[0]["audio"].startswith("data:")
    assert tasks[0]["_input_hash"] != tasks[1]["_input_hash"]
    # the server may send exactly the files the tasks named
    assert comps.media.find(str(folder / "a.wav")) == (folder / "a.wav").resolve()
    assert comps.media.find(str(folder / "sub" / ".." / "b.wav")) == (folder / "b.wav").resolve()
    assert comps.media.find(str(folder / "notes.txt")) is None
    assert comps.media.find(str(folder / ".." / "recordings" / "notes.txt")) is None
    assert comps.media.find("/etc/passwd") is None


def test_keep_base64_inlines_and_keeps_it(folder: Path) -> None:
    comps = audio_manual("ds", str(folder), label="A", keep_base64=True)
    task = next(iter(comps.stream))
    assert task["audio"].startswith("data:audio/") and comps.before_db is None
    assert comps.media.find(str(folder / "a.wav")) is None  # nothing to send: it travels in the task


def test_before_db_stores_the_path_instead_of_inlined_base64(tmp_path: Path) -> None:
    source = tmp_path / "inlined.jsonl"
    srsly.write_jsonl(source, [{"audio": "data:audio/wav;base64,UklGRg==", "path": "clips/a.wav"}])
    comps = audio_manual("ds", str(source), label="A")
    task = next(iter(comps.stream))
    assert task["audio"].startswith("data:")  # a URL is the browser's to load
    assert comps.before_db([dict(task)])[0]["audio"] == "clips/a.wav"


def test_jsonl_paths_inside_its_folder_urls_and_bad_lines(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    outside = write_tone_wav(folder.parent / "outside.wav")
    source = folder / "tasks.jsonl"
    srsly.write_jsonl(source, [
        {"audio": "a.wav", "meta": {"n": 1}},
        {"audio": str(outside)},
        {"audio": "missing.wav"},
        {"audio": "notes.txt"},
        {"text": "no audio"},
        {"audio": "https://example.org/b.mp3"},
    ])
    media = MediaFiles()
    with caplog.at_level(logging.WARNING):
        stream = get_media_stream(source, media)
        tasks = list(stream)
    assert [t["audio"] for t in tasks] == [str((folder / "a.wav").resolve()), "https://example.org/b.mp3"]
    assert tasks[0]["path"] == "a.wav" and tasks[0]["meta"] == {"n": 1}
    assert stream.skipped == 4
    assert [e.code for e in stream.errors] == ["M240", "M241", "M241", "M011"]
    assert "tasks.jsonl:2: " in caplog.text and "--fetch-media" in caplog.text
    # --fetch-media: a file outside the folder is served too
    fetched = MediaFiles()
    assert len(list(get_media_stream(source, fetched, fetch_media=True))) == 3
    assert fetched.find(str(outside)) == outside.resolve()
    assert media.find(str(outside)) is None


def test_video_and_transcribe(folder: Path) -> None:
    assert "video" in next(iter(audio_manual("ds", str(folder), label="A", loader="video-server").stream))
    video = video_manual("ds", str(folder), label="CUT")
    assert video.view_id == "audio_manual" and "video" in next(iter(video.stream))
    comps = audio_transcribe("ds", str(folder), field_id="text_out")
    assert comps.view_id == "blocks"
    assert [b["view_id"] for b in comps.config["blocks"]] == ["audio", "text_input"]
    assert comps.config["blocks"][1]["field_id"] == "text_out"


def test_bad_sources_and_options(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NoMediaFiles) as error:
        audio_manual("ds", str(empty), label="A")
    assert error.value.code == "M242"
    with pytest.raises(SourceNotFound):
        audio_manual("ds", str(tmp_path / "nope"), label="A")
    with pytest.raises(InputError, match="at least one label"):
        audio_manual("ds", str(empty))
    with pytest.raises(InputError, match="--loader"):
        audio_manual("ds", str(empty), label="A", loader="images")


def test_prodigy_audio_and_video_loaders_inline_base64(folder: Path) -> None:
    from mentor.compat.prodigy.components.loaders import Audio, Video

    tasks = list(Audio(folder))
    assert [t["meta"]["file"] for t in tasks] == ["a.wav", "b.wav"]
    assert tasks[0]["audio"].startswith("data:audio/") and tasks[0]["path"] == str(folder / "a.wav")
    assert next(Video(folder))["video"].startswith("data:audio/")  # a WAV's type, under video


def test_autoplay_only_when_asked_for(folder: Path) -> None:
    # unset, a prodigy.json or mentor.json audio_autoplay isn't overridden by the recipe
    assert "audio_autoplay" not in audio_manual("ds", str(folder), label="A").config
    assert audio_transcribe("ds", str(folder), autoplay=True).config["audio_autoplay"] is True
