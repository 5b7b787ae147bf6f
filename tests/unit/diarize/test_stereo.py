"""Per-channel turns from channel energy, on a real two-party stereo recording."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import decode_channels
from stt_engine.diarize.run import DiarizeRequest, _separated, speaker_turns
from stt_engine.diarize.stereo import channel_turns
from stt_engine.errors import InvalidRequestError

RATE = 16_000


def _tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_each_channel_is_one_speaker() -> None:
    silence = np.zeros(RATE, dtype=np.float32)
    left = np.concatenate([_tone(1.0), silence, silence])
    right = np.concatenate([silence, _tone(1.0), silence])
    turns = channel_turns(np.stack([left, right]))
    assert [(t.speaker, round(t.start, 2), round(t.end, 2)) for t in turns] == [
        ("SPEAKER_1", 0.0, 1.0),
        ("SPEAKER_2", 1.0, 2.0),
    ]


def test_crosstalk_is_not_a_turn() -> None:
    left = _tone(2.0)
    right = _tone(2.0, level=0.3 * 10 ** (-30 / 20))  # the other party leaking in, 30 dB down
    assert {t.speaker for t in channel_turns(np.stack([left, right]))} == {"SPEAKER_1"}


def test_mono_is_refused_with_a_clear_error() -> None:
    with pytest.raises(InvalidRequestError, match="two or more channels"):
        channel_turns(_tone(1.0)[None, :])


def test_real_stereo_call(audio_dir: Path) -> None:
    path = audio_dir / "en" / "fw_stereo_diarization.wav"
    channels = decode_channels(path)
    assert channels.shape[0] == 2
    turns = channel_turns(channels)
    by_speaker = {t.speaker: t for t in turns}
    assert set(by_speaker) == {"SPEAKER_1", "SPEAKER_2"}
    # the left party talks nearly all 5 s; the right one says a short sentence early on
    assert by_speaker["SPEAKER_1"].seconds > 4.0
    assert 1.5 < by_speaker["SPEAKER_2"].seconds < 3.0
    assert by_speaker["SPEAKER_2"].end < 3.0


def test_auto_takes_channels_for_a_call_and_not_for_one_mix(audio_dir: Path) -> None:
    call = decode_channels(audio_dir / "en" / "fw_stereo_diarization.wav")
    assert _separated(call)
    mix = decode_channels(audio_dir / "en" / "whisper_jfk.flac")  # stereo, one voice in both
    assert not _separated(mix)
    turns = speaker_turns(audio_dir / "en" / "fw_stereo_diarization.wav", DiarizeRequest(), None)
    assert {t.speaker for t in turns} == {"SPEAKER_1", "SPEAKER_2"}


def test_a_mono_file_decodes_to_one_row(audio_dir: Path) -> None:
    channels = decode_channels(audio_dir / "en" / "ljspeech" / "LJ001-0002.flac")
    assert channels.ndim == 2 and channels.shape[0] == 1
    with pytest.raises(InvalidRequestError, match="two or more channels"):
        speaker_turns(audio_dir / "en" / "ljspeech" / "LJ001-0002.flac",
                      DiarizeRequest(mode="channels"), None)  # fmt: skip
