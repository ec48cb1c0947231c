"""Downloads with resume and progress, against a small local server that speaks the part of the
Hub's HTTP API huggingface_hub uses (file metadata by HEAD, Range requests, repo info and tree).
The first transfer of each file is cut off half-way, as a flaky line would."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from core.models.backends import ModelError
from core.models.downloads import download, download_watched, target_folder

REPO = "huayu-test/tiny-model"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
# Larger than huggingface_hub's 10 MiB write chunk: what was written before the drop is kept.
FILES = {
    "tiny.gguf": b"GGUF" + bytes(range(256)) * (24 * 4096),  # 24 MiB
    "config.json": json.dumps({"model_type": "llama"}).encode(),
}


# Served but not listed in the repository (so whole-repository downloads leave them out).
SLOW = "slow.gguf"  # sent at about 8 MiB/s, so a download can be killed part-way
CORRUPT = "corrupt.gguf"  # the right size, one byte changed: its sha256 is not the Hub's
EXTRA_FILES = {SLOW: b"GGUF" + bytes(range(256)) * (32 * 4096), CORRUPT: FILES["tiny.gguf"]}


class HubHandler(http.server.BaseHTTPRequestHandler):
    """Serves FILES for REPO; `server.requests` records (method, path, Range header)."""

    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        server = self.server
        server.requests.append((self.command, self.path, self.headers.get("Range")))  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        if path.startswith(f"/api/models/{REPO}/revision/"):
            return self._json({"id": REPO, "sha": COMMIT, "siblings": [{"rfilename": name} for name in FILES]}, body)
        if path.startswith(f"/api/models/{REPO}/tree/"):
            tree = [
                {"type": "file", "oid": hashlib.sha1(data).hexdigest(), "size": len(data), "path": name}
                for name, data in FILES.items()
            ]
            return self._json(tree, body)
        prefix = f"/{REPO}/resolve/"
        served = {**FILES, **EXTRA_FILES}
        if path.startswith(prefix) and path[len(prefix) :].split("/", 1)[-1] in served:
            name = path[len(prefix) :].split("/", 1)[1]
            return self._file(name, served[name], body)
        self.send_response(404)
        self.send_header("X-Error-Code", "RepoNotFound")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _json(self, value: object, body: bool) -> None:
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _file(self, name: str, data: bytes, body: bool) -> None:
        start = 0
        requested = self.headers.get("Range")
        if requested:
            start = int(requested.removeprefix("bytes=").split("-")[0])
        self.send_response(206 if start else 200)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if not body:
            return
        if name == CORRUPT:
            data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
        if name == SLOW:
            for offset in range(start, len(data), 1024 * 1024):
                self.wfile.write(data[offset : offset + 1024 * 1024])
                time.sleep(0.12)
            return
        dropped: set[str] = self.server.dropped  # type: ignore[attr-defined]
        if not start and name not in dropped and len(data) > 1000:
            dropped.add(name)
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)  # the line drops half-way
            self.close_connection = True
            return
        self.wfile.write(data[start:])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HubHandler)
    server.requests = []  # type: ignore[attr-defined]
    server.dropped = set()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url(server: http.server.ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_a_file_cut_off_half_way_resumes_with_a_range_request(hub, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", url(hub))  # a mirror, as HF_ENDPOINT=https://hf-mirror.com
    progress: list[tuple[int, int | None]] = []
    path = download(REPO, tmp_path, filename="tiny.gguf", on_progress=lambda done, total: progress.append((done, total)))
    data = FILES["tiny.gguf"]
    assert path == target_folder(tmp_path, REPO) / "tiny.gguf"
    assert path.read_bytes() == data
    ranges = [r for method, p, r in hub.requests if method == "GET" and p.endswith("tiny.gguf")]
    assert len(ranges) == 2 and ranges[0] is None
    resumed_at = int(ranges[1].removeprefix("bytes=").rstrip("-"))  # the second asks for the rest only
    assert 0 < resumed_at <= len(data) // 2
    assert progress[-1] == (len(data), len(data))
    assert all(a[0] <= b[0] for a, b in pairwise(progress))  # never goes backwards
    assert not list(path.parent.rglob("*.part")) and not list(path.parent.rglob("*.incomplete"))


def test_a_whole_repository_downloads_with_one_progress_total(hub, tmp_path):
    ticks: list[tuple[int, int | None]] = []
    folder = download_watched(
        REPO, tmp_path, endpoint=url(hub), on_tick=lambda done, total: ticks.append((done, total)), interval_s=0.05
    )
    assert {p.name for p in folder.iterdir() if p.is_file()} == set(FILES)
    for name, data in FILES.items():
        assert (folder / name).read_bytes() == data
    total = sum(len(data) for data in FILES.values())
    assert ticks[-1] == (total, total)
    assert any(r for _, p, r in hub.requests if p.endswith("tiny.gguf"))  # resumed here too


def test_unknown_repository_and_bad_ids_say_what_to_do(hub, tmp_path):
    with pytest.raises(ModelError, match="404"):
        download("huayu-test/missing", tmp_path, filename="x.gguf", endpoint=url(hub))
    with pytest.raises(ModelError, match="owner/name"):
        download("not a repo id", tmp_path, endpoint=url(hub))


def test_unreachable_hub_suggests_a_mirror(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ModelError, match="HF_ENDPOINT to a mirror"):
        download(REPO, tmp_path, endpoint=f"http://127.0.0.1:{port}")


def test_already_downloaded_files_are_not_fetched_again(hub, tmp_path):
    download(REPO, tmp_path, filename="config.json", endpoint=url(hub))
    before = [r for r in hub.requests if r[0] == "GET"]
    download(REPO, tmp_path, filename="config.json", endpoint=url(hub))
    after = [r for r in hub.requests if r[0] == "GET"]
    assert len(after) == len(before)  # only a HEAD to compare the ETag


def test_target_folder_is_one_per_repository(tmp_path: Path):
    assert target_folder(tmp_path, "Qwen/Qwen2.5-3B-Instruct-GGUF").name == "Qwen--Qwen2.5-3B-Instruct-GGUF"


ROOT = Path(__file__).resolve().parent.parent


def test_a_download_cut_off_by_closing_the_app_goes_on_from_where_it_stopped(hub, tmp_path):
    """The app is killed mid-file (no chance to clean up); the next download asks for the rest."""
    script = (
        "import sys; from pathlib import Path; from core.models.downloads import download; "
        f"download({REPO!r}, Path(sys.argv[1]), filename={SLOW!r}, endpoint=sys.argv[2])"
    )
    app = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), url(hub)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        partial: list[Path] = []
        while time.monotonic() < deadline and not any(p.stat().st_size >= 4 * 2**20 for p in partial):
            time.sleep(0.1)
            partial = list(tmp_path.rglob("*.part"))
        os.kill(app.pid, signal.SIGKILL)
    finally:
        app.wait(timeout=30)
    assert partial, "the download never got going"
    kept = max(p.stat().st_size for p in tmp_path.rglob("*.part"))
    data = EXTRA_FILES[SLOW]
    assert 0 < kept < len(data)

    path = download(REPO, tmp_path, filename=SLOW, endpoint=url(hub))
    assert path.read_bytes() == data
    resumed = [r for method, p, r in hub.requests if method == "GET" and p.endswith(SLOW)][-1]
    assert resumed == f"bytes={kept}-"  # only the rest was asked for
    assert (path.parent / (SLOW + ".sha256")).read_text().strip() == hashlib.sha256(data).hexdigest()


def test_a_corrupt_download_is_deleted_and_refused(hub, tmp_path):
    with pytest.raises(ModelError, match="corrupt") as refused:
        download(REPO, tmp_path, filename=CORRUPT, endpoint=url(hub))
    assert "sha256" in str(refused.value) and "again" in str(refused.value)
    assert not (target_folder(tmp_path, REPO) / CORRUPT).exists()  # never loaded by mistake


def test_a_verified_file_is_not_hashed_again(hub, tmp_path, monkeypatch):
    download(REPO, tmp_path, filename="tiny.gguf", endpoint=url(hub))
    from core.models import downloads

    def no_hashing(path: Path) -> str:
        raise AssertionError("hashed again")

    monkeypatch.setattr(downloads, "sha256_of", no_hashing)
    download(REPO, tmp_path, filename="tiny.gguf", endpoint=url(hub))


def test_the_model_manager_downloads_a_recommended_model_with_one_click(hub, tmp_path, monkeypatch, sessions):
    from dataclasses import replace

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from core.models.catalogue import RECOMMENDED
    from tests.test_backend_pages import MODELS_PAGE, sidebar_and_page

    monkeypatch.setenv("HF_ENDPOINT", url(hub))
    monkeypatch.setenv("HUAYU_MODELS_DIR", str(tmp_path / "models"))
    # The first recommended model, served by the local hub as its tiny.gguf.
    tiny = replace(RECOMMENDED[0], repo_id=REPO, filename="tiny.gguf", size_bytes=len(FILES["tiny.gguf"]))
    monkeypatch.setattr("core.models.catalogue.RECOMMENDED", (tiny, *RECOMMENDED[1:]))
    st.cache_resource.clear()
    at = AppTest.from_function(sidebar_and_page, args=(MODELS_PAGE,), default_timeout=60)
    at.session_state["ui.language"] = "en"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(RECOMMENDED)
    qwen = table[table["Model"].str.startswith("Qwen2.5-0.5B")].iloc[0]
    assert qwen["Writes"] == "English, Chinese"
    assert qwen["Fits here"] in ("yes", "just", "no") and qwen["Expected speed"].startswith("≈ ")
    smollm = table[table["Model"].str.startswith("SmolLM2")].iloc[0]
    assert smollm["Writes"] == "English"

    at.button(key="models.get.tiny.gguf").click().run()
    assert not at.exception
    assert any("sha256 match" in s.value for s in at.success)
    saved = target_folder(tmp_path / "models", REPO) / "tiny.gguf"
    assert saved.read_bytes() == FILES["tiny.gguf"]
    at.run()
    assert not at.exception, at.exception
    assert any(c.value.endswith("downloaded") for c in at.caption)
    assert not any(b.key == "models.get.tiny.gguf" for b in at.button)
    st.cache_resource.clear()
