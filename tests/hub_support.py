"""A Hugging Face hub on 127.0.0.1 that serves real model files, for `models pull` tests.

It answers the requests ``huggingface_hub`` makes for ``model_info``, ``list_repo_tree``,
``hf_hub_download`` and ``snapshot_download``: ``/api/models/{repo}[/revision/{rev}]`` (id,
sha, siblings), ``/api/models/{repo}/tree/{rev}`` (size, git blob id, LFS sha256), and
``/{repo}/resolve/{rev}/{file}`` (HEAD and GET with X-Repo-Commit, ETag, X-Linked-Etag,
X-Linked-Size, Content-Length, Range). Errors carry the hub's X-Error-Code header. Faults for
the failure paths: cut transfers mid-file, serve corrupted bytes, require a token.

    with LocalHub() as hub:
        hub.add_repo("Systran/faster-whisper-small", packaged_base(tmp_path / "base"))
        env = hub.env(tmp_path / "hf-home")   # HF_ENDPOINT and a private HF_HOME
        subprocess.run([... "models", "pull", "small", "--models-dir", ...], env=env)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

_LFS_SUFFIXES = (".bin", ".safetensors")
_CHUNK = 1024 * 1024


@dataclass
class HubFile:
    path: Path
    size: int = 0
    oid: str = ""  # git blob sha1, as the hub reports it
    sha256: str | None = None  # set for LFS files

    @classmethod
    def of(cls, path: Path) -> HubFile:
        size = path.stat().st_size
        blob = hashlib.sha1(f"blob {size}\0".encode())
        sha = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                blob.update(chunk)
                sha.update(chunk)
        lfs = path.suffix in _LFS_SUFFIXES
        return cls(path, size, blob.hexdigest(), sha.hexdigest() if lfs else None)

    @property
    def etag(self) -> str:
        return self.sha256 or self.oid


@dataclass
class HubRepo:
    repo_id: str
    files: dict[str, HubFile]
    commit: str
    refs: dict[str, str]  # branch or tag -> commit
    token: str | None = None  # when set, requests must carry "Authorization: Bearer <token>"

    def sibling_names(self) -> list[str]:
        return sorted(self.files)


@dataclass
class Faults:
    """Keys are (repo id, file name)."""

    # the next transfers of a file are cut after these many bytes, one entry per transfer
    drops: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    corrupt: set[tuple[str, str]] = field(default_factory=set)  # first byte flipped

    def drop(self, repo_id: str, filename: str, after: int, times: int = 1) -> None:
        self.drops.setdefault((repo_id, filename), []).extend([after] * times)

    def next_drop(self, key: tuple[str, str]) -> int | None:
        pending = self.drops.get(key)
        return pending.pop(0) if pending else None


def packaged_model(name: str, root: Path) -> Path:
    """A packaged CTranslate2 model's folder (config, tokenizer, vocabulary, model.bin)."""
    from stt_engine.config import Settings
    from stt_engine.models import ModelRegistry

    settings = Settings(models_dir=root / "models", cache_dir=root / "cache")
    return ModelRegistry(settings).resolve(name).path


def packaged_base(root: Path) -> Path:
    """Whisper base (multilingual, 145 MB)."""
    return packaged_model("base", root)


def packaged_tiny_en(root: Path) -> Path:
    """Whisper tiny.en (75 MB: the smallest real Whisper here)."""
    return packaged_model("tiny.en", root)


