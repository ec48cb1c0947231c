"""The live guard: every draft is checked as it finishes, and one that fails a hard check is
written again with a new seed, at most twice more. Every attempt is logged; staff see the first
usable draft, or the least bad one marked as unusable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from core.drafting.generation import GenerationRun, Outcome, PreparedPrompt
from core.models.backends import GenerationParams, LoadedModel
from core.quality.checks import DraftContext, Verdict, judge

MAX_ATTEMPTS = 3
# A retry at temperature 0 would write the same draft again.
RETRY_MIN_TEMPERATURE = 0.5
# Retry seeds step by this, so they never meet the seeds of variants (seed + 1, + 2, + 3).
RETRY_SEED_STEP = 1000


def draft_context(prompt: PreparedPrompt, reply: str) -> DraftContext:
    """What the checks need to judge `reply` to `prompt`."""
    # The system message and the request; example exchanges in between are about other
    # customers, so a fact found only there is still invented. All of it is not to be repeated.
    messages = prompt.messages
    prompt_text = "\n".join(m["content"] for m in (messages[0], messages[-1]))
    examples = tuple(m["content"] for m in messages[1:-1] if m["role"] == "assistant")
    instructions = "\n".join(m["content"] for m in messages if m["role"] != "assistant")
    for text in (prompt.source, *prompt.references):
        if text:
            instructions = instructions.replace(text, " ")
    return DraftContext(
        task=prompt.task,
        language=prompt.language,
        reply=reply,
        source=prompt.source,
        prompt_text=prompt_text,
        instructions=instructions,
        references=prompt.references,
        examples=examples,
        inputs=dict(prompt.inputs),
        is_rewrite=prompt.parent_id is not None,
    )


def judge_for(prompt: PreparedPrompt) -> Callable[[str], Verdict]:
    """The judge a `GenerationRun` calls on its finished text."""
    return lambda reply: judge(draft_context(prompt, reply))


def retry_params(params: GenerationParams, attempt: int) -> GenerationParams:
    """Settings for attempt `attempt` (0 is the first): a new seed, and never greedy."""
    if attempt == 0:
        return params
    update: dict[str, object] = {"temperature": max(params.temperature, RETRY_MIN_TEMPERATURE)}
    if params.seed is not None:
        update["seed"] = params.seed + RETRY_SEED_STEP * attempt
    return params.model_copy(update=update)


def _badness(outcome: Outcome) -> tuple[int, int, int]:
    # An empty draft is the worst; then fewer hard failures, then fewer warnings.
    checks = outcome.checks or []
    hard = sum(c["severity"] == "hard" for c in checks)
    return (0 if outcome.text.strip() else 1, hard, len(checks) - hard)


@dataclass
class GuardedDraft:
    """One request for a draft, guarded: iterate `attempts()` and stream each run it yields.

    The next attempt is only made once the last one was logged as `rejected`; a run that was
    stopped or failed ends the request.
    """

    prompt: PreparedPrompt
    model: LoadedModel
    params: GenerationParams
    sessions: sessionmaker[Session]
    variant_group: str | None = None
    created_by: str | None = None
    max_attempts: int = MAX_ATTEMPTS
    runs: list[GenerationRun] = field(default_factory=list, init=False)

    def attempts(self) -> Iterator[GenerationRun]:
        """Each attempt's run, before it starts; the caller streams it (or calls `run()`)."""
        judge_draft = judge_for(self.prompt)
        for attempt in range(self.max_attempts):
            first = self.runs[0].outcome if self.runs else None
            run = GenerationRun(
                prompt=self.prompt,
                model=self.model,
                params=retry_params(self.params, attempt),
                sessions=self.sessions,
                variant_group=self.variant_group,
                created_by=self.created_by,
                judge=judge_draft,
                retry_of=first.generation_id if first else None,
            )
            self.runs.append(run)
            yield run
            for outcome in self.outcomes:
                outcome.attempts = len(self.runs)
            if run.outcome is None or run.outcome.status != "rejected":
                return

    def run(self) -> Outcome:
        """Every attempt to the end (CLI, evaluation); the outcome staff would see."""
        for attempt in self.attempts():
            attempt.run()
        outcome = self.outcome
        assert outcome is not None
        return outcome

    @property
    def outcomes(self) -> list[Outcome]:
        """The logged attempts, first to last."""
        return [run.outcome for run in self.runs if run.outcome is not None]

    @property
    def outcome(self) -> Outcome | None:
        """What staff see: the attempt that was not rejected, else the least bad one."""
        outcomes = self.outcomes
        if not outcomes:
            return None
        if outcomes[-1].status != "rejected":
            return outcomes[-1]
        return min(outcomes, key=_badness)

    @property
    def usable(self) -> bool:
        """Whether staff get a draft that passed the hard checks."""
        outcome = self.outcome
        return outcome is not None and outcome.status == "ok"
