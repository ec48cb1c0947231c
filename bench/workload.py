"""What the benchmarks ask the model and how much of it: real complaint prompts, quick and full sizes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from core.drafting.complaint_reply import ComplaintRequest, Tone, build_prompt
from core.drafting.generation import PreparedPrompt

SHOP_NAME = "Huayu Flowers"

# Typical complaints a flower shop receives; each becomes the full complaint-reply prompt (system
# prompt with the shop policy + the complaint), exactly as the app builds it.
COMPLAINTS = (
    (
        "The roses I ordered for our anniversary were already drooping when they arrived.",
        "24 red roses",
    ),
    (
        "Delivery was two days late and nobody answered the phone when I called.",
        "Mother's Day carnations",
    ),
    (
        "The vase arrived cracked and water leaked all over the table.",
        "Peony arrangement with vase",
    ),
    (
        "You sent lilies although my note said my mother has cats. Lilies are toxic to cats!",
        "Summer bouquet",
    ),
    ("I was charged twice for the same order. Please fix this.", "Spring tulip bouquet"),
    (
        "The bouquet looked nothing like the photo: half the size and the colours were dull.",
        "Sunflower mix",
    ),
    ("The card had my wife's name spelled wrong. It was for her birthday.", "Champagne roses"),
    (
        "The courier left the flowers outside in the sun all afternoon without calling.",
        "Blue orchids",
    ),
)

# Asks for a long answer so that greedy decoding runs to the token limit without an end-of-turn
# token: every path in the decode row then generates exactly the same number of tokens.
DECODE_MESSAGES = [
    {"role": "system", "content": "You are a florist who writes long, detailed guides."},
    {
        "role": "user",
        "content": "Write a long, detailed guide to caring for cut roses, with numbered steps.",
    },
]


def complaint_prompt(
    index: int, *, tone: Tone = "apologetic", order_number: str = ""
) -> PreparedPrompt:
    """The app's complaint-reply prompt for the `index`-th sample complaint (wrapping around)."""
    complaint, product = COMPLAINTS[index % len(COMPLAINTS)]
    request = ComplaintRequest(
        complaint=complaint, product=product, order_number=order_number, tone=tone, language="en"
    )
    return build_prompt(request, SHOP_NAME)


def without_example(prompt: PreparedPrompt) -> PreparedPrompt:
    """The prompt without the template's example exchange: the system message and the request.

    The lesson's code keeps llama-cpp-python's 512-token default context, which the app's prompt
    with its example (about 570 tokens) no longer fits; the warm-call row sends both paths this.
    """
    return replace(prompt, messages=[prompt.messages[0], prompt.messages[-1]])


def flat_prompt(prompt: PreparedPrompt) -> str:
    """The prompt's messages as one string, for completion-style code such as the lesson's LLM."""
    return "\n\n".join(message["content"] for message in prompt.messages)


@dataclass(frozen=True)
class Sizes:
    """How much each row measures. `quick` fits in a few minutes on 2 busy cores."""

    lesson_calls: int
    huayu_warm_calls: int
    lesson_max_tokens: int
    decode_tokens: int
    decode_repetitions: int
    ttft_repetitions: int
    sessions: int
    generations_per_session: int
    concurrency_tokens: int
    log_writes: int
    history_rows: int
    history_repetitions: int
    gpu_new_tokens: int
    gpu_repetitions: int
    retrieval_rows: int = 100_000
    retrieval_queries: int = 40
    tune_examples: int = 16
    """Starter-pack examples the training-throughput measurement trains on (one epoch)."""
    dashboard_rows: int = 100_000
    """Generations the dashboard row seeds before timing its aggregates."""
    dashboard_repetitions: int = 5

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FULL = Sizes(
    lesson_calls=5,
    huayu_warm_calls=10,
    lesson_max_tokens=256,
    decode_tokens=128,
    decode_repetitions=5,
    ttft_repetitions=10,
    sessions=8,
    generations_per_session=5,
    concurrency_tokens=32,
    log_writes=2000,
    history_rows=100_000,
    history_repetitions=30,
    gpu_new_tokens=256,
    gpu_repetitions=3,
)

QUICK = Sizes(
    lesson_calls=2,
    huayu_warm_calls=3,
    lesson_max_tokens=256,
    decode_tokens=64,
    decode_repetitions=2,
    ttft_repetitions=3,
    sessions=8,
    generations_per_session=5,
    concurrency_tokens=8,
    log_writes=300,
    history_rows=10_000,
    history_repetitions=10,
    gpu_new_tokens=64,
    gpu_repetitions=2,
    retrieval_rows=10_000,
    retrieval_queries=10,
    tune_examples=4,
    dashboard_rows=10_000,
    dashboard_repetitions=3,
)