class LocalHub:
    """The hub server; a context manager that serves on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.faults = Faults()
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add_repo(
        self, repo_id: str, folder: Path, *, tags: tuple[str, ...] = (), token: str | None = None
    ) -> HubRepo:
        """Serve every file of ``folder`` as ``repo_id`` at one commit (branch main + tags)."""
        files = {p.name: HubFile.of(p) for p in sorted(folder.iterdir()) if p.is_file()}
        digest = hashlib.sha1(repo_id.encode())
        for name, item in files.items():
            digest.update(f"{name}:{item.oid}".encode())
        commit = digest.hexdigest()
        repo = HubRepo(
            repo_id, files, commit, {"main": commit, **dict.fromkeys(tags, commit)}, token
        )
        self.repos[repo_id] = repo
        return repo

    def env(self, hf_home: Path, **extra: str) -> dict[str, str]:
        """Environment for a subprocess that pulls from this hub (no token, no xet, own cache)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
        env.update(
            HF_ENDPOINT=self.url,
            HF_HOME=str(hf_home),
            HF_HUB_DISABLE_XET="1",
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HUB_DISABLE_PROGRESS_BARS="0",
        )
        env.update(extra)
        return env

    def downloads(self, filename: str) -> list[dict[str, str]]:
        """The GET requests made for ``filename`` (any repository), in order."""
        return [r for r in self.requests if r["method"] == "GET" and r["file"] == filename]

    def log(self, entry: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(entry)

    def __enter__(self) -> LocalHub:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


_API = re.compile(
    r"^/api/models/(?P<repo>[^/]+/[^/]+)(?:/(?P<kind>revision|tree)/(?P<rev>[^/]+))?$"
)
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")


def _handler(hub: LocalHub) -> type[BaseHTTPRequestHandler]:
    class Handler(_HubHandler):
        pass

    Handler.hub = hub
    return Handler


class _HubHandler(BaseHTTPRequestHandler):
    hub: LocalHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._route(send_body=True)

    def do_HEAD(self) -> None:
        self._route(send_body=False)

    def _route(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        api, resolve = _API.match(path), _RESOLVE.match(path)
        match = api or resolve
        entry = {
            "method": self.command,
            "path": path,
            "range": self.headers.get("Range", ""),
            "auth": self.headers.get("Authorization", ""),
            "file": resolve["file"] if resolve else "",
        }
        self.hub.log(entry)
        if match is None:
            return self._error(404, "EntryNotFound", "no such route")
        repo = self._repo(match["repo"])
        if repo is None:
            return None
        commit = repo.refs.get(match["rev"] or "main", match["rev"] or "main")
        if commit != repo.commit:
            return self._error(404, "RevisionNotFound", "Invalid rev id")
        if api and api["kind"] == "tree":
            return self._json([_tree_entry(n, f) for n, f in repo.files.items()])
        if api:
            return self._json(
                {
                    "id": repo.repo_id,
                    "sha": repo.commit,
                    "private": False,
                    "siblings": [{"rfilename": n} for n in repo.sibling_names()],
                }
            )
        return self._file(repo, match["file"], send_body)

    def _repo(self, repo_id: str) -> HubRepo | None:
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found")
        elif repo.token is not None and self.headers.get("Authorization") != f"Bearer {repo.token}":
            self._error(401, "GatedRepo", "Access to this model is restricted")
            return None
        return repo

    def _file(self, repo: HubRepo, name: str, send_body: bool) -> None:
        item = repo.files.get(name)
        if item is None:
            return self._error(404, "EntryNotFound", "Entry not found")
        start = _range_start(self.headers.get("Range", ""))
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", repo.commit)
        self.send_header("ETag", f'"{item.etag}"')
        if item.sha256:
            self.send_header("X-Linked-Etag", f'"{item.sha256}"')
            self.send_header("X-Linked-Size", str(item.size))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(item.size - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{item.size - 1}/{item.size}")
        self.end_headers()
        if send_body:
            self._body(repo, name, item, start)
        return None

    def _body(self, repo: HubRepo, name: str, item: HubFile, start: int) -> None:
        key = (repo.repo_id, name)
        stop_after = self.hub.faults.next_drop(key)
        corrupt = key in self.hub.faults.corrupt
        sent = 0
        with item.path.open("rb") as handle:
            handle.seek(start)
            while chunk := handle.read(_CHUNK):
                if corrupt and sent == 0:
                    chunk = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
                if stop_after is not None and sent + len(chunk) >= stop_after:
                    self.wfile.write(chunk[: stop_after - sent])
                    self.wfile.flush()
                    self.close_connection = True
                    return  # the client sees the body end early
                self.wfile.write(chunk)
                sent += len(chunk)

    def _json(self, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _tree_entry(name: str, item: HubFile) -> dict[str, object]:
    entry: dict[str, object] = {"type": "file", "path": name, "size": item.size, "oid": item.oid}
    if item.sha256:
        entry["lfs"] = {"oid": item.sha256, "size": item.size, "pointerSize": 134}
    return entry


def _range_start(header: str) -> int:
    found = re.fullmatch(r"bytes=(\d+)-", header.strip())
    return int(found[1]) if found else 0
