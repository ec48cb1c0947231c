"""An optional judge: a bigger model (the shop's own server) scores each reply 1–5 on a rubric.

Off by default and never part of `pass_rate`: the checks decide that. The judge adds what a
deterministic check cannot see, such as a remedy the policy does not allow for this complaint, or
a tone that does not suit it, as LangSmith's and Langfuse's LLM-as-judge evaluators do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage

from core.drafting.generation import PreparedPrompt
from core.models.backends import GenerationParams, LoadedModel

# A verdict, not a draft: the same answer every time, and a short one.
JUDGE_PARAMS = GenerationParams(temperature=0.0, max_new_tokens=80)

RUBRICS = {
    "complaint": (
        "it apologises; it offers what the shop policy gives for this problem and nothing the "
        "policy does not allow; its tone suits the customer and the tone asked for; every fact "
        "in it comes from the customer's message, the order details or the policy"
    ),
    "bouquet": (
        "it describes exactly the flowers, colours and wrapping given, inventing none; its tone "
        "suits the occasion; its length is the one asked for; it reads like a shop's product text"
    ),
}
_SCORE = re.compile(r"SCORE:\s*([1-5])", re.IGNORECASE)
_DIGIT = re.compile(r"\b([1-5])\b")


@dataclass(frozen=True)
class JudgeScore:
    """The judge's score (None when it gave none) and its reason, as it wrote it."""

    score: int | None
    reason: str


def judge_messages(prompt: PreparedPrompt, reply: str) -> list[SystemMessage | HumanMessage]:
    """The judge's request: the rubric, what the writer was given, and the reply."""
    system = (
        "You review texts a flower shop's staff are about to send. Score the text from 1 "
        "(unusable) to 5 (send as it is) on these points: "
        f"{RUBRICS[prompt.task]}. Answer with `SCORE: n` on the first line, then one sentence why."
    )
    given = "\n\n".join(prompt.references + (prompt.messages[-1]["content"],))
    user = f"What the writer was given:\n{given}\n\nThe text to review:\n<text>\n{reply}\n</text>"
    return [SystemMessage(content=system), HumanMessage(content=user)]


def score_reply(judge: LoadedModel, prompt: PreparedPrompt, reply: str) -> JudgeScore:
    """Ask the judge; a reply it could not score (no number in its answer) scores None."""
    chat_model = judge.chat_model(JUDGE_PARAMS)
    answer = "".join(chunk.text for chunk in chat_model.stream(judge_messages(prompt, reply))).strip()
    found = _SCORE.search(answer) or _DIGIT.search(answer)
    return JudgeScore(int(found.group(1)) if found else None, answer[:300])
