"""Library exceptions turned into `ModelError` sentences that say what to do.

Every backend that talks to a server (Hub, OpenAI-compatible), the transformers backend and the
model downloads go through `translate` here, so a 401 or a dropped connection reads the same
wherever it happens. Exceptions are recognised by class *name* along the cause chain: openai
ships its own copy of httpx (`httpx2`), huggingface_hub uses httpx, and neither should have to be
imported just to classify an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core.models.backends.base import ModelError


@dataclass(frozen=True)
class Remote:
    """Who we were talking to, so the sentence can name it and the fix."""

    target: str
    """The server in words, e.g. "the OpenAI-compatible server at http://127.0.0.1:8080/v1"."""
    model: str = ""
    """The model or endpoint asked for."""
    key_name: str = ""
    """Where the key comes from (an environment variable / secrets.toml name), if any."""
    timeout_s: float | None = None
    """The request timeout, to say how long we waited."""
    unreachable_fix: str = "Start the server, or fix the URL and port."
    """What to do when nothing answers at all."""


HUB_UNREACHABLE = (
    "Check the internet connection, or set HF_ENDPOINT to a mirror (for example "
    "https://hf-mirror.com) and restart."
)


def translate(error: BaseException, remote: Remote, *, mid_stream: bool = False) -> ModelError | None:
    """The `ModelError` for a failed call to `remote`; None when it is not a user-fixable problem.

    `mid_stream` says part of the reply had already arrived (a dropped connection then means the
    server went away while answering).
    """
    chain = list(_causes(error))
    names = {cls.__name__ for e in chain for cls in type(e).__mro__}
    status = next((code for e in chain if (code := _status_code(e)) is not None), None)
    detail = _server_detail(chain)
    where = remote.target
    model = f" {remote.model!r}" if remote.model else ""
    key_fix = (
        f"Check the key: set {remote.key_name} in the environment or in .streamlit/secrets.toml."
        if remote.key_name
        else "Check the key or token configured for it."
    )
    if "OutOfMemoryError" in names or any(isinstance(e, MemoryError) for e in chain) or any(
        "out of memory" in str(e).lower() for e in chain if isinstance(e, RuntimeError)
    ):
        return ModelError(
            f"Out of memory running{model or ' the model'}. Choose a smaller model, a smaller "
            "context or fewer max new tokens, a quantized GGUF file, or close other programs "
            "(on a GPU: other processes holding GPU memory)."
        )
    if status == 401:
        return ModelError(f"{_cap(where)} refused the credentials (401 Unauthorized). {key_fix}")
    if status == 403:
        return ModelError(
            f"{_cap(where)} forbids access to{model or ' this model'} (403 Forbidden). The key may "
            "lack permission, or the model is gated: accept its licence on the Hub page with the "
            f"same account. {detail}".rstrip()
        )
    if status == 404:
        return ModelError(
            f"{_cap(where)} has no model or endpoint{model} (404 Not Found). Check the model "
            "name or id and the URL (OpenAI-compatible servers usually end in /v1)."
        )
    if status == 429:
        return ModelError(
            f"{_cap(where)} says too many requests or quota used up (429). Wait a minute and try "
            "again, or check the plan/billing of the account."
        )
    if status in (408, 504) or names & {"TimeoutException", "APITimeoutError", "InferenceTimeoutError"} or any(
        isinstance(e, TimeoutError) for e in chain
    ):
        waited = f" within {remote.timeout_s:g} s" if remote.timeout_s else ""
        return ModelError(
            f"{_cap(where)} did not answer{waited} (timeout). It may be overloaded or still "
            "loading the model; try again, or raise the timeout."
        )
    if status is not None and status >= 500:
        return ModelError(
            f"{_cap(where)} failed ({status} server error). It may be overloaded, restarting, or "
            f"unable to load the model; try again in a minute and check the server's log. {detail}".rstrip()
        )
    if status is not None and status in (400, 413, 422):
        return ModelError(
            f"{_cap(where)} rejected the request ({status}): {detail or 'no reason given'}. "
            "Check the model name and the generation settings (max new tokens may exceed what "
            "the server allows)."
        )
    if names & {"ConnectError", "ConnectTimeout"} or any(
        isinstance(e, ConnectionRefusedError) for e in chain
    ) or ("APIConnectionError" in names and not mid_stream):
        return ModelError(
            f"Cannot connect to {where} (connection refused or host unreachable). "
            f"{remote.unreachable_fix}"
        )
    if mid_stream or names & {"RemoteProtocolError", "ReadError", "APIConnectionError"} or any(
        isinstance(e, (ConnectionResetError, BrokenPipeError)) for e in chain
    ):
        return ModelError(
            f"The connection to {where} dropped in the middle of the reply; the partial reply was "
            "logged. Check that the server is still running, then try again."
        )
    if "OfflineModeIsEnabled" in names or "LocalEntryNotFoundError" in names:
        return ModelError(
            f"Cannot reach {where} and the files are not downloaded yet. Check the internet "
            "connection, set HF_ENDPOINT to a mirror (for example https://hf-mirror.com), or "
            "download the model on the Model manager page first."
        )
    return None


@contextmanager
def translated(remote: Remote) -> Iterator[None]:
    """Run a block, re-raising known failures as `ModelError` (the original as its cause)."""
    try:
        yield
    except ModelError:
        raise
    except Exception as error:
        friendly = translate(error, remote)
        if friendly is None:
            raise
        raise friendly from error


def guard_stream(chunks: Iterator[object], remote: Remote) -> Iterator[object]:
    """Iterate a streamed reply, translating failures; knows whether text had begun to arrive."""
    started = False
    try:
        for chunk in chunks:
            started = True
            yield chunk
    except ModelError:
        raise
    except Exception as error:
        friendly = translate(error, remote, mid_stream=started)
        if friendly is None:
            raise
        raise friendly from error


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_code(error: BaseException) -> int | None:
    code = getattr(error, "status_code", None)
    if isinstance(code, int):
        return code
    response = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


def _server_detail(chain: list[BaseException]) -> str:
    """The server's own short explanation, when it sent one."""
    for error in chain:
        body = getattr(error, "body", None)
        if isinstance(body, dict):
            message = body.get("message") or body.get("detail") or body.get("error")
            if isinstance(message, dict):
                message = message.get("message")
            if message:
                return _short(str(message))
        text = _response_text(getattr(error, "response", None))
        if text:
            return _short(text)
    return ""


def _response_text(response: object) -> str:
    if response is None:
        return ""
    try:
        return str(response.text)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a streamed body that was never read has no text
        return ""


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
