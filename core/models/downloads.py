"""Downloading a model file or a whole repository from the Hugging Face Hub into the models folder.

One file (a GGUF) is fetched here, straight from the Hub's resolve URL: the partial file is kept
as `.partial/NAME.part` in the repository's folder, so when the connection drops, and also when
the app is closed mid-file, the next try asks only for the rest (an HTTP Range request). The
finished file is checked against the Hub's size and sha256 before it takes its name. A whole
repository goes through huggingface_hub's `snapshot_download`, which resumes a dropped connection
but starts a file again after a restart. `HF_ENDPOINT` points both at a mirror; a progress
callback drives the page's progress bar; errors become sentences with the fix.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.models.backends.base import ModelError
from core.models.backends.errors import HUB_UNREACHABLE, Remote, translated

Progress = Callable[[int, int | None], None]
"""Called with (bytes done, bytes in total or None) as a download advances."""

# huggingface_hub's byte-counting bars (one file; a repository's aggregate); it also opens bars
# counting files, which would mix units.
_BYTE_BARS = {"huggingface_hub.http_get", "huggingface_hub.snapshot_download"}


def hub_endpoint() -> str:
    """The Hub or mirror in use: HF_ENDPOINT, or huggingface.co."""
    return os.environ.get("HF_ENDPOINT") or "https://huggingface.co"


def target_folder(models_dir: Path, repo_id: str) -> Path:
    """Where a repository's files land: one folder per repository, named after it."""
    return models_dir / repo_id.replace("/", "--")


def download(
    repo_id: str,
    models_dir: Path,
    *,
    filename: str = "",
    revision: str | None = None,
    token: str | None = None,
    endpoint: str | None = None,
    on_progress: Progress | None = None,
) -> Path:
    """Download `filename` from `repo_id` (or the whole repository when it is empty); its path."""
    from huggingface_hub import snapshot_download

    repo_id = repo_id.strip().strip("/")
    if repo_id.count("/") != 1 or " " in repo_id:
        raise ModelError(
            f"{repo_id!r} is not a Hub repository id. Write it as owner/name, e.g. "
            "Qwen/Qwen2.5-3B-Instruct-GGUF."
        )
    endpoint = (endpoint or hub_endpoint()).rstrip("/")
    folder = target_folder(models_dir, repo_id)
    folder.mkdir(parents=True, exist_ok=True)
    progress_class = _progress_class(on_progress) if on_progress else None
    what = f"{repo_id}/{filename}" if filename else repo_id
    remote = Remote(
        target=f"the Hub at {endpoint}", model=what, key_name="HF_TOKEN", unreachable_fix=HUB_UNREACHABLE
    )
    with translated(remote):
        if filename:
            return download_file(
                repo_id, filename.strip(), folder, revision=revision, token=token,
                endpoint=endpoint, on_progress=on_progress,
            )
        else:
            path = snapshot_download(
                repo_id,
                revision=revision,
                local_dir=folder,
                token=token,
                endpoint=endpoint,
                tqdm_class=progress_class,
                max_workers=2,  # a shop's line, not a datacentre's
            )
    return Path(path)


_SHA256 = re.compile(r"[0-9a-f]{64}")
CHUNK = 8 * 1024 * 1024


# Tries per file before giving up: each one asks only for what is still missing.
ATTEMPTS = 5
PARTIAL_DIR = ".partial"  # hidden: the models list skips it


