"""The table of request options: the one declaration of each option's name, type, default,
bounds or choices, help, and the surfaces that take it (see ``option.py``).

Derived from ``OPTIONS``: the request options (``TranscribeOptions``, request.py) with their
defaults and checks, the form parser and the OpenAPI body (server/params.py), the click options
(cli/flags.py, and the bench's decoding flags), the job JSON (jobs/record.py) and a realtime
session's transcription fields (realtime/events.py). Kept free of the inference libraries so
that ``stt-engine transcribe --help`` stays light.
"""

from __future__ import annotations

from stt_engine.diarize import references
from stt_engine.formats import FORMAT_NAMES
from stt_engine.languages import normalise_language
from stt_engine.options import openai_fields as oa
from stt_engine.options.option import DECODE, TASKS, Option, Surface
from stt_engine.text.itn import NUMBER_MODES
from stt_engine.text.redact import canonical_kinds
from stt_engine.text.vocabulary import check_name

FORM: frozenset[Surface] = frozenset({"form"})
SUBTITLE: frozenset[Surface] = frozenset({"form", "cli"})
SESSION: frozenset[Surface] = DECODE | {"realtime"}
KNOWN: frozenset[Surface] = frozenset({"form", "json", "realtime"})
BENCH: frozenset[Surface] = DECODE | {"bench"}
MAX_SPEAKERS = 15  # the most speakers diarization tells apart

