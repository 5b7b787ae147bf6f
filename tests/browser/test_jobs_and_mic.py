"""Long files become jobs with a progress bar that reaches 100 % (and survive a reload);
the microphone (Chromium's fake device playing a real Korean clip) gives live text."""

from __future__ import annotations

import re
import wave

import pytest
from browser_support import DESKTOP, EN_SONNET, KO_LONG, PHONE, snap

pytestmark = [pytest.mark.slow, pytest.mark.corpus]


_WATCH_PARTIALS = """() => {
  window.partials = [];
  new MutationObserver(() => {
    for (const t of document.querySelectorAll('#segments .segment.partial .text')) {
      window.partials.push(t.textContent);
    }
  }).observe(document.getElementById('segments'), {childList: true, subtree: true});
}"""


def _job_row(page):  # type: ignore[no-untyped-def]
    return page.locator("#jobs-body tr").filter(has_text=KO_LONG.name)


def test_a_long_file_becomes_a_job_that_reaches_100_percent(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.select_option("#language", "ko")
    page.set_input_files("#file-input", str(KO_LONG))
    row = _job_row(page)
    row.wait_for()
    seen: set[str] = set()
    for _ in range(600):
        status = row.get_attribute("data-status") or ""
        seen.add(status)
        if status == "running" and "snapped" not in seen:
            snap(page, "job-running", phone=False)
            seen.add("snapped")
        if status in ("succeeded", "failed", "cancelled"):
            break
        page.wait_for_timeout(100)
    assert row.get_attribute("data-status") == "succeeded", seen
    assert "running" in seen or "queued" in seen
    assert row.locator(".percent").inner_text() == "100 %"
    assert row.locator("progress").get_attribute("value") == "100"
    text = page.locator("#segments .segment .text").first
    text.wait_for()  # a job this page submitted opens when it ends
    assert "급여" in " ".join(page.locator("#segments .segment .text").all_inner_texts())
    snap(page, "job-done")
    page.set_viewport_size(PHONE)  # the jobs table scrolls inside its card, not the page
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size(DESKTOP)
    second = page.locator("#segments .segment").nth(1)
    second.locator(".time").click()  # plays from the segment's start; it is highlighted
    page.wait_for_selector("#segments .segment.playing[data-index='1']")
    assert page.evaluate("document.querySelector('#player').currentTime") >= 4.0
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    row = _job_row(page).first
    row.wait_for()
    assert row.get_attribute("data-status") == "succeeded"
    row.get_by_role("button", name="Open").click()
    page.locator("#segments .segment .text").first.wait_for()
    row.get_by_role("button", name="Delete").click()
    page.wait_for_function(
        "name => ![...document.querySelectorAll('#jobs-body tr')]"
        ".some(r => r.textContent.includes(name))",
        arg=KO_LONG.name,
    )


def test_a_running_job_can_be_cancelled_then_deleted(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.set_input_files("#file-input", str(EN_SONNET))
    row = page.locator("#jobs-body tr").filter(has_text=EN_SONNET.name)
    row.get_by_role("button", name="Cancel").click()
    page.wait_for_selector(f"#jobs-body tr[data-status=cancelled] >> text={EN_SONNET.name}")
    assert page.locator("#results li", has_text=EN_SONNET.name).get_attribute("data-state") == (
        "cancelled"
    )
    row.get_by_role("button", name="Delete").click()
    row.wait_for(state="detached")


def test_the_microphone_gives_live_text_and_a_recording(open_page, server) -> None:  # type: ignore[no-untyped-def]
    page = open_page(server)
    page.select_option("#language", "ko")
    page.evaluate(_WATCH_PARTIALS)
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_role("button", name="Stop", exact=True).wait_for()
    page.wait_for_function("parseFloat(document.querySelector('#level').style.width) > 0")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#segments .segment:not(.partial) .text')]"
        ".some(t => t.textContent.includes('예술가'))",
        timeout=60_000,
    )
    partials = page.evaluate("window.partials")
    assert any(re.search("[가-힣]", text) for text in partials), partials  # greyed, then final
    snap(page, "microphone")
    page.get_by_role("button", name="Stop", exact=True).click()
    page.get_by_role("button", name="Record", exact=True).wait_for()
    link = page.locator("#recording")
    assert link.is_visible() and re.fullmatch(
        r"recording-\d{8}T\d{6}\.wav", link.get_attribute("download") or ""
    )
    with page.expect_download() as info:
        link.click()
    with wave.open(str(info.value.path()), "rb") as recording:
        assert recording.getframerate() == 16000 and recording.getnchannels() == 1
        assert recording.getnframes() / 16000 > 4.0  # at least the clip's speech
    assert page.locator("#player").is_visible()
