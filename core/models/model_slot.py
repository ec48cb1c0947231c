"""The process's one loaded model.

Loading a model takes seconds and hundreds of MB, so a process keeps exactly one, shared by every
browser session (the app caches one `ModelSlot` with `st.cache_resource`) or by every call of a CLI
run. Asking for a different model unloads the old one first, so switching never holds two.
"""

from __future__ import annotations

import gc
import threading

from core.accounts.secrets import redact, secret_values
from core.models.backends import BackendConfig, LoadedModel, ModelError, get_backend


class ModelSlot:
    """Holds at most one `LoadedModel`, keyed by its backend id and config."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, BackendConfig] | None = None
        self._model: LoadedModel | None = None
        self.load_count = 0
        """How many times a model was loaded: tests and benchmarks check it stays at one."""

    def get(self, backend_id: str, config: BackendConfig) -> LoadedModel:
        """The loaded model for this config, loading it (and unloading another) if needed."""
        key = (backend_id, config)
        with self._lock:
            if self._key == key and self._model is not None:
                return self._model
            self._unload_locked()
            secrets = secret_values(config)
            try:
                model = get_backend(backend_id).load(config)
            except Exception as error:
                # A client library may quote the key it was given (in a URL, a header dump).
                masked = redact(str(error), secrets)
                if masked == str(error):
                    raise
            else:
                model.secrets = secrets
                self._model = model
                self._key = key
                self.load_count += 1
                return model
        # Raised outside the except block, so the original (key and all) is not chained to it.
        raise ModelError(masked)

    def holds(self, backend_id: str, config: BackendConfig) -> bool:
        """Whether this exact model is loaded now (so asking for it will not load)."""
        return self._model is not None and self._key == (backend_id, config)

    @property
    def current(self) -> LoadedModel | None:
        """The model loaded now, if any."""
        return self._model

    def unload(self) -> None:
        """Free the loaded model, if any."""
        with self._lock:
            self._unload_locked()

    def _unload_locked(self) -> None:
        if self._model is not None:
            self._model.close()
        self._model = None
        self._key = None
        gc.collect()
