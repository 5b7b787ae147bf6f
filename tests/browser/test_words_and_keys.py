"""The page's words (server errors as sentences in the reader's language, the file's name
once; distinct words for the task choice and the jobs list; headings that break between
words; a file list that reads as a list) and its keys (the realtime socket gets a short-lived
client secret, never the API key; behind a signing proxy the page never asks for a key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import API_KEY, KO_SPAGHETTI, PHONE, snap

from stt_engine.bench.local_server import BackgroundServer

# Every WebSocket the page opens, with the subprotocols it offers (the key travels there).
_RECORD_SOCKETS = """
window.openedSockets = [];
const Native = window.WebSocket;
window.WebSocket = function (url, protocols) {
  window.openedSockets.push({ url, protocols: [].concat(protocols || []) });
  return new Native(url, protocols);
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, { OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2 });
"""

# The page's own realtime path: a client secret for a session, then the socket.
_PAGE_SOCKET = """async () => {
  const { clientSecret, realtimeSocket } = await import("/web/api.js");
  const secret = await clientSecret({ type: "transcription",
    audio: { input: { transcription: { language: "ko" }, turn_detection: null } } });
  const socket = realtimeSocket(secret);
  const event = await new Promise((resolve, reject) => {
    socket.onmessage = (message) => resolve(JSON.parse(message.data));
    socket.onerror = () => reject(new Error("socket error"));
  });
  socket.close();
  return event;
}"""

# Whether a phrase of an element's text lies on one line.
_ONE_LINE = """([selector, phrase]) => {
  const node = document.querySelector(selector).firstChild;
  const start = node.textContent.indexOf(phrase);
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, start + phrase.length);
  return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size === 1;
}"""


def _unreadable(folder: Path) -> Path:
    noise = folder / "random.wav"
    noise.write_bytes(bytes(range(256)) * 64)
    return noise


def _alert_after_upload(page, path: Path) -> str:  # type: ignore[no-untyped-def]
    page.set_input_files("#file-input", str(path))
    alert = page.get_by_role("alert")
    alert.wait_for()
    return str(alert.inner_text())


def test_an_unreadable_file_reads_in_korean_with_its_name_once(  # type: ignore[no-untyped-def]
    open_page, server, tmp_path
) -> None:
    page = open_page(server, locale="ko-KR")
    text = _alert_after_upload(page, _unreadable(tmp_path))
    assert text.count("random.wav") == 1, text
    assert "오디오나 동영상 파일이 아닙니다" in text
    for english in ("readable", "audio", "Invalid", "ffmpeg", "FFmpeg"):
        assert english not in text, text
    assert page.locator("#results li[data-state=failed]").count() == 1
    snap(page, "error")
    details = page.get_by_role("alert").locator("details")
    assert details.locator("summary").inner_text() == "자세히"
    details.locator("summary").click()  # the server's own words, for its administrator
    assert "not a readable audio" in details.inner_text()
    assert "random.wav" not in details.inner_text()


def test_an_unreadable_file_reads_in_english_too(open_page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    text = _alert_after_upload(page, _unreadable(tmp_path))
    assert text.count("random.wav") == 1, text
    assert "not an audio or video file the server can read" in text


@pytest.mark.parametrize("locale", ["ko-KR", "en-US"])
def test_the_task_choice_and_the_jobs_list_have_distinct_words(  # type: ignore[no-untyped-def]
    open_page, server, locale: str
) -> None:
    page = open_page(server, locale=locale)
    task = page.locator("#task").locator("xpath=..").locator("span").first.inner_text()
    jobs = page.locator("#jobs-title").inner_text()
    assert set(task.split()).isdisjoint(jobs.split()), (task, jobs)
    if locale == "ko-KR":
        assert (task, jobs) == ("변환 방식", "작업 목록")
        assert page.get_by_label("변환 방식").is_visible()


def test_headings_break_between_words_on_a_phone(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server, locale="ko-KR", viewport=PHONE)
    for selector in ("h2", "#drop strong", "summary"):
        style = page.eval_on_selector(selector, "e => getComputedStyle(e).wordBreak")
        assert style == "keep-all", selector
    assert page.evaluate(_ONE_LINE, ["#drop strong", "끌어다 놓으세요"])
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.corpus
def test_the_file_list_reads_as_a_list(open_page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server, locale="ko-KR", viewport=PHONE)
    page.set_input_files("#file-input", [str(KO_SPAGHETTI), str(_unreadable(tmp_path))])
    page.wait_for_selector("#results li[data-state=failed]")
    page.wait_for_selector("#results li[data-state=done]")
    assert page.locator("#results").evaluate("e => e.tagName") == "UL"
    assert page.locator("#results").get_by_role("listitem").count() == 2
    row = page.locator("#results li[data-state=done] button")
    assert row.locator(".name").inner_text() == KO_SPAGHETTI.name
    assert row.locator(".state").inner_text() == "완료"
    border = row.evaluate("b => getComputedStyle(b).borderTopWidth")
    assert border == "0px"  # a line of the list, not a box to type in
    snap(page, "korean")


@pytest.mark.corpus
def test_the_socket_gets_a_client_secret_never_the_key(open_page, keyed_server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(keyed_server)
    page.context.add_init_script(_RECORD_SOCKETS)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_label("API key").fill(API_KEY)
    page.get_by_role("button", name="Use key").click()
    page.wait_for_selector("#key-form", state="hidden")
    first = page.evaluate(_PAGE_SOCKET)
    assert first["type"] == "session.created", first
    assert first["session"]["audio"]["input"]["transcription"]["language"] == "ko"
    (opened,) = page.evaluate("window.openedSockets")
    offered = " ".join(opened["protocols"])
    assert "openai-insecure-api-key.ek_" in offered and API_KEY not in offered


@pytest.mark.corpus
def test_behind_a_signing_proxy_the_page_never_asks_for_a_key(  # type: ignore[no-untyped-def]
    open_page, keyed_server: BackgroundServer
) -> None:
    # the proxy signs the user in and adds the server's key to what it forwards
    page = open_page(keyed_server, extra_http_headers={"Authorization": f"Bearer {API_KEY}"})
    page.wait_for_function("document.querySelectorAll('#model option').length > 0")
    assert page.locator("#key-form").is_hidden()
    page.set_input_files("#file-input", str(KO_SPAGHETTI))
    page.wait_for_selector("#results li[data-state=done]")
    assert page.evaluate("sessionStorage.length") == 0
    assert page.evaluate(_PAGE_SOCKET)["type"] == "session.created"
