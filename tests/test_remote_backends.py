"""The Hub and OpenAI-compatible backends against a real server: llama-cpp-python's own
(`python -m llama_cpp.server`) serving the embedded model on 127.0.0.1, plus small local servers
for the failures it cannot produce (a silent port, fixed error statuses)."""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, select
from sqlalchemy import text as sql

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun, PreparedPrompt
from core.models.backends import GenerationParams, ModelError
from core.models.backends.errors import Remote, translate
from core.models.backends.gguf import embedded_model_path
from core.models.model_slot import ModelSlot
from core.runtime import backend_config
from db.models import Generation

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "huayu-test-key"
PARAMS = GenerationParams(temperature=0.0, max_new_tokens=24, seed=1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_llama_server(api_key: str | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """llama-cpp-python's OpenAI-compatible server on a free port; waits until it answers."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_model_path()),
        "--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", "1", "--n_threads_batch", "1", "--n_ctx", "2048", "--verbose", "False",
    ]
    if api_key:
        command += ["--api_key", api_key]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    request = urllib.request.Request(f"{url}/v1/models", headers={"Authorization": f"Bearer {api_key}"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return process, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("llama_cpp.server did not start within 120 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    """One server with an API key for the whole module (the model loads in about a second)."""
    process, url = start_llama_server(API_KEY)
    yield url
    stop(process)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The right keys in the environment, as the CLI and a bare deployment provide them."""
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("HF_TOKEN", API_KEY)


def remote_config(backend_id: str, url: str, **options: object):
    """openai takes the /v1 base URL; hub takes the server's URL and appends /v1 itself."""
    base = f"{url}/v1" if backend_id == "openai" else url
    return backend_config(backend_id, model="smollm2", base_url=base, **options)


def complaint_prompt(text: str = "My tulips arrived with broken stems."):
    return build_prompt(ComplaintRequest(complaint=text, product="tulips"), "Huayu Flowers")


def logged(sessions) -> Generation:
    with sessions() as session:
        return session.scalars(select(Generation).order_by(Generation.id.desc())).first()


@pytest.mark.parametrize("backend_id", ["openai", "hub"])
def test_reply_is_streamed_from_the_server_and_logged(backend_id, llama_server, keys, sessions):
    model = ModelSlot().get(backend_id, remote_config(backend_id, llama_server))
    run = GenerationRun(prompt=complaint_prompt(), model=model, params=PARAMS, sessions=sessions)
    chunks = list(run.stream())
    assert len(chunks) > 3  # token by token, not one blob
    reply = "".join(chunks)
    assert len(reply.split()) >= 3
    row = logged(sessions)
    assert row.output == reply and row.status == "ok"
    assert row.backend == backend_id and row.model_id == "smollm2"
    assert row.ttft_ms > 0 and row.latency_ms >= row.ttft_ms
    # llama-cpp-python's server sends no usage in streams (vLLM, OpenAI and llama.cpp's C++
    # server do, and then it is logged); we log nothing rather than a guess.
    assert row.completion_tokens is None or row.completion_tokens > 0


def test_max_new_tokens_reaches_the_server_as_new_tokens(llama_server, keys):
    model = ModelSlot().get("openai", remote_config("openai", llama_server))
    params = GenerationParams(temperature=0.0, max_new_tokens=3)
    short = model.chat_model(params).invoke([("human", "Write a long poem about roses.")])
    assert short.response_metadata["finish_reason"] == "length"
    assert 1 <= len(short.text.split()) <= 4


@pytest.mark.parametrize("backend_id", ["openai", "hub"])
def test_wrong_key_says_which_key_to_fix_and_is_logged(backend_id, llama_server, sessions, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "wrong")
    monkeypatch.setenv("HF_TOKEN", "wrong")
    model = ModelSlot().get(backend_id, remote_config(backend_id, llama_server))
    run = GenerationRun(prompt=complaint_prompt(), model=model, params=PARAMS, sessions=sessions)
    with pytest.raises(ModelError) as caught:
        run.run()
    message = str(caught.value)
    assert "401" in message
    assert ("OPENAI_API_KEY" if backend_id == "openai" else "HF_TOKEN") in message
    assert "wrong" not in message  # the key itself is never repeated
    row = logged(sessions)
    assert row.status == "error" and row.error == message


@pytest.mark.parametrize("backend_id", ["openai", "hub"])
def test_unknown_endpoint_is_a_404_with_the_fix(backend_id, llama_server, keys):
    # llama-cpp-python's server answers any model name with its one model (it ignores the
    # name), so "not found" is produced the way a wrong URL produces it: a path it does not serve.
    config = remote_config(backend_id, f"{llama_server}/no-such-deployment")
    model = ModelSlot().get(backend_id, config)
    with pytest.raises(ModelError, match="404") as caught:
        model.chat_model(PARAMS).invoke([("human", "Hello")])
    assert "URL" in str(caught.value)


def test_prompt_longer_than_the_servers_context_is_rejected_with_its_reason(llama_server, keys):
    model = ModelSlot().get("openai", remote_config("openai", llama_server))
    huge = "roses " * 2500  # more tokens than the server's 2048-token context
    with pytest.raises(ModelError, match="rejected the request") as caught:
        model.chat_model(PARAMS).invoke([("human", huge)])
    assert "context" in str(caught.value).lower()


@pytest.mark.parametrize("backend_id", ["openai", "hub"])
def test_server_going_down_mid_stream_keeps_the_partial_reply(backend_id, sessions):
    process, url = start_llama_server()
    try:
        config = remote_config(backend_id, url, **({"max_retries": 0} if backend_id == "openai" else {}))
        model = ModelSlot().get(backend_id, config)
        params = GenerationParams(temperature=0.0, max_new_tokens=400)
        story = [{"role": "user", "content": "Tell a long story about a rose garden."}]
        prompt = PreparedPrompt("complaint", "test", "v", {}, story)  # short: the server starts fresh
        run = GenerationRun(prompt=prompt, model=model, params=params, sessions=sessions)
        received: list[str] = []
        with pytest.raises(ModelError, match="dropped in the middle") as caught:
            for chunk in run.stream():
                received.append(chunk)
                if len(received) == 2:
                    process.send_signal(signal.SIGKILL)  # the server dies while answering
    finally:
        stop(process)
    row = logged(sessions)
    assert row.status == "error" and row.error == str(caught.value)
    assert row.output == "".join(received) and row.output  # the partial reply is kept


@pytest.mark.parametrize("backend_id", ["openai", "hub"])
def test_nothing_listening_says_start_the_server(backend_id):
    config = remote_config(
        backend_id, f"http://127.0.0.1:{free_port()}", **({"max_retries": 0} if backend_id == "openai" else {})
    )
    model = ModelSlot().get(backend_id, config)
    with pytest.raises(ModelError, match="Cannot connect"):
        model.chat_model(PARAMS).invoke([("human", "Hello")])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers: a server stuck loading its model."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
                accepted.append(connection)
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stopping.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.parametrize("backend_id", ["openai", "hub"])
def test_timeout_says_how_long_it_waited(backend_id, silent_server):
    options = {"timeout_s": 1.0, **({"max_retries": 0} if backend_id == "openai" else {})}
    model = ModelSlot().get(backend_id, remote_config(backend_id, silent_server, **options))
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"did not answer within 1 s"):
        model.chat_model(PARAMS).invoke([("human", "Hello")])
    assert time.monotonic() - started < 10


class _StatusHandler(http.server.BaseHTTPRequestHandler):
    """Answers every POST with the status named in the path: /status/429/v1/chat/completions."""

    def do_POST(self) -> None:
        status = int(self.path.split("/")[2])
        body = json.dumps({"error": {"message": f"test status {status}"}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def status_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StatusHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("backend_id", ["openai", "hub"])
@pytest.mark.parametrize(
    ("status", "words"),
    [(403, "Forbidden"), (429, "too many requests"), (500, "server error"), (503, "server error")],
)
def test_http_errors_become_sentences_with_the_fix(backend_id, status, words, status_server, keys):
    options = {"max_retries": 0} if backend_id == "openai" else {}
    config = remote_config(backend_id, f"{status_server}/status/{status}", **options)
    model = ModelSlot().get(backend_id, config)
    with pytest.raises(ModelError, match=words) as caught:
        model.chat_model(PARAMS).invoke([("human", "Hello")])
    assert str(status) in str(caught.value)


def test_out_of_memory_and_unknown_errors():
    remote = Remote(target="the cpu device", model="m")
    assert "smaller model" in str(translate(MemoryError(), remote))
    assert "smaller model" in str(translate(RuntimeError("CUDA out of memory. Tried to allocate"), remote))
    assert translate(ValueError("a bug"), remote) is None  # programming errors stay errors


def test_openai_without_key_or_server_says_to_set_the_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelError, match="OPENAI_API_KEY"):
        ModelSlot().get("openai", backend_config("openai"))


def test_keys_never_appear_in_repr_dumps_or_logged_settings(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    config = backend_config("openai", base_url="http://127.0.0.1:1/v1")
    assert config.api_key == SecretStr("sk-very-secret")
    for text in (repr(config), str(config), str(config.model_dump()), config.model_dump_json()):
        assert "sk-very-secret" not in text
    hub = backend_config("hub", secrets={"HF_TOKEN": "hf_secret"})
    assert hub.token.get_secret_value() == "hf_secret"  # secrets.toml wins over the environment
    assert "hf_secret" not in repr(hub) + hub.model_dump_json()
    # A changed key is a different config, so the slot reconnects with the new one.
    assert hub != backend_config("hub", secrets={"HF_TOKEN": "other"})


def test_local_backends_refuse_a_base_url():
    with pytest.raises(ModelError, match="no base URL"):
        backend_config("gguf", base_url="http://127.0.0.1:8000/v1")


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args], check=False, cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=300,
    )


def test_cli_reaches_the_openai_backend_and_logs(llama_server, isolated_database):
    env = {"HUAYU_DATABASE_URL": isolated_database, "OPENAI_API_KEY": API_KEY}
    args = ("generate", "--input", "The roses were late.", "--max-new-tokens", "16", "--temperature", "0")
    result = cli(*args, "--backend", "openai", "--base-url", f"{llama_server}/v1", "--model", "smollm2", env=env)
    # Each attempt went to the server and was logged; sixteen tokens rarely make a reply that
    # passes the quality checks, and then the CLI says so and exits 3 (the guard's contract).
    with create_engine(isolated_database).connect() as connection:
        logged = connection.execute(sql("SELECT backend, model_id, status FROM generations")).all()
    assert logged and all(row[:2] == ("openai", "smollm2") for row in logged)
    if result.returncode == 0:
        assert result.stdout.strip() and "via openai" in result.stderr and logged[-1].status == "ok"
    else:
        assert result.returncode == 3 and result.stdout == "", result.stderr
        assert [row.status for row in logged] == ["rejected"] * 3
    wrong = cli(*args, "--backend", "hub", "--base-url", llama_server, env={**env, "HF_TOKEN": "nope"})
    assert wrong.returncode == 2
    assert wrong.stderr.strip().splitlines()[-1].startswith("error:") and "HF_TOKEN" in wrong.stderr