OPTIONS: tuple[Option, ...] = (
    Option(
        "language",
        str,
        None,
        "ISO-639-1 code (ko, en) or English name (Korean); default: detect.",
        SESSION,
        short="-l",
        clean=normalise_language,
        openai=True,
        schema_tasks=("transcribe",),  # translations accept it too: the spoken language
    ),
    Option(
        "task",
        str,
        "transcribe",
        "transcribe, or translate into English.",
        surfaces=frozenset({"jobs", "cli", "submit", "json"}),
        choices=TASKS,
    ),
    Option(
        "initial_prompt",
        str,
        None,
        "Text that guides spelling and style (Whisper's initial prompt).",
        SESSION,
        field="prompt",
        openai=True,
    ),
    Option(
        "response_format",
        str,
        "json",
        "Response format.",
        FORM,
        "request",
        choices=FORMAT_NAMES,
        openai=True,
    ),
    Option(
        "temperature",
        float,
        0.0,
        "0 keeps the fallback ladder 0, 0.2 ... 1.0; t > 0 starts the ladder at t (a step "
        "above 0 is a beam search with a stronger repetition penalty: never sampled).",
        minimum=0,
        maximum=1,
        openai=True,
    ),
    Option(
        "stream",
        bool,
        False,
        "Answer with server-sent events, one per segment.",
        FORM,
        "request",
        openai=True,
    ),
    Option("beam_size", int, 5, "Beam width (1: greedy).", BENCH, minimum=1, maximum=20),
    Option(
        "best_of", int, 5, "Accepted for compatibility (nothing is sampled).", minimum=1, maximum=20
    ),
    Option("hotwords", str, None, "Words and names to favour, separated by spaces."),
    Option("word_timestamps", bool, False, "Time every word."),
    Option(
        "without_timestamps",
        bool,
        False,
        "Decode text only (no timestamp tokens); a segment per speech chunk.",
        added_later=True,
    ),
    Option(
        "vad_filter", bool, True, "Skip silence with voice detection.", BENCH, flag="--vad/--no-vad"
    ),
    Option("vad_min_silence_ms", int, 500, "Shortest silence VAD cuts at (ms).", minimum=0),
    Option(
        "vad_threshold",
        float,
        0.5,
        "Speech probability VAD keeps (lower keeps more: 0.35 helps phone and noisy audio).",
        minimum=0.0,
        maximum=1.0,
        above=True,
        below=True,  # 1.0 would keep nothing: no chunk is ever that sure
        added_later=True,
    ),
    Option(
        "batch_size",
        int,
        0,
        "Most speech chunks in one decoder call (0: 4 on CPU, 16 on GPU); on a server its "
        "batch_size setting decides, and a request may only leave it at 0.",
        minimum=0,
        maximum=256,
        setting="batch_size",
    ),
    Option("condition_on_previous_text", bool, False, "Prompt each window with the last text."),
    Option("compression_ratio_threshold", float, 2.4, "Retry hotter above this gzip ratio."),
    Option("log_prob_threshold", float, -1.0, "Retry hotter below this mean log-probability."),
    Option("no_speech_threshold", float, 0.6, "Treat a window as silent above this no-speech."),
    Option(
        "hallucination_silence_threshold",
        float,
        None,
        "Skip silences over this many seconds around suspected hallucinations.",
    ),
    Option("repetition_penalty", float, 1.0, "Penalty on repeated tokens.", minimum=0, above=True),
    Option("no_repeat_ngram_size", int, 0, "Forbid repeating n-grams of this size (0: off)."),
    Option("filter_hallucinations", bool, True, "Drop segments that look like hallucinations."),
    Option(
        "numbers",
        str,
        "keep",
        "Numbers after decoding: keep, digits (2026년, 7시, 010-1234-5678, 25) or spoken.",
        choices=NUMBER_MODES,
        added_later=True,
    ),
    Option(
        "redact",
        str,
        None,
        "Mask personal data: phone, rrn, card, account, email, name, all or none "
        "(comma-separated; default: the server's redact setting).",
        clean=canonical_kinds,
        added_later=True,
    ),
    Option(
        "vocabulary",
        str,
        None,
        "A named custom vocabulary: its terms guide decoding, its replacements fix the text.",
        clean=check_name,
        added_later=True,
    ),
    Option(
        "diarize", bool, False, "Label segments and words with their speaker.", added_later=True
    ),
    Option(
        "diarize_mode",
        str,
        "auto",
        "How speakers are found: cluster (by voice), channels (one party per channel of a "
        "stereo call) or auto (channels for a stereo file whose channels hold different "
        "voices, else cluster).",
        choices=("auto", "cluster", "channels"),
        added_later=True,
    ),
    Option(
        "num_speakers",
        int,
        0,
        "The number of speakers, when known (diarization; 0: find out).",
        minimum=0,
        maximum=MAX_SPEAKERS,
        added_later=True,
    ),
    Option(
        "min_speakers",
        int,
        0,
        "At least this many speakers (0: any).",
        minimum=0,
        maximum=MAX_SPEAKERS,
        added_later=True,
    ),
    Option(
        "max_speakers",
        int,
        0,
        "At most this many speakers (0: any).",
        minimum=0,
        maximum=MAX_SPEAKERS,
        added_later=True,
    ),
    Option(
        "known_speaker_names",
        str,
        (),
        "Names of known speakers (diarization; at most 4): a found speaker whose voice matches "
        "the name's reference (or saved voice profile) carries the name instead of SPEAKER_N.",
        KNOWN,
        clean=references.check_names,
        openai=True,
        schema_tasks=("transcribe",),
        added_later=True,
        shape="list",
        most=references.MAX_SPEAKERS,
    ),
    Option(
        "known_speaker_references",
        str,
        (),
        "A voice sample of each known speaker, in the names' order: a data URL "
        "(data:audio/wav;base64,...) of 2 to 10 s of that speaker alone. Leave them all out "
        "to use the saved voice profiles of the names (PUT /v1/speakers/{name}).",
        KNOWN,
        clean=references.check_reference_urls,
        openai=True,
        schema_tasks=("transcribe",),
        added_later=True,
        shape="list",
        most=references.MAX_SPEAKERS,
    ),
    Option(
        "max_line_width",
        int,
        42,
        "Subtitle line width in display columns.",
        SUBTITLE,
        "subtitle",
        minimum=10,
        maximum=200,
    ),
    Option(
        "max_lines",
        int,
        2,
        "Subtitle lines per cue.",
        SUBTITLE,
        "subtitle",
        minimum=1,
        maximum=10,
    ),
    # OpenAI's 2026 fields (openai_fields.py): each sets options above, or one of its own
    Option(
        "logprobs",
        bool,
        False,
        "Give each text token's log-probability (set by include[]=logprobs).",
        frozenset({"json", "realtime"}),
        added_later=True,
    ),
    Option(
        "include",
        str,
        None,
        "Extra output: logprobs (each token's log-probability, in json and stream events).",
        FORM,
        "request",
        choices=("logprobs",),
        openai=True,
        shape="list",
        sets=oa.include_sets,
        schema_tasks=("transcribe",),
    ),
    Option(
        "languages",
        str,
        None,
        "The languages the audio may be in (ISO-639-1 codes): detection picks among them. "
        "Give language or languages, not both.",
        frozenset({"form", "json", "realtime"}),
        clean=oa.language_list,
        openai=True,
        schema_tasks=("transcribe",),
        added_later=True,
        shape="list",
        excludes="language",
    ),
    Option(
        "keywords",
        str,
        None,
        f"Words or phrases to favour (decoder hotwords): one line each, no < or >, at most "
        f"{oa.MAX_KEYWORDS} of {oa.MAX_KEYWORD_CHARS} characters.",
        FORM | {"realtime"},
        "request",
        clean=oa.check_keywords,
        openai=True,
        shape="list",
        sets=oa.keywords_as_hotwords,
        schema_tasks=("transcribe",),
    ),
    Option(
        "chunking_strategy",
        str,
        None,
        'How the audio is cut: "auto" (voice detection) or {"type": "server_vad", '
        '"threshold", "prefix_padding_ms", "silence_duration_ms"}, which set vad_threshold, '
        "vad_speech_pad_ms and vad_min_silence_ms.",
        FORM,
        "request",
        clean=oa.chunking_strategy,
        openai=True,
        shape="object",
        sets=oa.chunking_sets,
    ),
    Option(
        "vad_speech_pad_ms",
        int,
        400,
        "Audio kept before and after each speech region VAD finds (ms).",
        minimum=0,
        maximum=5000,
        added_later=True,
    ),
)
BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}


def on(surface: Surface) -> tuple[Option, ...]:
    """The options a surface exposes, in table order."""
    return tuple(option for option in OPTIONS if surface in option.surfaces)
