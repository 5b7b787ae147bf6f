"""The page in headless Chromium against a live server: upload, transcript, downloads,
errors, the Korean interface and the API key prompt."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
import srt
from browser_support import API_KEY, KO_CLIP, KO_SPAGHETTI, snap

from stt_engine.bench.local_server import BackgroundServer


def _upload(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files("#file-input", str(path))


def _transcript(page) -> str:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#segments .segment .text")
    return " ".join(page.locator("#segments .segment .text").all_inner_texts())


def _download(page, label: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.get_by_role("button", name=label, exact=True).click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_text("utf-8")


def test_the_page_and_its_assets_are_served(server: BackgroundServer) -> None:
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and 'src="/web/app.js"' in page.text
    assert (
        httpx.get(server.url + "/web/app.js")
        .headers["content-type"]
        .startswith(("text/javascript", "application/javascript"))
    )
    config = httpx.get(server.url + "/web/config.json").json()
    assert config["key_required"] is False and config["job_seconds"] == 10.0
    assert httpx.get(server.url + "/web/missing.js").status_code == 404
    assert httpx.get(server.url + "/docs").status_code == 200  # the API page is still there


@pytest.mark.corpus
def test_a_korean_clip_is_transcribed_and_downloads_parse(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.select_option("#language", "ko")
    _upload(page, KO_CLIP)
    text = _transcript(page)
    assert "세계적으로" in text, text
    assert page.locator("#player").is_visible()
    snap(page, "transcript")
    name, body = _download(page, "SRT")
    cues = list(srt.parse(body))
    assert name == "lmy01002.srt" and cues and "세계적으로" in cues[0].content
    assert 0 <= cues[0].start.total_seconds() < cues[-1].end.total_seconds() <= 4.8
    _, vtt = _download(page, "VTT")
    assert vtt.startswith("WEBVTT\n\n00:00:0")


@pytest.mark.corpus
def test_an_edited_segment_is_what_downloads(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.select_option("#language", "ko")
    _upload(page, KO_CLIP)
    _transcript(page)
    first = page.locator("#segments .segment .text").first
    first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("고친 문장입니다.")
    _, text = _download(page, "TXT")
    assert text.splitlines()[0] == "고친 문장입니다."
    _, body = _download(page, "JSON")
    data = json.loads(body)
    assert data["segments"][0]["text"] == "고친 문장입니다." and data["segments"][0]["edited"]
    assert data["language"] == "korean"


_DROP = """([name, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "audio/flac" }));
  const drop = document.getElementById("drop");
  drop.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true }));
  drop.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true }));
}"""


@pytest.mark.corpus
def test_several_files_at_once_and_by_drag_and_drop(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.select_option("#language", "ko")
    page.set_input_files("#file-input", [str(KO_CLIP), str(KO_SPAGHETTI)])
    page.wait_for_selector("#results li[data-state=done] >> text=lmy02044.flac")
    assert page.locator("#results li[data-state=done]").count() == 2
    assert "스파게티" in _transcript(page)
    page.locator("#results button", has_text="lmy01002.flac").click()
    page.wait_for_function(
        "document.querySelector('#transcript-name').textContent === 'lmy01002.flac'"
    )
    assert "세계적으로" in _transcript(page)
    data = base64.b64encode(KO_SPAGHETTI.read_bytes()).decode("ascii")
    page.evaluate(_DROP, ["dropped.flac", data])
    page.wait_for_selector("#results li[data-state=done] >> text=dropped.flac")
    assert "스파게티" in _transcript(page)


def test_a_file_that_is_not_audio_shows_an_error(open_page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.txt"
    notes.write_text("this is not audio\n", encoding="utf-8")
    page = open_page(server)
    _upload(page, notes)
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().count("notes.txt") == 1
    assert "audio or video file" in alert.inner_text()
    assert page.locator("#results li[data-state=failed]").count() == 1


def test_a_file_over_the_limit_is_refused_before_upload(open_page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.wav"
    big.write_bytes(b"\0" * (9 * 1000 * 1000))  # the server takes 8 MB
    page = open_page(server)
    posts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    _upload(page, big)
    page.get_by_role("alert").wait_for()
    assert "big.wav" in page.get_by_role("alert").inner_text()
    assert "8 MB" in page.get_by_role("alert").inner_text() and posts == []


def test_korean_interface_for_a_korean_browser(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server, locale="ko-KR")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.get_by_role("button", name="녹음").is_visible()
    assert "끌어다 놓으세요" in page.locator("#drop").inner_text()
    assert page.locator("#jobs-title").inner_text() == "작업 목록"
    page.wait_for_function("document.querySelector('#health').dataset.state === 'ready'")
    assert "준비됨" in page.locator("#health").inner_text()


@pytest.mark.corpus
def test_a_protected_server_asks_for_the_key(open_page, keyed_server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(keyed_server)
    key_field = page.get_by_label("API key")
    key_field.wait_for()
    snap(page, "key")
    key_field.fill("wrong-key")
    page.get_by_role("button", name="Use key").click()
    page.get_by_text("The server refused this API key").wait_for()
    key_field.fill(API_KEY)
    page.get_by_role("button", name="Use key").click()
    page.wait_for_selector("#key-form", state="hidden")
    page.select_option("#language", "ko")
    _upload(page, KO_CLIP)
    assert "세계적으로" in _transcript(page)
    assert page.evaluate("sessionStorage.getItem('stt-engine.key')") == API_KEY
    assert page.evaluate("localStorage.length") == 0
    first = page.evaluate(_FIRST_EVENT)  # the page's own socket, with a client secret
    assert first["type"] == "session.created", first


_FIRST_EVENT = """async () => {
  const { clientSecret, realtimeSocket } = await import("/web/api.js");
  const socket = realtimeSocket(await clientSecret({ type: "transcription" }));
  const event = await new Promise((resolve, reject) => {
    socket.onmessage = (message) => resolve(JSON.parse(message.data));
    socket.onerror = () => reject(new Error("socket error"));
  });
  socket.close();
  return event;
}"""


@pytest.mark.corpus
def test_a_busy_server_shows_when_to_retry(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    busy = {"error": {"message": "the server is busy", "type": "server_error", "param": None,
                      "code": "server_busy"}}  # fmt: skip
    page.route(
        "**/v1/audio/transcriptions",
        lambda route: route.fulfill(status=429, headers={"Retry-After": "7"}, json=busy),
    )
    _upload(page, KO_CLIP)
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "The server is busy. Try again in 7 s." in alert.inner_text()


@pytest.mark.parametrize("width", [390])
def test_the_page_fits_a_phone(open_page, server, width: int) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server, viewport={"width": width, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


@pytest.mark.corpus
def test_a_file_can_be_chosen_with_the_keyboard(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    for _ in range(10):  # Tab reaches the drop zone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "drop":
            break
    assert page.evaluate("document.activeElement.id") == "drop"
    with page.expect_file_chooser() as chooser:
        # Playwright asks the browser for file-chooser events without waiting for the answer:
        # one round trip first, so the key press cannot overtake the subscription
        page.evaluate("document.activeElement.id")
        page.keyboard.press("Enter")
    chooser.value.set_files(str(KO_SPAGHETTI))
    assert "스파게티" in _transcript(page)
