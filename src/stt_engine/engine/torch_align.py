"""Word timestamps for the PyTorch backend: cross-attention + dynamic time warping.

Whisper's alignment heads attend to the audio frame each text token was heard in. One
teacher-forced decoder pass over a chunk's text records those heads' attention (hooks on the
cross-attention projections, since SDPA attention does not return weights); the weights are
normalised per head, median-filtered along time, averaged, and a monotonic path through them
(DTW) gives each token's frame. ``word_timing.py`` then groups the tokens into words and
times them, by the rules the CTranslate2 backend's words follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from stt_engine.engine import decoded as dec
from stt_engine.engine.contract import ChunkInput
from stt_engine.engine.word_timing import Alignment, add_words, text_tokens

MEDIAN_WIDTH = 7


class WordAligner:
    """Adds ``words`` to decoded chunks of one model."""

    def __init__(self, model: Any, heads: list[tuple[int, int]], special: tuple[int, int]):
        self._model = model
        self._heads = heads
        self._no_timestamps, self._eot = special
        self._captured: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def align(
        self,
        decoded: list[dict[str, Any]],
        tokenizers: list[Any],
        encoded: torch.Tensor,
        chunks: Sequence[ChunkInput],
    ) -> None:
        """Words on the segments of every decoded chunk, each chunk aligned on its own."""
        for i, (chunk, tokenizer) in enumerate(zip(chunks, tokenizers, strict=True)):
            subsegments = decoded[i]["subsegments"]
            if not subsegments:
                continue
            text = text_tokens(subsegments, tokenizer.eot)
            frames = dec.content_frames(chunk.seconds)
            alignment = self._align_one(encoded[i : i + 1], tokenizer.sot_sequence, text, frames)
            add_words(subsegments, tokenizer, alignment)

    def _align_one(
        self,
        encoded: torch.Tensor,
        start: list[int],
        text: list[int],
        frames: int,
    ) -> Alignment:
        eot = self._eot
        prefix = [*start, self._no_timestamps]
        ids = torch.tensor([[*prefix, *text, eot]], device=encoded.device)
        logits, weights = self._attention(encoded, ids)
        probs = logits[0, len(prefix) - 1 : -1, :eot].float().softmax(-1)
        token_probs = probs[torch.arange(len(text)), torch.tensor(text, dtype=torch.long)]
        # the chunk's audio, within the window it was encoded in (fitted or the full 30 s)
        positions = min(frames // 2, encoded.shape[1])
        matrix = _attention_matrix(weights[:, :, :positions], MEDIAN_WIDTH)
        path = dtw(-matrix[len(prefix) - 1 : -1].cpu().numpy())
        return Alignment(path, [float(p) for p in token_probs.tolist()])

    def _attention(self, encoded: torch.Tensor, ids: torch.Tensor) -> tuple[Any, torch.Tensor]:
        """Logits, and the alignment heads' attention logits (heads, tokens, frames)."""
        layers = self._model.model.decoder.layers
        hooks = [
            layers[index].encoder_attn.register_forward_pre_hook(
                self._capture(index), with_kwargs=True
            )
            for index in sorted({layer for layer, _ in self._heads})
        ]
        try:
            out = self._model(encoder_outputs=(encoded,), decoder_input_ids=ids, use_cache=False)
        finally:
            for hook in hooks:
                hook.remove()
        per_layer = {index: self._qk(layers[index].encoder_attn, index) for index in self._captured}
        self._captured.clear()
        return out.logits, torch.stack([per_layer[layer][head] for layer, head in self._heads])

    def _capture(self, index: int) -> Any:
        def hook(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            hidden = kwargs["hidden_states"] if "hidden_states" in kwargs else args[0]
            self._captured[index] = (hidden, kwargs["key_value_states"])

        return hook

    def _qk(self, attention: Any, index: int) -> torch.Tensor:
        hidden, states = self._captured[index]
        heads = attention.num_heads
        query = (attention.q_proj(hidden) * attention.scaling)[0].unflatten(-1, (heads, -1))
        key = attention.k_proj(states)[0].unflatten(-1, (heads, -1))
        return torch.einsum("thd,shd->hts", query.float(), key.float())


def _attention_matrix(weights: torch.Tensor, width: int) -> torch.Tensor:
    """Heads' attention, softmaxed over frames, standardised per frame, filtered, averaged."""
    weights = weights.softmax(-1)
    std, mean = torch.std_mean(weights, dim=-2, keepdim=True, unbiased=False)
    weights = (weights - mean) / std.clamp_min(1e-8)
    return median_filter(weights, width).mean(0)


def median_filter(x: torch.Tensor, width: int) -> torch.Tensor:
    """Median over a sliding window along the last axis (reflect-padded, same length)."""
    pad = width // 2
    if x.shape[-1] <= pad:
        return x
    padded = torch.nn.functional.pad(x, (pad, pad), mode="reflect")
    return padded.unfold(-1, width, 1).median(-1).values


def dtw(cost: np.ndarray) -> list[tuple[int, int]]:
    """The cheapest monotonic path through ``cost`` (tokens x frames), as (token, frame) pairs.

    Filled one anti-diagonal at a time (every cell on one depends only on the two before),
    with the tie order of the reference implementation: diagonal, then up, then left.
    """
    rows, cols = cost.shape
    total = np.full((rows + 1, cols + 1), np.inf)
    total[0, 0] = 0.0
    trace = np.full((rows + 1, cols + 1), -1, dtype=np.int8)
    for diagonal in range(2, rows + cols + 1):
        i = np.arange(max(1, diagonal - cols), min(rows, diagonal - 1) + 1)
        j = diagonal - i
        choices = np.stack([total[i - 1, j - 1], total[i - 1, j], total[i, j - 1]])
        step = _step(choices)
        total[i, j] = cost[i - 1, j - 1] + choices[step, np.arange(i.size)]
        trace[i, j] = step
    return _backtrace(trace)


def _step(choices: np.ndarray) -> np.ndarray:
    diagonal, up, left = choices
    return np.where(
        (diagonal < up) & (diagonal < left), 0, np.where((up < diagonal) & (up < left), 1, 2)
    )


def _backtrace(trace: np.ndarray) -> list[tuple[int, int]]:
    trace = trace.copy()
    trace[0, :] = 2
    trace[:, 0] = 1
    i, j = trace.shape[0] - 1, trace.shape[1] - 1
    path: list[tuple[int, int]] = []
    while i > 0 or j > 0:
        path.append((i - 1, j - 1))
        step = trace[i, j]
        if step == 0:
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    return path[::-1]
