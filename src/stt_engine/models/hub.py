"""Talk to a Hugging Face hub through ``huggingface_hub``: list, download and check a snapshot.

The library honours ``HF_ENDPOINT`` (a mirror), ``HF_TOKEN`` (gated and private repositories),
the usual proxy variables, resumes a dropped transfer with a Range request and draws the
progress bars. It is imported here only, and only when a pull runs, so ``--help`` stays light.
Every failure the library reports leaves this module as an ``SttError`` with a hint.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stt_engine.errors import (
    ModelAccessError,
    ModelChecksumError,
    ModelError,
    ModelHubUnreachableError,
    ModelNotFoundError,
    NotWhisperModelError,
    SttError,
)
from stt_engine.models import layout

if TYPE_CHECKING:
    from huggingface_hub import HfApi

# Top-level files a Whisper model needs, per format; anything else in a repository is left.
_CT2_FILES = (
    "model.bin",
    "config.json",
    "tokenizer.json",
    "vocabulary.*",
    "preprocessor_config.json",
)
_HF_FILES = (
    "config.json",
    "generation_config.json",
    "preprocessor_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.json",
    "merges.txt",
    "normalizer.json",
    "added_tokens.json",
    "special_tokens_map.json",
    "model.safetensors",
    "model.safetensors.index.json",
    "model-*-of-*.safetensors",
)
_NO_NETWORK_HINT = (
    "pull on a machine with internet (or set HF_ENDPOINT to a reachable hub mirror), then carry "
    "the model over with `stt-engine bundle build --model NAME`"
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A repository at one commit, and the files of it a Whisper model needs."""

    repo_id: str
    revision: str  # as asked for ("main" when none was)
    commit: str  # the commit sha the revision pointed at
    format: str  # layout.CTRANSLATE2 or layout.TRANSFORMERS
    files: tuple[str, ...]


def endpoint() -> str:
    from huggingface_hub import constants

    return str(constants.ENDPOINT)


def _api() -> HfApi:
    from huggingface_hub import HfApi

    return HfApi()


def plan(repo_id: str, revision: str | None) -> Snapshot:
    """Resolve the revision to a commit and pick the files to fetch (no download yet)."""
    with hub_errors(repo_id, revision):
        info = _api().model_info(repo_id, revision=revision)
    names = [s.rfilename for s in info.siblings or [] if "/" not in s.rfilename]
    model_format, files = pick_files(names)
    if model_format is None or info.sha is None:
        raise NotWhisperModelError(
            f"{repo_id} does not hold a Whisper model this engine can load "
            f"(files: {', '.join(sorted(names)[:12]) or 'none'})",
            hint="pull a CTranslate2 conversion (model.bin, config.json, tokenizer.json) or a "
            "Hugging Face Whisper checkpoint (config.json, model.safetensors, tokenizer.json)",
        )
    return Snapshot(repo_id, revision or "main", info.sha, model_format, files)


def pick_files(names: list[str]) -> tuple[str | None, tuple[str, ...]]:
    if "config.json" not in names:
        return None, ()
    if "model.bin" in names:
        return layout.CTRANSLATE2, _matching(names, _CT2_FILES)
    files = _matching(names, _HF_FILES)
    if not any(name.endswith(".safetensors") for name in files) and "pytorch_model.bin" in names:
        files = (*files, "pytorch_model.bin")
    has_weights = any(n.endswith(".safetensors") or n == "pytorch_model.bin" for n in files)
    return (layout.TRANSFORMERS, files) if has_weights else (None, ())


def _matching(names: list[str], patterns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)))


def download_config(snapshot: Snapshot, folder: Path) -> None:
    """Fetch config.json alone and check that it describes a Whisper model of the format."""
    from huggingface_hub import hf_hub_download

    with hub_errors(snapshot.repo_id, snapshot.revision):
        hf_hub_download(snapshot.repo_id, "config.json", revision=snapshot.commit, local_dir=folder)
    if layout.config_format(folder) != snapshot.format:
        raise NotWhisperModelError(
            f"{snapshot.repo_id}: config.json does not describe a Whisper model",
            hint="pull a Whisper model (a CTranslate2 conversion or a Hugging Face checkpoint)",
        )


def download(snapshot: Snapshot, folder: Path) -> None:
    """Fetch the snapshot's files into ``folder`` (a progress bar on stderr)."""
    from huggingface_hub import snapshot_download

    with hub_errors(snapshot.repo_id, snapshot.revision):
        snapshot_download(
            snapshot.repo_id,
            revision=snapshot.commit,
            local_dir=folder,
            allow_patterns=list(snapshot.files),
            max_workers=4,
        )


def verify(snapshot: Snapshot, folder: Path) -> None:
    """Compare every fetched file with the hub's checksum (LFS sha256 or git blob id)."""
    with hub_errors(snapshot.repo_id, snapshot.revision):
        result = _api().verify_repo_checksums(
            snapshot.repo_id, revision=snapshot.commit, local_dir=folder
        )
    problems = [
        f"{m['path']}: {m['algorithm']} {m['actual'][:12]}... != {m['expected'][:12]}..."
        for m in result.mismatches
    ]
    problems += [f"{path}: missing" for path in result.missing_paths if path in snapshot.files]
    if problems:
        raise ModelChecksumError(
            f"{snapshot.repo_id}@{snapshot.commit[:12]} differs from what the hub "
            f"published: {'; '.join(problems)}",
            hint="nothing was kept; pull again (a proxy or mirror may have altered the files)",
        )


@contextmanager
def hub_errors(repo_id: str, revision: str | None) -> Iterator[None]:
    """Turn the library's and the network's exceptions into SttErrors with hints."""
    import httpx2
    from huggingface_hub import errors

    try:
        yield
    except SttError:
        raise
    except errors.RevisionNotFoundError as exc:
        raise ModelNotFoundError(
            f"revision '{revision}' of {repo_id} not found on {endpoint()}",
            hint="give a branch, tag or commit sha that exists (--revision)",
        ) from exc
    except errors.GatedRepoError as exc:
        raise _access_error(repo_id, "is gated: accept its terms on the hub first") from exc
    except errors.RepositoryNotFoundError as exc:
        raise ModelNotFoundError(
            f"repository {repo_id} not found on {endpoint()}",
            hint="check the repository id (owner/name) or use a known short name "
            "(stt-engine models pull --help); a private repository needs HF_TOKEN",
        ) from exc
    except errors.HfHubHTTPError as exc:
        raise _http_error(repo_id, exc) from exc
    except (httpx2.TransportError, errors.LocalEntryNotFoundError, errors.FileMetadataError) as exc:
        raise ModelHubUnreachableError(
            f"cannot reach the model hub at {endpoint()} ({type(exc).__name__}: {_first(exc)})",
            hint=_NO_NETWORK_HINT,
        ) from exc
    except OSError as exc:  # the library's size check, disk full, permissions
        raise ModelError(f"pulling {repo_id} failed: {_first(exc)}") from exc


def _http_error(repo_id: str, exc: Exception) -> SttError:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", 0)
    if status in (401, 403):
        return _access_error(repo_id, f"refused access (HTTP {status})")
    return ModelHubUnreachableError(
        f"the model hub at {endpoint()} answered HTTP {status} for {repo_id}",
        hint="try again later; " + _NO_NETWORK_HINT,
    )


def _access_error(repo_id: str, why: str) -> ModelAccessError:
    return ModelAccessError(
        f"{repo_id} {why}",
        hint="set HF_TOKEN to a token whose account may read the repository "
        "(https://huggingface.co/settings/tokens)",
    )


def _first(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
