"""Audio with no speech in it, made with sox at test time (never committed).

Each file is 16 kHz mono 16-bit WAV of a few seconds: digital silence, low white, pink and
brown noise, mains hum at 50 and 60 Hz with harmonics, a steady 1 kHz tone, a steady dual
tone and a keyed run of DTMF-like dual tones. A speech engine must give no text for any.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SECONDS = "4"


def _sines(*hertz: int) -> list[str]:
    """One sine per frequency (sox gives each its own channel; ``remix -`` sums them)."""
    return [word for f in hertz for word in ("sine", str(f))]


# name -> the sox effects after ``sox -R -D -n -r 16000 -b 16 -c 1 OUT``
RECIPES: dict[str, list[str]] = {
    "silence": ["trim", "0", SECONDS],
    "white_noise": ["synth", SECONDS, "whitenoise", "vol", "0.02"],
    "pink_noise": ["synth", SECONDS, "pinknoise", "vol", "0.03"],
    "brown_noise": ["synth", SECONDS, "brownnoise", "vol", "0.05"],
    "hum_50hz": ["synth", SECONDS, *_sines(50, 100, 150, 250), "remix", "-", "vol", "0.2"],
    "hum_60hz": ["synth", SECONDS, *_sines(60, 120, 180, 300), "remix", "-", "vol", "0.2"],
    "tone_1khz": ["synth", SECONDS, *_sines(1000), "vol", "0.3"],
    "dual_tone": ["synth", SECONDS, *_sines(697, 1209), "remix", "-", "vol", "0.3"],
}
# digit -> its two frequencies, for the keyed run
_KEYS = {"1": (697, 1209), "5": (770, 1336), "9": (852, 1477), "0": (941, 1336)}


def make_nonspeech(folder: Path) -> dict[str, Path]:
    """Write every file of the set into ``folder``; name -> path."""
    made = {name: _sox(folder / f"{name}.wav", effects) for name, effects in RECIPES.items()}
    made["dtmf_keys"] = _keyed(folder)
    return made


def _sox(out: Path, effects: list[str]) -> Path:
    command = ["sox", "-R", "-D", "-n", "-r", "16000", "-b", "16", "-c", "1", str(out), *effects]
    subprocess.run(command, check=True, capture_output=True)
    return out


def _keyed(folder: Path) -> Path:
    """Keys 1, 5, 9, 0 twice over: 0.2 s of dual tone, then 0.15 s of silence, each."""
    presses = []
    for index, digit in enumerate("15901590"):
        low, high = _KEYS[digit]
        effects = ["synth", "0.2", *_sines(low, high), "remix", "-", "vol", "0.3"]
        press = _sox(folder / f"key{index}.wav", [*effects, "pad", "0", "0.15"])
        presses.append(str(press))
    out = folder / "dtmf_keys.wav"
    subprocess.run(["sox", *presses, str(out)], check=True, capture_output=True)
    return out
