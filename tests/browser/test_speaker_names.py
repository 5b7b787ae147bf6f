"""Speaker names on the page: a saved voice profile is picked before the upload and names its
speaker; a click on another speaker's label renames it, and the SRT download follows."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from browser_support import AUDIO, snap

from speakers_support import reference_samples
from stt_engine.audio import wav_bytes
from stt_engine.diarize import run as diarize

pytestmark = [
    pytest.mark.slow,
    pytest.mark.corpus,
    pytest.mark.skipif(not diarize.available(), reason="needs the diarize extra"),
]


def test_a_profile_names_a_speaker_and_a_renamed_label_reaches_the_srt(  # type: ignore[no-untyped-def]
    open_page, server, two_voices
) -> None:
    # LJSpeech's reader, from a recording the upload does not use
    wav = wav_bytes(reference_samples(AUDIO, "lj"))
    saved = httpx.put(f"{server.url}/v1/speakers/이정민", content=wav, timeout=60)
    assert saved.status_code == 200, saved.text
    page = open_page(server, locale="ko-KR")
    page.select_option("#language", "en")
    page.locator("#speakers").check()
    page.get_by_label("이정민").check()
    page.set_input_files("#file-input", str(two_voices))
    page.wait_for_selector("#segments .segment .speaker", timeout=180_000)
    tags = page.locator("#segments .segment .speaker")
    labels = {tags.nth(i).get_attribute("data-speaker") for i in range(tags.count())}
    assert labels == {"이정민", "SPEAKER_2"}, labels
    other = page.locator('#segments .speaker[data-speaker="SPEAKER_2"]').first
    assert other.inner_text() == "화자 2"
    other.click()
    page.locator("#segments input.speaker-name").fill("소네트 낭독자")
    page.keyboard.press("Enter")
    assert page.locator('#segments .speaker[data-speaker="SPEAKER_2"]').count() == 0
    assert page.locator('#segments .speaker[data-speaker="소네트 낭독자"]').count() >= 1
    snap(page, "speaker-names")
    with page.expect_download() as info:
        page.get_by_role("button", name="SRT", exact=True).click()
    srt = Path(info.value.path()).read_text("utf-8")
    assert "[이정민] " in srt and "[소네트 낭독자] " in srt and "SPEAKER_" not in srt
