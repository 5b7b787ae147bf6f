"""``stt-engine listen [FILE | --mic]``: stream to a server's /v1/realtime, print what it hears.

A file is decoded to 16 kHz and sent at 1x speed (``--speed`` to change); confirmed text
of the open turn is shown as it grows, and each turn's final line when it completes.
``--mic`` records from the default microphone (needs the ``sounddevice`` package).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from stt_engine.errors import InvalidRequestError

_PREFIX = "conversation.item.input_audio_transcription"


@click.command()
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--url", default="http://localhost:8003", show_default=True, help="Server.")
@click.option("--api-key", envvar="STT_ENGINE_API_KEY", help="Bearer key [env STT_ENGINE_API_KEY].")
@click.option("--language", help="ISO-639-1 code (ko, en); default: detect.")
@click.option("--speed", type=float, default=1.0, show_default=True, help="x real time (files).")
@click.option("--mic", is_flag=True, help="Stream the default microphone instead of a file.")
@click.option("--seconds", type=float, default=30.0, show_default=True, help="Mic recording.")
@click.option("--diarize", is_flag=True, help="Label each turn with its speaker.")
def listen(
    file: Path | None, url: str, api_key: str | None, language: str | None, speed: float,
    mic: bool, seconds: float, diarize: bool,
) -> None:  # fmt: skip
    """Stream FILE (or the microphone) and print partials and finals."""
    from stt_engine.realtime.client import StreamOptions, pcm16, stream_pcm

    if (file is None) == (not mic):
        raise InvalidRequestError(
            "give a FILE or --mic (one of them)", hint="stt-engine listen a.wav"
        )
    samples = _microphone(seconds) if mic else _file(file)  # type: ignore[arg-type]
    options = StreamOptions(
        url=url, api_key=api_key, language=language, speed=1.0 if mic else speed,
        diarize=diarize,
    )  # fmt: skip
    result = asyncio.run(stream_pcm(pcm16(samples), options, _printer()))
    for error in result.errors:
        click.secho(f"error: {error.get('message')}", fg="red", err=True)
    if result.errors:
        raise SystemExit(1)


def _file(path: Path) -> Any:
    from stt_engine.audio import decode_audio

    return decode_audio(path)


def _microphone(seconds: float) -> Any:
    try:
        import sounddevice
    except ImportError as exc:
        raise InvalidRequestError(
            "no microphone support here", hint="pip install sounddevice, or pass a FILE"
        ) from exc
    click.echo(f"recording {seconds:.0f} s from the default microphone...", err=True)
    audio = sounddevice.rec(int(seconds * 16000), samplerate=16000, channels=1, dtype="float32")
    sounddevice.wait()
    return audio.reshape(-1)


def _printer() -> Any:
    shown: dict[str, str] = {}
    speakers: dict[str, str] = {}

    def show(event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == f"{_PREFIX}.delta":
            item = event["item_id"]
            shown[item] = shown.get(item, "") + event.get("delta", "")
            click.echo(f"\r... {shown[item]}", nl=False)
        elif kind == f"{_PREFIX}.segment":
            speakers[event["item_id"]] = f"[{event.get('speaker')}] "
        elif kind == f"{_PREFIX}.completed":
            who = speakers.get(event.get("item_id", ""), "")
            click.echo(f"\r{who}{event.get('transcript', '')}\033[K")

    return show
