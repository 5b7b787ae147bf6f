"""Speakers on the page: a two-voice recording uploaded with "Label speakers" (it becomes a
job) shows each segment's speaker and downloads with them; the microphone labels its live
turns."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import snap

from stt_engine.diarize import run as diarize

pytestmark = [
    pytest.mark.slow,
    pytest.mark.corpus,
    pytest.mark.skipif(not diarize.available(), reason="needs the diarize extra"),
]


def _download(page, label: str) -> str:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.get_by_role("button", name=label, exact=True).click()
    return Path(info.value.path()).read_text("utf-8")


def test_a_file_with_speakers_shows_and_downloads_them(open_page, server, two_voices) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.select_option("#language", "en")
    page.locator("#speakers").check()
    page.set_input_files("#file-input", str(two_voices))
    page.wait_for_selector("#segments .segment .speaker", timeout=120_000)
    tags = page.locator("#segments .segment .speaker")
    labels = [tags.nth(i).get_attribute("data-speaker") for i in range(tags.count())]
    assert {"SPEAKER_1", "SPEAKER_2"} <= set(labels) and labels[0] == "SPEAKER_1", labels
    assert tags.first.inner_text() == "Speaker 1"
    snap(page, "speakers")
    vtt = _download(page, "VTT")
    assert "<v SPEAKER_1>" in vtt and "<v SPEAKER_2>" in vtt
    assert "[SPEAKER_2] " in _download(page, "SRT")


def test_without_speakers_no_labels_are_asked_for(open_page, server, two_voices) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.select_option("#language", "en")
    # 30 s: over the test server's web_job_seconds, so the file goes as a job
    with page.expect_request(lambda r: r.method == "POST" and "/v1/jobs" in r.url) as sent:
        page.set_input_files("#file-input", str(two_voices))
    assert "diarize" not in (sent.value.post_data_buffer or b"").decode("utf-8", "replace")
    page.wait_for_selector("#segments .segment .text", timeout=120_000)
    assert page.locator("#segments .segment .speaker").count() == 0


def test_the_microphone_labels_its_turns(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server, locale="ko-KR")
    page.select_option("#language", "ko")
    page.locator("#speakers").check()
    page.locator("#record").click()
    page.wait_for_selector("#segments .segment:not(.partial) .speaker", timeout=60_000)
    tag = page.locator("#segments .segment:not(.partial) .speaker").first
    assert tag.get_attribute("data-speaker") == "SPEAKER_1" and tag.inner_text() == "화자 1"
    page.locator("#record").click()
