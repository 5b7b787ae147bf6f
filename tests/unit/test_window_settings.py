"""The encoder-window defaults: every chunk in a fitted window, packing gone but accepted."""

from __future__ import annotations

import logging

import pytest

from stt_engine.config import Settings, load_settings
from stt_engine.engine.batcher import BatchSettings
from stt_engine.engine.contract import DeviceChoice, fitted_frames
from stt_engine.engine.engine import _log_ignored_packing, batch_settings

CPU = DeviceChoice("cpu", "int8", "test")


def test_the_default_fits_every_chunk_on_every_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STT_ENGINE_FITTED_WINDOWS", raising=False)
    settings = Settings()
    assert settings.fitted_windows == "all"
    assert batch_settings(settings, CPU).fitted == "all"
    assert batch_settings(settings, DeviceChoice("cuda", "float16", "test")).fitted == "all"
    assert BatchSettings().fitted == "all"


@pytest.mark.parametrize("value", ["off", "streams", "all"])
def test_every_fitted_windows_value_still_loads(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("STT_ENGINE_FITTED_WINDOWS", value)
    assert batch_settings(load_settings(), CPU).fitted == value


def test_pack_chunks_is_accepted_and_logged_once_as_ignored(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("STT_ENGINE_PACK_CHUNKS", "true")
    settings = load_settings()
    assert settings.pack_chunks is True
    _log_ignored_packing.cache_clear()
    with caplog.at_level(logging.WARNING, logger="stt_engine.engine.engine"):
        first = batch_settings(settings, CPU)
        batch_settings(load_settings(), CPU)
    said = [r.getMessage() for r in caplog.records if "pack_chunks" in r.getMessage()]
    assert len(said) == 1 and "ignored" in said[0]
    assert first == batch_settings(settings.model_copy(update={"pack_chunks": False}), CPU)


def test_pack_chunks_off_says_nothing(caplog: pytest.LogCaptureFixture) -> None:
    _log_ignored_packing.cache_clear()
    with caplog.at_level(logging.WARNING, logger="stt_engine.engine.engine"):
        batch_settings(Settings(pack_chunks=False), CPU)
    assert not [r for r in caplog.records if "pack_chunks" in r.getMessage()]


def test_a_bad_fitted_windows_value_is_a_clear_setting_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from stt_engine.errors import ConfigError

    monkeypatch.setenv("STT_ENGINE_FITTED_WINDOWS", "sometimes")
    with pytest.raises(ConfigError, match="fitted_windows"):
        load_settings()


@pytest.mark.parametrize(
    ("seconds", "frames"), [(0.5, 1000), (3.0, 1000), (6.0, 1000), (9.0, 1500), (19.0, 3000)]
)
def test_the_window_rule(seconds: float, frames: int) -> None:
    assert fitted_frames(seconds) == frames
