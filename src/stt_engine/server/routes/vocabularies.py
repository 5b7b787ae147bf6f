"""GET /v1/vocabularies, GET and PUT /v1/vocabularies/{name}: named custom vocabularies.

A PUT body is the vocabulary's JSON object (``terms``, ``pronunciations``, ``replacements``;
text/vocabulary.py); it is checked whole before it replaces the stored one.
"""

from __future__ import annotations

import json

import anyio
from fastapi import APIRouter, Depends, Request

from stt_engine.errors import InvalidRequestError
from stt_engine.server.auth import require_key
from stt_engine.server.state import StateDep
from stt_engine.text.vocabulary import Vocabulary, check_name

router = APIRouter(
    prefix="/v1/vocabularies", tags=["vocabularies"], dependencies=[Depends(require_key)]
)
_MAX_BYTES = 1024 * 1024


def _body(vocabulary: Vocabulary) -> dict[str, object]:
    return {"object": "vocabulary", "name": vocabulary.name, **vocabulary.to_json()}


@router.get("", summary="List the vocabularies")
async def list_vocabularies(state: StateDep) -> dict[str, object]:
    names = await anyio.to_thread.run_sync(state.engine.vocabularies.names)
    return {"object": "list", "data": [{"object": "vocabulary", "name": n} for n in names]}


@router.get("/{name}", summary="One vocabulary")
async def get_vocabulary(name: str, state: StateDep) -> dict[str, object]:
    vocabulary = await anyio.to_thread.run_sync(state.engine.vocabularies.load, name)
    return _body(vocabulary)


@router.put("/{name}", summary="Create or replace a vocabulary")
async def put_vocabulary(name: str, request: Request, state: StateDep) -> dict[str, object]:
    check_name(name)
    raw = await request.body()
    if len(raw) > _MAX_BYTES:
        raise InvalidRequestError("a vocabulary is at most 1 MiB", param="vocabulary")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InvalidRequestError(f"the body is not valid JSON: {exc}", param="vocabulary") from exc
    vocabulary = Vocabulary.from_json(name, data)
    await anyio.to_thread.run_sync(state.engine.vocabularies.save, vocabulary)
    return _body(vocabulary)
