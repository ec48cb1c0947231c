import pytest
from sqlalchemy import func, select

from db.models import Generation, Rating
from db.repository import (
    GenerationRecord,
    add_rating,
    get_generation,
    log_generation,
    recent_generations,
)

pytestmark = pytest.mark.storage


def record(**overrides):
    values = {
        "task": "complaint",
        "template_id": "complaint_reply.en",
        "template_version": "abc123",
        "inputs": {"complaint": "Wilted"},
        "messages": [{"role": "user", "content": "Wilted"}],
        "output": "Sorry!",
        "backend": "gguf",
        "model_id": "smol",
        "params": {"temperature": 0.7},
        "latency_ms": 120.0,
        "ttft_ms": 20.0,
        "prompt_tokens": 50,
        "completion_tokens": 3,
    }
    values.update(overrides)
    return GenerationRecord(**values)


def test_log_generation_stores_every_field(sessions):
    with sessions.begin() as session:
        generation_id = log_generation(session, record()).id
    with sessions() as session:
        stored = get_generation(session, generation_id)
        assert stored is not None
        assert stored.inputs == {"complaint": "Wilted"}
        assert stored.messages == [{"role": "user", "content": "Wilted"}]
        assert (stored.prompt_tokens, stored.completion_tokens) == (50, 3)
        assert (stored.latency_ms, stored.ttft_ms) == (120.0, 20.0)
        assert stored.status == "ok" and stored.error is None
        assert stored.created_at is not None


def test_log_generation_rejects_unknown_status(sessions):
    with pytest.raises(ValueError, match="status"), sessions.begin() as session:
        log_generation(session, record(status="done"))


def test_ratings_keep_history_and_the_newest_counts(sessions):
    with sessions.begin() as session:
        generation_id = log_generation(session, record()).id
        add_rating(session, generation_id, thumbs=-1, reasons=["wrong_tone"])
        add_rating(session, generation_id, stars=5, edited_reply="Fixed reply", comment="ok")
    with sessions() as session:
        generation = get_generation(session, generation_id)
        assert len(generation.ratings) == 2
        latest = generation.latest_rating
        assert latest.stars == 5 and latest.edited_reply == "Fixed reply"
        assert generation.ratings[0].reasons == ["wrong_tone"]


@pytest.mark.parametrize(
    "kwargs, error",
    [({"thumbs": 2}, ValueError), ({"stars": 6}, ValueError), ({"stars": 0}, ValueError)],
)
def test_add_rating_validates(sessions, kwargs, error):
    with sessions.begin() as session:
        generation_id = log_generation(session, record()).id
    with pytest.raises(error), sessions.begin() as session:
        add_rating(session, generation_id, **kwargs)


def test_add_rating_to_missing_generation_fails(sessions):
    with pytest.raises(LookupError), sessions.begin() as session:
        add_rating(session, 999, thumbs=1)


def test_a_failed_transaction_writes_nothing(sessions):
    with pytest.raises(LookupError), sessions.begin() as session:
        log_generation(session, record())
        add_rating(session, 999, thumbs=1)
    with sessions() as session:
        assert session.scalar(select(func.count(Generation.id))) == 0
        assert session.scalar(select(func.count(Rating.id))) == 0


def test_recent_generations_newest_first(sessions):
    with sessions.begin() as session:
        for n in range(3):
            log_generation(session, record(output=f"reply {n}"))
    with sessions() as session:
        assert [g.output for g in recent_generations(session, limit=2)] == ["reply 2", "reply 1"]