def download_file(
    repo_id: str,
    filename: str,
    folder: Path,
    *,
    revision: str | None = None,
    token: str | None = None,
    endpoint: str | None = None,
    on_progress: Progress | None = None,
) -> Path:
    """Fetch one file into `folder`, going on from a partial file left by an earlier try, and
    check it against the Hub's size and sha256; a file that does not match is deleted and refused
    (`ModelError`), so it is never loaded. Returns its path."""
    import httpx
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.utils import build_hf_headers

    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=endpoint)
    metadata = get_hf_file_metadata(url, token=token, endpoint=endpoint)
    expected = (metadata.etag or "").strip('"').lower()
    target = folder / filename
    if target.is_file() and _verified(target, metadata.size, expected):
        if on_progress:
            on_progress(target.stat().st_size, metadata.size)
        return target
    partial = folder / PARTIAL_DIR / (filename + ".part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    headers = build_hf_headers(token=token)
    for attempt in range(1, ATTEMPTS + 1):
        done = partial.stat().st_size if partial.exists() else 0
        if metadata.size is not None and done >= metadata.size:
            break
        if on_progress:
            on_progress(done, metadata.size)
        try:
            _fetch_rest(httpx, metadata.location, headers, partial, done, metadata.size, on_progress)
            break
        except (httpx.TransportError, _Truncated):
            if attempt == ATTEMPTS:
                raise
            time.sleep(min(attempt, 3))  # the line dropped: ask again for the rest
    _check(partial, filename, metadata.size, expected)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial.replace(target)
    if _SHA256.fullmatch(expected):
        _receipt(target).write_text(expected + "\n")
    return target


class _Truncated(Exception):
    """The server closed the response before sending all it promised."""


def _fetch_rest(
    httpx: Any, location: str, headers: dict[str, str], partial: Path, done: int,
    size: int | None, on_progress: Progress | None,
) -> None:
    """Append the file from byte `done` on to `partial`, flushing as it goes."""
    request_headers = {**headers, "Accept-Encoding": "identity"}
    if done:
        request_headers["Range"] = f"bytes={done}-"
    with httpx.stream("GET", location, headers=request_headers, follow_redirects=True, timeout=30) as response:
        if done and response.status_code == 200:
            done = 0  # the server ignored the Range: start the file again
        elif response.status_code not in (200, 206):
            response.raise_for_status()
        with partial.open("r+b" if done else "wb") as file:
            file.seek(done)
            file.truncate()
            for piece in response.iter_bytes(CHUNK):
                file.write(piece)
                file.flush()  # what arrived survives the app being closed
                done += len(piece)
                if on_progress:
                    on_progress(done, size)
    if size is not None and done < size:
        raise _Truncated(f"{done} of {size} bytes")


def _receipt(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _mismatch(path: Path, size: int | None, expected: str) -> str | None:
    """How `path` differs from the file the Hub describes (size, then sha256), or None.

    Small git files carry a sha1 of the git blob, not of the bytes: only their size is checked."""
    if size is not None and path.stat().st_size != size:
        return f"it has {path.stat().st_size:,} bytes, the Hub says {size:,}"
    if _SHA256.fullmatch(expected) and (digest := sha256_of(path)) != expected:
        return f"its sha256 is {digest[:12]}…, the Hub's is {expected[:12]}…"
    return None


def _verified(path: Path, size: int | None, expected: str) -> bool:
    """Whether a file already in place is the Hub's; hashed once, a receipt says so after."""
    receipt = _receipt(path)
    if receipt.is_file() and receipt.read_text().strip() == expected:
        return size is None or path.stat().st_size == size
    if _mismatch(path, size, expected) is not None:
        return False
    if _SHA256.fullmatch(expected):
        receipt.write_text(expected + "\n")
    return True


def _check(path: Path, filename: str, size: int | None, expected: str) -> None:
    """Refuse (and delete) a finished download that is not the file the Hub describes."""
    if problem := _mismatch(path, size, expected):
        path.unlink(missing_ok=True)
        raise ModelError(
            f"The download of {filename} is corrupt ({problem}), so it was deleted. Download it "
            "again; if this repeats, the mirror (HF_ENDPOINT) may serve a broken copy."
        )


def sha256_of(path: Path) -> str:
    """The file's sha256, read in 8 MiB pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while piece := file.read(CHUNK):
            digest.update(piece)
    return digest.hexdigest()


def download_watched(
    repo_id: str,
    models_dir: Path,
    *,
    on_tick: Progress,
    interval_s: float = 0.25,
    **options: Any,
) -> Path:
    """`download` in a worker thread, calling `on_tick` from *this* thread as bytes arrive.

    Streamlit elements may only be updated from the script's own thread, while huggingface_hub
    reports a repository's progress from its download threads.
    """
    state: dict[str, Any] = {"done": 0, "total": None}
    outcome: dict[str, Any] = {}

    def record(done: int, total: int | None) -> None:
        state["done"], state["total"] = done, total

    def work() -> None:
        try:
            outcome["path"] = download(repo_id, models_dir, on_progress=record, **options)
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread
            outcome["error"] = error

    worker = threading.Thread(target=work, name="huayu-download", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(interval_s)
        on_tick(state["done"], state["total"])
    if "error" in outcome:
        raise outcome["error"]
    return outcome["path"]


def _progress_class(on_progress: Progress) -> type:
    """A tqdm class that reports bytes to `on_progress` and prints nothing."""
    from huggingface_hub.utils import tqdm

    class ReportingBar(tqdm):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._reports = kwargs.get("name") in _BYTE_BARS
            kwargs["disable"] = True  # no terminal output; we only count
            super().__init__(*args, **kwargs)
            self.n = kwargs.get("initial") or 0
            if self._reports:
                on_progress(int(self.n), self.total)

        def update(self, n: float | None = 1) -> bool | None:
            self.n += n or 0
            if self._reports:
                on_progress(int(self.n), int(self.total) if self.total else None)
            return None

    return ReportingBar
