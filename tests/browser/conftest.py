"""Fixtures: a live server on 127.0.0.1 (open and key-protected), headless Chromium from the
system (Playwright drives it; no browser download), and pages that record every request.

Chromium's fake capture device plays a real Korean clip (converted to WAV with sox into a
temp folder) as the microphone.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_support import (
    API_KEY,
    AUDIO,
    CHROMIUM,
    DESKTOP,
    KO_CLIP,
    browser_settings,
    chromium_missing,
    foreign,
)

import speech_corpus
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine
from stt_engine.server import create_app

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    for name in ("models", "cache", "data", "uploads", "keyed-data", "keyed-uploads"):
        (root / name).mkdir()
    return root


@pytest.fixture(scope="session")
def engine(base_dir: Path) -> Engine:
    return Engine(browser_settings(base_dir))


@pytest.fixture(scope="session")
def server(base_dir: Path, engine: Engine) -> Iterator[BackgroundServer]:
    with BackgroundServer(create_app(browser_settings(base_dir), engine)) as running:
        running.wait_ready()
        yield running


@pytest.fixture(scope="session")
def keyed_server(base_dir: Path, engine: Engine) -> Iterator[BackgroundServer]:
    settings = browser_settings(
        base_dir,
        api_keys=[API_KEY],
        data_dir=base_dir / "keyed-data",
        upload_dir=base_dir / "keyed-uploads",
    )
    with BackgroundServer(create_app(settings, engine)) as running:
        running.wait_ready()
        yield running


@pytest.fixture(scope="session")
def fake_microphone(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The Korean clip as 16-bit WAV with two seconds of silence after it (a turn ends).

    None without the speech corpus: Chromium's own tone plays, and the microphone tests skip.
    """
    if not speech_corpus.PRESENT:
        return None
    if shutil.which("sox") is None:
        pytest.skip("sox converts the clip for Chromium's fake microphone")
    wav = tmp_path_factory.mktemp("mic") / "speech.wav"
    command = ["sox", str(KO_CLIP), "-r", "48000", "-c", "1", "-b", "16", str(wav), "pad", "0", "2"]
    subprocess.run(command, check=True)
    return wav


@pytest.fixture(scope="module")
def browser(fake_microphone: Path | None) -> Iterator[object]:
    # Playwright's sync API keeps an asyncio loop running in this thread while it is open, and
    # asyncio.run() in any later test would then fail: it is closed after each module.
    missing = chromium_missing()
    if missing:
        pytest.skip(missing)
    args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required",
    ]
    if fake_microphone is not None:
        args.append(f"--use-file-for-fake-audio-capture={fake_microphone}")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield launched
        launched.close()


Opener = Callable[..., object]


@pytest.fixture
def open_page(browser) -> Iterator[Opener]:  # type: ignore[no-untyped-def]
    """``open_page(server, locale="en-US")``: a fresh context on the page; on teardown, no
    request may have gone to any host but the server."""
    opened: list[tuple[object, str, list[str]]] = []

    def open_(server: BackgroundServer, locale: str = "en-US", **options: object) -> object:
        settings = {"viewport": DESKTOP, "accept_downloads": True, **options}
        context = browser.new_context(locale=locale, **settings)
        context.set_default_timeout(30_000)
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.on("websocket", lambda socket: urls.append(socket.url))
        page.goto(server.url + "/")
        page.wait_for_selector("body[data-ready=true]")
        opened.append((context, server.url, urls))
        return page

    yield open_
    for context, url, urls in opened:
        context.close()  # type: ignore[attr-defined]
        assert urls, "the page made no requests"
        assert foreign(urls, url) == []


@pytest.fixture(scope="session")
def two_voices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first four turns of en_2spk_pause (LJSpeech, a LibriVox reader, in turn): 30 s."""
    from stt_engine.audio import wav_bytes
    from stt_engine.bench.diarization_set import load_reference, pieces, render

    reference = load_reference(
        Path(__file__).parents[1] / "diarization/references/en_2spk_pause.json"
    )
    last = pieces(reference)[3]
    audio = render(reference, AUDIO)[: last.at + last.end - last.begin]
    path = tmp_path_factory.mktemp("speakers") / "two_voices.wav"
    path.write_bytes(wav_bytes(audio))
    return path
