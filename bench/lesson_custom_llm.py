"""The course lesson's custom LangChain LLM over llama.cpp, reproduced as the lesson wrote it.

Kept only as the baseline of the warm-call benchmark. Its two faults are reproduced on purpose:
- `_call` builds a new `Llama` (reads the model file, allocates the context) on every call;
- it cuts `len(prompt) + 5` characters off the answer. That cut assumes the completion starts
  with the echoed prompt, which llama-cpp-python only does with `echo=True` (the lesson's source
  example had it; the lesson's call does not), so the cut eats the real answer instead. Even with
  `echo=True` it is off by two: "Q: " + prompt + " A: " is `len(prompt) + 7` characters long.

Nothing in Huayu uses this class.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from pydantic import PrivateAttr


class CustomLLM(LLM):
    """The lesson's `CustomLLM`: a LangChain `LLM` whose every call loads the model again."""

    model_path: str
    """The GGUF file (the lesson used a GGML `.bin`, which llama.cpp no longer reads)."""
    n_threads: int = 4
    """The lesson hard-coded 4 threads, whatever the machine has."""
    max_tokens: int = 256
    """Completion tokens the lesson asked for (llama-cpp-python shortens it to fit `n_ctx`)."""

    # Not in the lesson: the benchmark keeps the untouched completion to show what the cut removed.
    _last_completion: dict[str, Any] | None = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "custom"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_threads": self.n_threads}

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        from llama_cpp import Llama

        # verbose=False is ours: the lesson printed llama.cpp's load log on every call, which only
        # clutters the benchmark's output.
        llm = Llama(model_path=self.model_path, n_threads=self.n_threads, verbose=False)
        response = llm(f"Q: {prompt} A: ", max_tokens=self.max_tokens)
        self._last_completion = dict(response)
        text: str = response["choices"][0]["text"]
        return text[len(prompt) + 5 :]

    @property
    def last_completion(self) -> dict[str, Any] | None:
        """llama-cpp-python's full response to the latest call, before the lesson's cut."""
        return self._last_completion
