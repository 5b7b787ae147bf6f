"""Saved voice profiles: ``PUT``, ``GET`` and ``DELETE /v1/speakers/{name}``, ``GET /v1/speakers``.

A PUT body is 2 to 10 seconds of the speaker alone, in any audio format the server decodes
(``curl -X PUT --data-binary @kim.wav -H 'Content-Type: audio/wav' .../v1/speakers/kim``).
Profiles belong to the API key that saved them (every caller shares them when the server has
no keys); a transcription that names known speakers without references uses them
(diarize/profiles.py).
"""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Depends, Request

from stt_engine.diarize.profiles import SpeakerProfiles
from stt_engine.diarize.references import MAX_REFERENCE_BYTES, data_url, reference_audio
from stt_engine.errors import InvalidRequestError
from stt_engine.server.auth import CallerDep, require_key
from stt_engine.server.params import Profiles
from stt_engine.server.state import ServerState, StateDep

router = APIRouter(prefix="/v1/speakers", tags=["speakers"], dependencies=[Depends(require_key)])


def profiles(state: ServerState) -> SpeakerProfiles:
    return SpeakerProfiles(state.settings.data_dir)


def saved_voices(state: ServerState, owner: str | None) -> Profiles:
    """The references of saved profiles by name, as the caller sees them."""
    store = profiles(state)
    return lambda names: store.references(owner, names)


@router.get("", summary="List the saved voice profiles")
async def list_speakers(state: StateDep, owner: CallerDep) -> dict[str, object]:
    found = await anyio.to_thread.run_sync(profiles(state).listed, owner)
    return {"object": "list", "data": [p.describe() for p in found]}


@router.get("/{name}", summary="One saved voice profile")
async def get_speaker(name: str, state: StateDep, owner: CallerDep) -> dict[str, object]:
    found = await anyio.to_thread.run_sync(profiles(state).load, owner, name)
    return found.describe()


@router.put("/{name}", summary="Save (or replace) a voice profile")
async def put_speaker(
    name: str, request: Request, state: StateDep, owner: CallerDep
) -> dict[str, object]:
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_REFERENCE_BYTES:
            raise InvalidRequestError(
                f"a voice sample is at most {MAX_REFERENCE_BYTES // 1024 // 1024} MiB",
                param="file",
            )
    if not body:
        raise InvalidRequestError("send 2 to 10 s of the speaker's voice as the body", param="file")
    samples = await anyio.to_thread.run_sync(reference_audio, data_url(bytes(body)))
    saved = await anyio.to_thread.run_sync(profiles(state).save, owner, name, samples)
    return saved.describe()


@router.delete("/{name}", summary="Remove a saved voice profile")
async def delete_speaker(name: str, state: StateDep, owner: CallerDep) -> dict[str, object]:
    await anyio.to_thread.run_sync(profiles(state).delete, owner, name)
    return {"object": "speaker.deleted", "name": name, "deleted": True}
