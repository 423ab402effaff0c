"""audio.manual, audio.transcribe and video.manual through the real CLI: a WAV made here with the
wave module (a tone, then silence), regions made by keys and by mouse, the answers read from the DB."""
from __future__ import annotations

import base64
import functools
import http.server
import threading
from pathlib import Path

from e2e_support import wait_no_tasks
from support.media import write_tone_wav

READY = ".card .waveform[data-state='ready']"


def waveform_box(page) -> dict:
    page.wait_for_selector(READY, timeout=15000)
    box = page.locator(".card .waveform").bounding_box()
    assert box is not None and box["width"] > 100
    return box


def drag_waveform(page, box: dict, start: float, end: float) -> None:
    """Drag on the waveform from one fraction of its width to another."""
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (start + end) / 2, y, steps=5)
    page.mouse.move(box["x"] + box["width"] * end, y, steps=5)
    page.mouse.up()


def spans_on_screen(page) -> list:
    return page.evaluate("() => [...document.querySelectorAll('.card .region-list li')].map(li => li.textContent)")


def test_audio_manual_regions_by_keys_and_mouse(serve, open_page, tmp_path, screenshot) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    wav = write_tone_wav(folder / "call.wav", tone=1.0, silence=1.0)
    write_tone_wav(folder / "next.wav", tone=0.5, silence=0.5)
    server = serve(cli_args=["audio.manual", "calls", str(folder), "--label", "SPEAKER_1,SPEAKER_2"], dataset="calls")
    page = open_page(server)
    box = waveform_box(page)
    assert "2.00" in page.locator(".card .media-time").inner_text()  # the WAV's length, decoded
    # keys: m at the playhead (0 s), → seeks 1 s, m again: a SPEAKER_1 region over the tone
    for key in ("m", "ArrowRight", "m"):
        page.keyboard.press(key)
    page.wait_for_function("() => document.querySelectorAll('.card .region-list li').length === 1")
    # mouse: pick SPEAKER_2 (nothing selected: Esc first), drag over the silence
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    drag_waveform(page, box, 0.6, 0.9)
    page.wait_for_function("() => document.querySelectorAll('.card .region-list li').length === 2")
    # a third by keys, then d deletes it (the new region is the selected one)
    for key in ("m", "ArrowRight", "m"):
        page.keyboard.press(key)
    page.wait_for_function("() => document.querySelectorAll('.card .region-list li').length === 3")
    page.keyboard.press("d")
    page.wait_for_function("() => document.querySelectorAll('.card .region-list li').length === 2")
    # ↑ selects the last region, ↑ again the first; 2 relabels it SPEAKER_2, 1 back
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("2")
    assert spans_on_screen(page)[0].startswith("SPEAKER_2")
    page.keyboard.press("1")
    screenshot(page, "view-audio-manual")
    assert page.locator(".card [data-state='error']").count() == 0
    page.keyboard.press("a")
    page.wait_for_selector(".card .region-list:empty", state="attached")  # the next recording
    # undo brings the first back with its regions drawn again; answer it once more, then reject the other
    page.keyboard.press("Backspace")
    page.wait_for_function("() => document.querySelectorAll('.card .region-list li').length === 2")
    page.keyboard.press("a")
    page.wait_for_selector(".card .region-list:empty", state="attached")
    page.wait_for_selector(READY)
    page.keyboard.press("x")
    wait_no_tasks(page)
    answer, other = sorted(server.examples(), key=lambda eg: eg["audio"])
    assert other["answer"] == "reject" and other["audio_spans"] == []
    assert answer["answer"] == "accept" and answer["audio"] == str(wav)  # the path, not base64
    spans = [(s["label"], s["start"], s["end"]) for s in answer["audio_spans"]]
    assert spans[0] == ("SPEAKER_1", 0, 1)
    label, start, end = spans[1]
    assert label == "SPEAKER_2" and len(spans) == 2
    assert abs(start - 1.2) < 0.1 and abs(end - 1.8) < 0.1, spans


