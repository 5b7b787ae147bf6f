"""The web page's files: served without a key, from the package, referring to nothing outside."""

from __future__ import annotations

import re
from importlib import resources

import httpx
from api_support import API_KEY

from stt_engine.bench.local_server import BackgroundServer

_OUTSIDE = re.compile(r"""(?:src|href|url|import|from)\s*[=(]?\s*["']?(?:https?:)?//""", re.I)


def _assets() -> list[str]:
    folder = resources.files("stt_engine.server").joinpath("web")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".html", ".js", ".css")))


def test_the_page_is_served_without_a_key(server: BackgroundServer) -> None:
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    config = httpx.get(server.url + "/web/config.json").json()
    assert config["key_required"] is True and config["job_seconds"] == 300.0
    assert config["max_upload_bytes"] == 8 * 1024 * 1024
    assert httpx.get(server.url + "/v1/models").status_code == 401  # the API still needs one
    headers = {"Authorization": f"Bearer {API_KEY}"}
    assert httpx.get(server.url + "/v1/models", headers=headers).status_code == 200


def test_every_asset_is_served_and_nothing_comes_from_outside(server: BackgroundServer) -> None:
    names = _assets()
    assert {"index.html", "app.js", "mic.js", "pcm-worklet.js", "style.css"} <= set(names)
    for name in names:
        response = httpx.get(f"{server.url}/web/{name}")
        assert response.status_code == 200, name
        assert not _OUTSIDE.search(response.text), name
    assert httpx.get(server.url + "/web/../config.py").status_code == 404
    assert httpx.get(server.url + "/web/nothing-here.js").status_code == 404
