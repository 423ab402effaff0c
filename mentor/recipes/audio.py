"""``audio.manual``, ``video.manual``, ``audio.transcribe``: label regions of recordings, or type what they say.

The source is a folder of audio or video files, or JSONL whose tasks name one
under ``audio`` (or ``video``) by path or URL. Files are sent by the server on
request (``loaders/media.py``); answers keep the path, as Prodigy stores them.
Regions are stored as ``audio_spans``: ``{"start", "end", "label", "id"}``,
in seconds.
"""
from __future__ import annotations

from typing import Annotated, List, Optional

from ..core import Components
from ..errors import InputError
from ..loaders.media import KINDS, MediaFiles, get_media_stream
from ..registry import Arg, Opt, recipe
from ..tasks import Task, split_string

SOURCE_HELP = "Folder of audio/video files (wav, mp3, m4a, ogg, webm, mp4, ...) or JSONL naming them"
KEEP_HELP = "Send the files inside the tasks as base64 and keep it in the database (large)"
FETCH_HELP = "Serve local files a JSONL names outside its own folder"


def strip_base64(kind: str):
    """A ``before_db`` storing the file's path instead of a base64 copy (a JSONL that inlined it)."""

    def before_db(answers: List[Task]) -> List[Task]:
        for answer in answers:
            value = answer.get(kind)
            if isinstance(value, str) and value.startswith("data:") and isinstance(answer.get("path"), str):
                answer[kind] = answer["path"]
        return answers

    return before_db


def media_components(
    dataset: str, source: str, kind: str, view_id: str, config: dict, keep_base64: bool, fetch_media: bool,
    exclude: Optional[str],
) -> Components:
    """What the three recipes share: the media stream, the files the server may send, base64 left out of the db."""
    kind = kind.removesuffix("-server")  # Prodigy's audio-server/video-server: files by path, as here always
    if kind not in KINDS:
        raise InputError(f"--loader must be one of {', '.join(KINDS)}, got '{kind}'")
    media = MediaFiles()
    stream = get_media_stream(source, media, kind=kind, keep_base64=keep_base64, fetch_media=fetch_media)
    return Components(
        dataset=dataset,
        view_id=view_id,
        stream=stream,
        media=media,
        before_db=None if keep_base64 else strip_base64(kind),
        exclude=split_string(exclude),
        config={"exclude_by": "input", **config},
    )


def _labels(name: str, label: Optional[str]) -> List[str]:
    labels = split_string(label)
    if not labels:
        raise InputError(f"{name} needs at least one label: --label SPEAKER_1,SPEAKER_2")
    return labels


def _autoplay(flag: bool) -> dict:
    """``audio_autoplay`` only when asked for, so a prodigy.json or mentor.json setting it isn't overridden."""
    return {"audio_autoplay": True} if flag else {}


@recipe("audio.manual", group="annotation")
def audio_manual(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    source: Annotated[str, Arg(help=SOURCE_HELP)],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s)")] = None,
    loader: Annotated[str, Opt("--loader", "-lo", help="audio or video (audio-server, video-server: the same)")] = "audio",
    autoplay: Annotated[bool, Opt("--autoplay", "-A", help="Play each recording as it is shown")] = False,
    keep_base64: Annotated[bool, Opt("--keep-base64", "-B", help=KEEP_HELP)] = False,
    fetch_media: Annotated[bool, Opt("--fetch-media", "-FM", help=FETCH_HELP)] = False,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Mark and label regions of audio (or video) recordings on a waveform.

    Drag on the waveform (or press ``m`` twice at the playhead) to add a region
    with the picked label; the answer's ``audio_spans`` hold them in seconds.
    """
    config = {"labels": _labels("audio.manual", label), **_autoplay(autoplay)}
    return media_components(dataset, source, loader, "audio_manual", config, keep_base64, fetch_media, exclude)


@recipe("video.manual", group="annotation")
def video_manual(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    source: Annotated[str, Arg(help=SOURCE_HELP)],
    label: Annotated[Optional[str], Opt("--label", "-l", help="Comma-separated label(s)")] = None,
    autoplay: Annotated[bool, Opt("--autoplay", "-A", help="Play each video as it is shown")] = False,
    keep_base64: Annotated[bool, Opt("--keep-base64", "-B", help=KEEP_HELP)] = False,
    fetch_media: Annotated[bool, Opt("--fetch-media", "-FM", help=FETCH_HELP)] = False,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Mark and label regions of videos on their sound's waveform (``audio.manual --loader video``)."""
    config = {"labels": _labels("video.manual", label), **_autoplay(autoplay)}
    return media_components(dataset, source, "video", "audio_manual", config, keep_base64, fetch_media, exclude)


@recipe("audio.transcribe", group="annotation")
def audio_transcribe(
    dataset: Annotated[str, Arg(help="Dataset to save annotations to")],
    source: Annotated[str, Arg(help=SOURCE_HELP)],
    loader: Annotated[str, Opt("--loader", "-lo", help="audio or video (audio-server, video-server: the same)")] = "audio",
    field_id: Annotated[str, Opt("--field-id", help="Key the typed text is stored under")] = "transcript",
    autoplay: Annotated[bool, Opt("--autoplay", "-A", help="Play each recording as it is shown")] = False,
    keep_base64: Annotated[bool, Opt("--keep-base64", "-B", help=KEEP_HELP)] = False,
    fetch_media: Annotated[bool, Opt("--fetch-media", "-FM", help=FETCH_HELP)] = False,
    exclude: Annotated[Optional[str], Opt("--exclude", "-e", help="Comma-separated datasets to skip")] = None,
) -> Components:
    """Play each recording and type what is said; the text is stored under ``--field-id``."""
    blocks = [
        {"view_id": "audio"},
        {"view_id": "text_input", "field_id": field_id, "field_rows": 4, "field_label": "Transcript",
         "field_autofocus": False},
    ]
    config = {"blocks": blocks, **_autoplay(autoplay)}
    return media_components(dataset, source, loader, "blocks", config, keep_base64, fetch_media, exclude)
