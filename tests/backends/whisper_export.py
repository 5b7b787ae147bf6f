"""Test helper: write a CTranslate2 Whisper folder back out as a Hugging Face checkpoint.

No Hugging Face checkpoint can be downloaded on the test machines, but the packaged
CTranslate2 folders hold the real Whisper weights. This reads ``model.bin`` (CTranslate2's
binary layout: a header, then named tensors, then aliases), undoes the converter's fusing of
the attention projections and saves ``WhisperForConditionalGeneration`` with its generation
config, tokenizer and feature-extractor files, as a published checkpoint has them.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ct2_variables(path: Path) -> dict[str, np.ndarray]:
    """Every named tensor in a CTranslate2 ``model.bin`` (version 6 layout), aliases resolved."""
    with path.open("rb") as handle:
        version = _unpack(handle, "I")
        if version < 5:
            raise ValueError(f"{path}: CTranslate2 model version {version} is not supported")
        _string(handle)  # spec name
        _unpack(handle, "I")  # spec revision
        variables: dict[str, np.ndarray] = {}
        for _ in range(_unpack(handle, "I")):
            name = _string(handle)
            dims = [_unpack(handle, "I") for _ in range(_unpack(handle, "B"))]
            dtype = _DTYPES[_unpack(handle, "B")]
            data = handle.read(_unpack(handle, "I"))
            variables[name] = np.frombuffer(data, dtype=dtype).reshape(dims)
        for _ in range(_unpack(handle, "I")):
            alias, target = _string(handle), _string(handle)
            variables[alias] = variables[target]
    return variables


def _unpack(handle: BinaryIO, fmt: str) -> int:
    size = struct.calcsize("<" + fmt)
    return int(struct.unpack("<" + fmt, handle.read(size))[0])


def _string(handle: BinaryIO) -> str:
    length = _unpack(handle, "H")
    return handle.read(length)[:-1].decode("utf-8")


def _layers(variables: dict[str, np.ndarray], side: str) -> int:
    parts = (name.split("/") for name in variables if name.startswith(f"{side}/layer_"))
    return len({p[1] for p in parts if p[1].removeprefix("layer_").isdigit()})


def hf_state_dict(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ``WhisperForConditionalGeneration`` state dict for CTranslate2's tensors."""
    state: dict[str, np.ndarray] = {}
    for side in ("encoder", "decoder"):
        prefix = f"model.{side}"
        state[f"{prefix}.embed_positions.weight"] = variables[
            f"{side}/position_encodings/encodings"
        ]
        _norm(state, f"{prefix}.layer_norm", variables, f"{side}/layer_norm")
        for index in range(_layers(variables, side)):
            _layer(state, f"{prefix}.layers.{index}", variables, f"{side}/layer_{index}")
    for conv in ("conv1", "conv2"):
        state[f"model.encoder.{conv}.weight"] = variables[f"encoder/{conv}/weight"]
        state[f"model.encoder.{conv}.bias"] = variables[f"encoder/{conv}/bias"]
    state["model.decoder.embed_tokens.weight"] = variables["decoder/embeddings/weight"]
    state["proj_out.weight"] = variables["decoder/embeddings/weight"]
    return state


def _norm(
    state: dict[str, np.ndarray], key: str, variables: dict[str, np.ndarray], name: str
) -> None:
    state[f"{key}.weight"] = variables[f"{name}/gamma"]
    state[f"{key}.bias"] = variables[f"{name}/beta"]


def _linear(
    state: dict[str, np.ndarray], key: str, weight: np.ndarray, bias: np.ndarray | None
) -> None:
    state[f"{key}.weight"] = weight
    if bias is not None:
        state[f"{key}.bias"] = bias


def _layer(
    state: dict[str, np.ndarray], key: str, variables: dict[str, np.ndarray], name: str
) -> None:
    def var(suffix: str) -> np.ndarray:
        return variables[f"{name}/{suffix}"]

    q, k, v = np.split(var("self_attention/linear_0/weight"), 3)
    qb, _, vb = np.split(var("self_attention/linear_0/bias"), 3)  # k has no bias in Whisper
    _attention(state, f"{key}.self_attn", (q, k, v), (qb, vb))
    _linear(
        state,
        f"{key}.self_attn.out_proj",
        var("self_attention/linear_1/weight"),
        var("self_attention/linear_1/bias"),
    )
    _norm(state, f"{key}.self_attn_layer_norm", variables, f"{name}/self_attention/layer_norm")
    if f"{name}/attention/linear_0/weight" in variables:
        k, v = np.split(var("attention/linear_1/weight"), 2)
        _, vb = np.split(var("attention/linear_1/bias"), 2)
        q, qb = var("attention/linear_0/weight"), var("attention/linear_0/bias")
        _attention(state, f"{key}.encoder_attn", (q, k, v), (qb, vb))
        _linear(
            state,
            f"{key}.encoder_attn.out_proj",
            var("attention/linear_2/weight"),
            var("attention/linear_2/bias"),
        )
        _norm(state, f"{key}.encoder_attn_layer_norm", variables, f"{name}/attention/layer_norm")
    _linear(state, f"{key}.fc1", var("ffn/linear_0/weight"), var("ffn/linear_0/bias"))
    _linear(state, f"{key}.fc2", var("ffn/linear_1/weight"), var("ffn/linear_1/bias"))
    _norm(state, f"{key}.final_layer_norm", variables, f"{name}/ffn/layer_norm")


