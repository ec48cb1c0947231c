"""Downloading a model file or a whole repository from the Hugging Face Hub into the models folder.

huggingface_hub does the transfer: when the connection drops it asks again from where it stopped
(an HTTP Range request) instead of starting over, and `HF_ENDPOINT` points it at a mirror. We add
a progress callback the page turns into a progress bar, and error sentences with the fix.
"""

from __future__ import annotations

import os
import threading
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
    from huggingface_hub import hf_hub_download, snapshot_download

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
            path = hf_hub_download(
                repo_id,
                filename.strip(),
                revision=revision,
                local_dir=folder,
                token=token,
                endpoint=endpoint,
                tqdm_class=progress_class,
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
