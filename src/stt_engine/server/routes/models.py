"""GET /v1/models and /v1/models/{id}: OpenAI's list and model objects.

Only models the registry lists (the models directory and installed model packages) and their
aliases are served: a request can never name a filesystem path.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends

from stt_engine.engine import Engine
from stt_engine.engine.kinds import backend_name
from stt_engine.errors import ModelNotFoundError, quoted
from stt_engine.models import aliases
from stt_engine.models.registry import ModelInfo
from stt_engine.server.auth import require_key
from stt_engine.server.state import ServerState, StateDep

router = APIRouter(prefix="/v1/models", tags=["models"], dependencies=[Depends(require_key)])
_STARTED = int(time.time())


def find_model(engine: Engine, requested: str | None) -> ModelInfo:
    """The listed model a request names (aliases resolved), or ModelNotFoundError."""
    canonical = engine.registry.canonical(requested)
    for info in engine.registry.available():
        if info.name == canonical:
            return info
    raise ModelNotFoundError(
        f"model {quoted(requested or canonical)} not found",
        hint=f"GET /v1/models lists the models: {', '.join(engine.registry.names()) or 'none'}",
        param="model",
    )


def model_object(state: ServerState, info: ModelInfo, model_id: str | None = None) -> dict:
    """OpenAI's model object, with the engine's facts as extra keys."""
    return {
        "id": model_id or info.name,
        "object": "model",
        "created": _STARTED,
        "owned_by": "stt-engine",
        "root": info.name,
        "languages": info.languages,
        "source": info.source,
        "format": info.format,
        "backend": backend_name(info.format, state.engine.settings.backend),
        "size_bytes": info.size,
        "loaded": info.name in state.engine.pool.loaded(),
        "default": info.name == state.engine.registry.default_name,
        "aliases": aliases.aliases_of(info.name, state.engine.registry.default_name),
    }


@router.get("", summary="List models")
def list_models(state: StateDep) -> dict:
    data = [model_object(state, info) for info in state.engine.registry.available()]
    default = next((d for d in data if d["default"]), None)
    if default is not None:
        data.extend({**default, "id": alias} for alias in aliases.default_aliases())
    return {"object": "list", "data": data}


@router.get("/{model_id:path}", summary="Retrieve a model")
def get_model(model_id: str, state: StateDep) -> dict:
    return model_object(state, find_model(state.engine, model_id), model_id)