def _attention(
    state: dict[str, np.ndarray],
    key: str,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray],
    biases: tuple[np.ndarray, np.ndarray],
) -> None:
    _linear(state, f"{key}.q_proj", weights[0], biases[0])
    _linear(state, f"{key}.k_proj", weights[1], None)
    _linear(state, f"{key}.v_proj", weights[2], biases[1])


def export_hf(ct2_folder: Path, out: Path) -> Path:
    """Write ``ct2_folder`` (a CTranslate2 Whisper model) as a Hugging Face checkpoint."""
    import torch
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
    )

    variables = read_ct2_variables(ct2_folder / "model.bin")
    ct2_config = json.loads((ct2_folder / "config.json").read_text(encoding="utf-8"))
    config = _whisper_config(WhisperConfig, variables)
    model = WhisperForConditionalGeneration(config)
    state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in hf_state_dict(variables).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if [m for m in missing if m != "proj_out.weight"] or unexpected:
        raise ValueError(f"state dict mismatch: missing {missing}, unexpected {unexpected}")
    model.generation_config = GenerationConfig(**_generation_config(ct2_folder, ct2_config))
    out.mkdir(parents=True, exist_ok=True)
    model.to(torch.float16).save_pretrained(out)  # published checkpoints are mostly float16
    shutil.copy2(ct2_folder / "tokenizer.json", out / "tokenizer.json")
    WhisperFeatureExtractor(feature_size=config.num_mel_bins).save_pretrained(out)
    return out


def _whisper_config(config_class: type, variables: dict[str, np.ndarray]) -> object:
    vocab, d_model = variables["decoder/embeddings/weight"].shape
    return config_class(
        vocab_size=int(vocab),
        num_mel_bins=int(variables["encoder/conv1/weight"].shape[1]),
        d_model=int(d_model),
        encoder_layers=_layers(variables, "encoder"),
        decoder_layers=_layers(variables, "decoder"),
        encoder_attention_heads=int(variables["encoder/num_heads"]),
        decoder_attention_heads=int(variables["decoder/num_heads"]),
        encoder_ffn_dim=int(variables["encoder/layer_0/ffn/linear_0/weight"].shape[0]),
        decoder_ffn_dim=int(variables["decoder/layer_0/ffn/linear_0/weight"].shape[0]),
        max_source_positions=int(variables["encoder/position_encodings/encodings"].shape[0]),
        max_target_positions=int(variables["decoder/position_encodings/encodings"].shape[0]),
        decoder_start_token_id=50258,
        pad_token_id=50257,
        bos_token_id=50257,
        eos_token_id=50257,
        tie_word_embeddings=True,
    )


def _generation_config(ct2_folder: Path, ct2_config: dict[str, object]) -> dict[str, object]:
    vocab = json.loads((ct2_folder / "tokenizer.json").read_text(encoding="utf-8"))
    ids = {t["content"]: t["id"] for t in vocab["added_tokens"]}
    lang_ids = ct2_config.get("lang_ids") or []
    by_id = {v: k for k, v in ids.items()}
    multilingual = len(lang_ids) > 1  # type: ignore[arg-type]
    return {
        "alignment_heads": ct2_config.get("alignment_heads"),
        "begin_suppress_tokens": ct2_config.get("suppress_ids_begin"),
        "suppress_tokens": ct2_config.get("suppress_ids"),
        "decoder_start_token_id": ids["<|startoftranscript|>"],
        "eos_token_id": ids["<|endoftext|>"],
        "pad_token_id": ids["<|endoftext|>"],
        "bos_token_id": ids["<|endoftext|>"],
        "no_timestamps_token_id": ids["<|notimestamps|>"],
        "is_multilingual": multilingual,
        "lang_to_id": {by_id[i]: i for i in lang_ids} if multilingual else {},  # type: ignore[union-attr]
        "task_to_id": {"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]},
        "max_length": 448,
    }
