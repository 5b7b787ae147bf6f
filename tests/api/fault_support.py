"""Clients that misbehave on purpose, and the checks every fault test ends with.

``RawWebSocket`` is a WebSocket client on a plain blocking socket (websockets' sans-I/O
protocol does the framing): it reads only when told to, so it can vanish without a close
frame or stop reading while it keeps sending, as real broken clients do.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import json
import select
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from api_support import API_KEY, JFK, make_settings
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

from stt_engine import heap
from stt_engine.audio import decode_audio
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.engine import Engine
from stt_engine.server import create_app
from stt_engine.server.state import ServerState

AUTH = {"Authorization": f"Bearer {API_KEY}"}
RSS_SLACK_MIB = 10.0


# Each thread that allocates gets an arena of its own by default, and what the 16 request
# workers and the decoding threads cache in theirs moves this process's memory by tens of MiB
# from one request to the next; with two arenas the figure is steady to a few MiB, so a leak
# shows. Done when this module is imported (test collection), before the server's threads
# start; MALLOC_ARENA_MAX in the environment wins, as for the server.
heap.limit_arenas(2)


def rss_mib() -> float:
    """This process's resident memory after a garbage collection (the server runs in it),
    with the C allocator's free pages handed back (glibc's malloc_trim), so what is measured
    is memory held, not memory cached for reuse."""
    gc.collect()
    heap.trim()
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def assert_healthy(server: BackgroundServer) -> None:
    """/health answers and a real transcription still works."""
    assert httpx.get(server.url + "/health", timeout=30).status_code == 200
    with JFK.open("rb") as audio:
        answer = httpx.post(
            server.url + "/v1/audio/transcriptions",
            headers=AUTH,
            files={"file": (JFK.name, audio)},
            data={"model": "whisper-1", "language": "en"},
            timeout=300,
        )
    assert answer.status_code == 200, answer.text
    assert "country" in answer.json()["text"].lower()


def wait_until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def speech_pcm24k(seconds: float) -> bytes:
    """The first ``seconds`` of JFK as PCM16 at 24 kHz (the realtime default format)."""
    audio = decode_audio(JFK)[: int(seconds * 16000)]
    positions = np.arange(int(audio.size * 1.5)) / 1.5
    resampled = np.interp(positions, np.arange(audio.size), audio)
    return (np.clip(resampled, -1, 1) * 32767).astype("<i2").tobytes()


def append_event(pcm: bytes) -> dict[str, Any]:
    return {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm).decode()}


class RawWebSocket:
    """A WebSocket client that reads only when asked; ``receive_buffer`` shrinks SO_RCVBUF."""

    def __init__(self, server: BackgroundServer, path: str, receive_buffer: int = 0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(30)
        self.sock.connect((server.host, server.port))
        url = server.url.replace("http://", "ws://") + path
        self.protocol = ClientProtocol(parse_uri(url))
        request = self.protocol.connect()
        request.headers["Authorization"] = AUTH["Authorization"]
        self.protocol.send_request(request)
        self._flush()
        self.frames: list[Frame] = []
        while self.protocol.state is State.CONNECTING:
            self._read_some()
        assert self.protocol.state is State.OPEN, self.protocol.handshake_exc

    def _flush(self) -> None:
        self.sock.sendall(b"".join(self.protocol.data_to_send()))

    def _read_some(self) -> bool:
        """Feed what arrives to the protocol; False at the end of the stream."""
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            data = b""
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        for event in self.protocol.events_received():
            if not isinstance(event, Response):
                self.frames.append(event)
        self._flush_quietly()
        return bool(data)

    def _flush_quietly(self) -> None:
        with contextlib.suppress(OSError):
            self._flush()

    def send(self, event: dict[str, Any]) -> None:
        self.send_many([event])

    def send_many(self, events: list[dict[str, Any]]) -> None:
        """The events' frames in one write."""
        for event in events:
            self.protocol.send_text(json.dumps(event).encode())
        self._flush()

    def read_some(self) -> None:
        assert self._read_some(), "the server closed the connection"

    def send_until(self, events: list[dict[str, Any]], stop: Callable[[], bool]) -> int:
        """Send ``events`` over and over until ``stop()``, which is checked every 0.1 s even
        while the server reads nothing; the number of events sent."""
        pending, sent = b"", 0
        while not stop():
            if not pending:
                for event in events:
                    self.protocol.send_text(json.dumps(event).encode())
                pending, sent = b"".join(self.protocol.data_to_send()), sent + len(events)
            if select.select([], [self.sock], [], 0.1)[1]:
                pending = pending[self.sock.send(pending) :]
            assert sent < 1_000_000, "stop() never came"
        return sent

    def events(self) -> list[dict[str, Any]]:
        texts = [f.data for f in self.frames if f.opcode is Opcode.TEXT]
        return [json.loads(text) for text in texts]

    def read_until_closed(self) -> list[dict[str, Any]]:
        """Every event until the server's close frame or the end of the stream."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        while self.protocol.close_code is None and self._read_some():
            pass
        return self.events()

    def first_event(self) -> dict[str, Any]:
        while not self.events():
            assert self._read_some(), "closed before the first event"
        return self.events()[0]

    def close(self) -> None:
        """Close the socket and drop what was read (the server's memory is measured in this
        process)."""
        self.sock.close()
        self.frames.clear()


def warm_realtime(server: BackgroundServer) -> None:
    """One live session with a turn transcribed, so what a first session loads is loaded."""
    from websockets.sync.client import connect

    url = server.url.replace("http://", "ws://") + "/v1/realtime?intent=transcription"
    with connect(url, additional_headers=AUTH) as ws:
        pcm = speech_pcm24k(4.0)
        for start in range(0, len(pcm), 4800):  # 100 ms events: partial passes run too
            ws.send(json.dumps(append_event(pcm[start : start + 4800])))
            time.sleep(0.02)
        ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
        while True:
            event = json.loads(ws.recv(timeout=120))
            if event["type"].endswith(".completed") or event["type"] == "error":
                break


Fault = Callable[[BackgroundServer, ServerState], None]


def survives(base_dir: Path, engine: Engine, fault: Fault, **overrides: object) -> None:
    """Run ``fault`` twice on a server with ``overrides``; after the second the server is
    healthy and its memory within RSS_SLACK_MIB of where it was after the first.

    The first run is the warm-up: what the model runtime and the allocator cache for the
    shapes of work a fault brings (a batch of four, a partial pass) is kept for reuse and
    is no leak; a leak grows with every run. The server runs no background jobs: the job
    data directory may be held by the session's shared server.
    """
    settings = make_settings(base_dir, **{"job_workers": 0, **overrides})
    app = create_app(settings, engine)
    state: ServerState = app.state.stt
    with BackgroundServer(app, settings=settings) as server:
        server.wait_ready()
        for attempt in range(2):
            if attempt:
                before = _settled_rss(server, 3)
            fault(server, state)
            wait_until(lambda: state.realtime_sessions == 0)
        after = min(rss_mib(), _settled_rss(server, 2))
        assert after - before < RSS_SLACK_MIB, f"memory {before:.1f} -> {after:.1f} MiB"


def _settled_rss(server: BackgroundServer, requests: int) -> float:
    """The least memory measured after each of ``requests`` transcriptions (each answered)
    and a live session: what one request caches varies by tens of MiB from one to the next,
    a leak shows in every figure."""
    figures = []
    for _ in range(requests):
        assert_healthy(server)
        figures.append(rss_mib())
    warm_realtime(server)
    return min([*figures[-2:], rss_mib()])
