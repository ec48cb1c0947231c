import pytest
from sqlalchemy import select

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun
from core.models.backends import GenerationParams
from db.models import Generation

pytestmark = pytest.mark.storage


def prompt():
    return build_prompt(ComplaintRequest(complaint="My tulips never arrived."), "Shop")


def test_a_run_streams_and_logs_text_timings_and_tokens(sessions, fake_model):
    fake_model.enqueue(["We are so sorry about your tulips."])
    run = GenerationRun(prompt=prompt(), model=fake_model, params=fake_model_params(), sessions=sessions)
    chunks = list(run.stream())
    assert "".join(chunks) == "We are so sorry about your tulips."
    outcome = run.outcome
    assert outcome.status == "ok" and outcome.generation_id is not None
    assert outcome.ttft_ms is not None and outcome.latency_ms >= outcome.ttft_ms
    with sessions() as session:
        row = session.get(Generation, outcome.generation_id)
        assert row.output == "We are so sorry about your tulips."
        assert row.messages == prompt().messages  # exactly what was sent
        assert row.backend == "fake" and row.model_id == "fake-model"
        assert row.prompt_tokens == 42 and row.completion_tokens == 7
        assert row.params["max_new_tokens"] == 200  # the complaint template caps the settings' 320
        assert row.template_id == "complaint_reply.en"
    # the model saw the same messages that were logged
    sent = fake_model.calls[0]
    # the system prompt, the template's example exchange for the tone, then the customer
    assert [m.type for m in sent] == ["system", "human", "ai", "human"]
    assert sent[-1].content == prompt().messages[-1]["content"]


def test_a_failing_model_is_logged_as_error_with_partial_text(sessions, fake_model):
    fake_model.enqueue([ConnectionError("server went away")])
    run = GenerationRun(prompt=prompt(), model=fake_model, params=fake_model_params(), sessions=sessions)
    with pytest.raises(ConnectionError):
        list(run.stream())
    assert run.outcome.status == "error"
    with sessions() as session:
        row = session.scalars(select(Generation)).one()
        assert row.status == "error"
        assert row.error == "server went away"
        assert row.output == "Partial "


def test_an_abandoned_stream_is_logged_as_cancelled(sessions, fake_model):
    fake_model.enqueue(["one two three four five"])
    run = GenerationRun(prompt=prompt(), model=fake_model, params=fake_model_params(), sessions=sessions)
    stream = run.stream()
    first = next(stream)
    run.close()  # what the page does when staff press stop
    assert run.outcome.status == "cancelled"
    with sessions() as session:
        row = session.scalars(select(Generation)).one()
        assert row.status == "cancelled" and row.output == first


def test_a_stream_stopped_before_it_began_is_still_logged_once(sessions, fake_model):
    run = GenerationRun(prompt=prompt(), model=fake_model, params=fake_model_params(), sessions=sessions)
    run.stream()
    run.close()  # Stop pressed before the page asked for the first token: the body never ran
    run.close()  # closing twice logs nothing more
    assert run.logged.is_set() and run.outcome.status == "cancelled" and run.outcome.text == ""
    assert fake_model.calls == []
    with sessions() as session:
        row = session.scalars(select(Generation)).one()
        assert row.status == "cancelled" and row.output == ""
        assert row.inputs["complaint"] == "My tulips never arrived."


def test_a_started_stream_is_logged_by_itself_not_again(sessions, fake_model):
    fake_model.enqueue(["one two three"])
    run = GenerationRun(prompt=prompt(), model=fake_model, params=fake_model_params(), sessions=sessions)
    assert "".join(run.stream()) == "one two three"
    run.close()  # the page closes every run when its stream ends
    with sessions() as session:
        assert session.scalars(select(Generation.status)).all() == ["ok"]


def fake_model_params():
    from core.models.backends import GenerationParams

    return GenerationParams()


def test_the_template_caps_new_tokens_and_a_smaller_setting_wins(sessions, fake_model):
    assert prompt().max_new_tokens == 200
    capped = GenerationRun(prompt=prompt(), model=fake_model, params=GenerationParams(), sessions=sessions)
    assert capped.params.max_new_tokens == 200
    smaller = GenerationRun(
        prompt=prompt(), model=fake_model, params=GenerationParams(max_new_tokens=90), sessions=sessions
    )
    assert smaller.params.max_new_tokens == 90
