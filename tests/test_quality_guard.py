"""The live guard: a draft that fails a hard check is never logged `ok` nor shown as finished."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy import select

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.models.backends import GenerationParams
from core.quality.guard import MAX_ATTEMPTS, GuardedDraft, retry_params
from db.models import Generation

COMPLAINT = "The tulips I ordered for my aunt's birthday were wilted and brown when they arrived."
GOOD = (
    "Dear customer, we are so sorry that the tulips for your aunt's birthday arrived wilted. "
    "Please send us a photo, and we will re-deliver a fresh bouquet for free or refund you in "
    "full, whichever you prefer.\nHuayu Flowers"
)


def prompt(language: str = "en"):
    return build_prompt(ComplaintRequest(complaint=COMPLAINT, language=language), "Huayu Flowers")


def system_prompt_echo() -> str:
    return prompt().messages[0]["content"]


BAD_DRAFTS = {
    "empty": "",
    "echo": system_prompt_echo(),
    "placeholder": "Dear [customer_name], we are sorry your tulips wilted; we will refund you in full. [Your Name]",
    "loop": "We are sorry. " + "Thank you for your patience and understanding. " * 6,
}


def statuses(sessions) -> list[tuple[str, int | None]]:
    with sessions() as session:
        rows = session.scalars(select(Generation).order_by(Generation.id)).all()
        return [(row.status, row.retry_of) for row in rows]


@pytest.mark.parametrize("bad", list(BAD_DRAFTS))
def test_a_bad_draft_is_rejected_and_written_again(bad, fake_model, sessions) -> None:
    fake_model.enqueue([BAD_DRAFTS[bad], GOOD])
    guarded = GuardedDraft(prompt=prompt(), model=fake_model, params=GenerationParams(seed=7), sessions=sessions)
    outcome = guarded.run()
    assert outcome.status == "ok" and outcome.text == GOOD and outcome.checks == []
    assert guarded.usable and outcome.attempts == 2
    first = guarded.outcomes[0]
    assert first.status == "rejected" and first.hard_failures
    assert statuses(sessions) == [("rejected", None), ("ok", first.generation_id)]
    # The retry drew a new seed and is not greedy.
    assert fake_model.params[1].seed == 7 + 1000
    assert fake_model.params[1].temperature >= 0.5


@pytest.mark.storage
def test_when_every_attempt_fails_none_is_logged_ok_and_the_least_bad_is_shown(fake_model, sessions) -> None:
    fake_model.enqueue([BAD_DRAFTS["empty"], BAD_DRAFTS["echo"], BAD_DRAFTS["placeholder"]])
    guarded = GuardedDraft(prompt=prompt(), model=fake_model, params=GenerationParams(), sessions=sessions)
    outcome = guarded.run()
    assert not guarded.usable
    assert [status for status, _ in statuses(sessions)] == ["rejected"] * MAX_ATTEMPTS
    assert outcome.status == "rejected"
    # The placeholder draft fails one hard check; the empty one and the echo fail more or worse.
    assert outcome.text == BAD_DRAFTS["placeholder"]
    assert outcome.attempts == MAX_ATTEMPTS
    with sessions() as session:
        checks = [row.checks for row in session.scalars(select(Generation).order_by(Generation.id))]
    assert [c[0]["id"] for c in checks] == ["too_short", "repeats_instructions", "placeholder"]


def test_a_passing_draft_is_written_once_and_stores_an_empty_check_list(fake_model, sessions) -> None:
    fake_model.enqueue([GOOD])
    outcome = GuardedDraft(prompt=prompt(), model=fake_model, params=GenerationParams(), sessions=sessions).run()
    assert outcome.status == "ok" and outcome.attempts == 1
    with sessions() as session:
        assert session.scalars(select(Generation.checks)).one() == []


def test_a_stopped_or_failed_draft_is_not_retried(fake_model, sessions) -> None:
    fake_model.enqueue([RuntimeError("server went away")])
    guarded = GuardedDraft(prompt=prompt(), model=fake_model, params=GenerationParams(), sessions=sessions)
    with pytest.raises(RuntimeError):
        guarded.run()
    assert [status for status, _ in statuses(sessions)] == ["error"]
    assert guarded.outcome is not None and guarded.outcome.checks is None


def test_retry_params_step_the_seed_and_leave_the_first_attempt_alone() -> None:
    params = GenerationParams(temperature=0.0, seed=3)
    assert retry_params(params, 0) == params
    assert retry_params(params, 2).seed == 2003 and retry_params(params, 2).temperature == 0.5
    assert retry_params(GenerationParams(temperature=0.9), 1).temperature == 0.9


def generate_args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "task": "complaint", "input": COMPLAINT, "tone": "apologetic", "lang": "en",
        "order_number": "", "product": "", "delivery_date": "", "occasion": "just_because",
        "recipient": "", "length": "medium", "backend": "gguf", "model": None, "base_url": None,
        "temperature": 0.3, "max_new_tokens": 200, "seed": 1, "few_shot": None, "knowledge": None,
    }
    return argparse.Namespace(**{**values, **overrides})


def test_cli_exits_3_with_one_line_when_no_attempt_passes(fake_model, monkeypatch, capsys) -> None:
    from core.cli.commands import generate
    from core.models.model_slot import ModelSlot

    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    fake_model.enqueue([BAD_DRAFTS["loop"]] * MAX_ATTEMPTS)
    assert generate.run(generate_args()) == 3
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing a script could mistake for a draft
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "usable" in errors[0]


def test_cli_prints_only_the_draft_that_passed(fake_model, monkeypatch, capsys) -> None:
    from core.cli.commands import generate
    from core.models.model_slot import ModelSlot

    monkeypatch.setattr(ModelSlot, "get", lambda self, backend_id, config: fake_model)
    fake_model.enqueue([BAD_DRAFTS["placeholder"], GOOD])
    assert generate.run(generate_args()) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == GOOD
    assert "attempt 1 rejected: placeholder" in captured.err


def test_cli_refuses_chinese_on_the_english_only_model(fake_model, monkeypatch) -> None:
    from core.cli.commands import generate
    from core.cli.parser import UserError

    with pytest.raises(UserError, match="cannot write Chinese"):
        generate.run(generate_args(lang="zh"))
    assert fake_model.calls == []
