"""``stt-engine bench diarization``: DER and speaker counts on the evaluation set."""

from __future__ import annotations

from pathlib import Path

import click

_REFERENCES = Path("tests/diarization/references")


@click.command("diarization")
@click.option(
    "--references",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=_REFERENCES,
    show_default=True,
    help="Folder of reference JSON files (tests/diarization/build_set.py writes them).",
)
@click.option(
    "--audio",
    "audio_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("../shared/audio"),
    show_default=True,
    help="The folder the references' source clips are relative to.",
)
@click.option("--filter", "contains", default="", help="Only references whose name has this.")
@click.option("--collar", type=click.FloatRange(min=0), default=0.25, show_default=True)
@click.option(
    "--merge-cosine",
    type=click.FloatRange(min=0, max=1, min_open=True),
    default=None,
    help="Override the diarize_merge_cosine setting.",
)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto")
@click.option(
    "--senko/--no-senko",
    "senko_too",
    default=False,
    show_default=True,
    help="Also run senko's own pipeline on the same audio and give its DER beside ours "
    "(skipped, with a note, where it stops with an illegal instruction).",
)
@click.option(
    "--words/--no-words",
    default=True,
    show_default=True,
    help="Transcribe each recording with timed words first and give their spans to the "
    "diarizer, as a transcription with diarize=true does (its time is not counted as "
    "diarization's); --no-words diarizes the audio alone.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-out"),
    show_default=True,
    help="Folder for diarization.json.",
)
def diarization(
    references: Path,
    audio_root: Path,
    contains: str,
    collar: float,
    merge_cosine: float | None,
    device: str,
    senko_too: bool,
    words: bool,
    out: Path,
) -> None:
    """Diarize the evaluation set; print and save DER (frame-level, collar) per file."""
    from stt_engine.bench import diarization as bench
    from stt_engine.bench.results import envelope, write_result
    from stt_engine.config import load_settings
    from stt_engine.diarize import run
    from stt_engine.engine import Engine, TranscribeOptions

    run.require()
    overrides: dict[str, object] = {"device": device}
    if merge_cosine is not None:
        overrides["diarize_merge_cosine"] = merge_cosine
    engine = Engine(load_settings(**overrides))
    diarizer = engine.diarizer()
    paths = sorted(p for p in references.glob("*.json") if contains in p.name)
    bench.warm_up(diarizer, paths, audio_root)  # loading is not diarizing: kept out of the times
    with_words = TranscribeOptions(word_timestamps=True)
    transcribe = (lambda audio: engine.transcribe_all(audio, with_words)) if words else None
    scores = [bench.run_file(p, audio_root, diarizer, collar, transcribe) for p in paths]
    note = None
    if senko_too:
        from stt_engine.bench.senko_own import senko_turns

        turns = senko_turns(paths, audio_root)
        if isinstance(turns, str):
            note = turns
        else:
            scores = bench.with_senko(scores, paths, turns, collar)
    result = {
        **envelope("diarization", {**_settings(engine.settings, collar), "words": words}),
        **bench.summary(scores),
    }
    path = write_result({**result, "senko_note": note}, out, "diarization")
    click.echo(bench.table(scores))
    if note:
        click.echo(note)
    click.echo(f"result: {path}")


def _settings(settings: object, collar: float) -> dict[str, object]:
    """The figures' settings: the collar and every diarization setting."""
    from stt_engine.config import Settings

    fields = Settings.group_fields("diarization")
    return {"collar": collar, **{name: getattr(settings, name) for name in fields}}