def test_audio_transcribe_stores_the_typed_text(serve, open_page, tmp_path) -> None:
    folder = tmp_path / "clips"
    folder.mkdir()
    write_tone_wav(folder / "hello.wav", tone=0.5, silence=0.2)
    server = serve(cli_args=["audio.transcribe", "words", str(folder)], dataset="words")
    page = open_page(server)
    waveform_box(page)
    page.keyboard.press(" ")  # plays (space doesn't ignore the task here)
    page.wait_for_function("() => document.querySelector('.card .media-play').textContent !== '▶'")
    page.keyboard.press(" ")
    field = page.locator(".card textarea[data-field='transcript']")
    field.click()
    field.type("hello <b>world</b>")
    page.keyboard.press("Control+Enter")
    wait_no_tasks(page)
    [answer] = server.examples()
    assert answer["transcript"] == "hello <b>world</b>" and answer["answer"] == "accept"


# A short webm (VP8 + Opus, a moving square and a tone) recorded by Chromium itself: no ffmpeg needed
RECORD_WEBM = """async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 160; canvas.height = 120;
    const g = canvas.getContext('2d');
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const sink = audio.createMediaStreamDestination();
    tone.connect(sink); tone.start();
    const stream = new MediaStream([...canvas.captureStream(20).getVideoTracks(), ...sink.stream.getAudioTracks()]);
    const recorder = new MediaRecorder(stream, {mimeType: 'video/webm;codecs=vp8,opus'});
    const chunks = [];
    recorder.ondataavailable = e => chunks.push(e.data);
    let frame = 0;
    const timer = setInterval(() => { g.fillStyle = '#fff'; g.fillRect(0, 0, 160, 120);
        g.fillStyle = '#2f5bd3'; g.fillRect((frame++ * 4) % 140, 40, 24, 24); }, 50);
    recorder.start();
    await new Promise(r => setTimeout(r, 1500));
    await new Promise(r => { recorder.onstop = r; recorder.stop(); });
    clearInterval(timer); tone.stop();
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let text = ''; bytes.forEach(b => text += String.fromCharCode(b));
    return btoa(text);
}"""


def make_webm(browser, path: Path) -> Path:
    context = browser.new_context()
    try:
        page = context.new_page()
        path.write_bytes(base64.b64decode(page.evaluate(RECORD_WEBM)))
    finally:
        context.close()
    return path


def test_video_manual_labels_a_region_of_a_video(serve, open_page, browser, tmp_path, screenshot) -> None:
    folder = tmp_path / "videos"
    folder.mkdir()
    video = make_webm(browser, folder / "clip.webm")
    server = serve(cli_args=["video.manual", "clips", str(folder), "--label", "CUT"], dataset="clips")
    page = open_page(server)
    box = waveform_box(page)
    assert page.locator(".card video.media-video").count() == 1
    drag_waveform(page, box, 0.1, 0.5)
    page.wait_for_function("() => document.querySelectorAll('.card .region-list li').length === 1")
    screenshot(page, "view-video-manual")
    page.keyboard.press("a")
    wait_no_tasks(page)
    [answer] = server.examples()
    assert answer["video"] == str(video)
    [span] = answer["audio_spans"]
    assert span["label"] == "CUT" and 0 <= span["start"] < span["end"]


def test_a_recording_on_another_site_still_plays(serve, open_page, tmp_path) -> None:
    # the page may fetch only from its own server, so the waveform can't be drawn; the player still plays it
    write_tone_wav(tmp_path / "remote.wav")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{other.server_address[1]}/remote.wav"
        server = serve("audio_manual", [{"audio": url}], config={"labels": ["A"]})
        page = open_page(server)
        page.wait_for_selector(".card .waveform[data-state='error']")
        page.wait_for_function("() => document.querySelector('.card audio[controls]')?.duration === 2")
        assert "still plays" in page.locator(".card .media-note").inner_text()
    finally:
        other.shutdown()
