"""The managers' review queue: what lands in it, assigning and resolving, and the page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.history.feedback import save_rating
from core.review import queue
from db.models import Rating
from db.repository import GenerationRecord, log_generation
from db.review import queue_for_review, review_reasons
from tests.test_app import submit

pytestmark = pytest.mark.storage  # the queries run on PostgreSQL too


def log(sessions, **fields) -> int:
    record = GenerationRecord(
        task="complaint", template_id="complaint_reply.en", template_version="v1",
        inputs={"complaint": "The roses wilted.", "language": "en"}, messages=[],
        output="Sorry about the roses.", backend="fake", model_id="fake", **fields,
    )
    with sessions.begin() as session:
        generation = log_generation(session, record)
        if reasons := review_reasons(generation):
            queue_for_review(session, generation.id, reasons)
        return generation.id


def test_soft_check_failures_urgency_and_thumbs_down_land_in_the_queue(sessions):
    soft = log(sessions, checks=[{"id": "no_apology", "severity": "soft", "detail": ""}])
    urgent = log(sessions, checks=[], urgency="high", category="late_delivery")
    clean = log(sessions, checks=[])
    rejected = log(sessions, status="rejected", checks=[{"id": "loop", "severity": "hard", "detail": ""}])
    save_rating(sessions, clean, thumbs=-1, reasons=["wrong_tone"])
    save_rating(sessions, soft, thumbs=-1)
    found = {row.generation_id: row for row in queue.items(sessions)}
    assert set(found) == {soft, urgent, clean}  # never the rejected draft staff did not see
    assert rejected not in found
    assert found[soft].reasons == ["thumbs_down", "soft_checks"]
    assert found[clean].reasons == ["thumbs_down"]
    assert next(iter(found.values())).generation_id == urgent  # urgent first
    assert [r.generation_id for r in queue.items(sessions, reason="soft_checks")] == [soft]
    assert queue.counts(sessions) == {"open": 3}


def test_resolving_with_a_corrected_reply_stores_it_as_an_edit(sessions):
    generation_id = log(sessions, checks=[{"id": "no_remedy", "severity": "soft", "detail": ""}])
    item = queue.items(sessions)[0]
    queue.assign(sessions, item.id, "  lin  ", "call the customer first")
    assert queue.items(sessions, assignee="lin")[0].note == "call the customer first"
    queue.resolve(sessions, item.id, resolved_by="mei", note="done", corrected_reply="We are sorry; fresh roses tomorrow.")
    assert queue.items(sessions) == []
    resolved = queue.items(sessions, status="resolved")[0]
    assert (resolved.resolved_by, resolved.note) == ("mei", "done")
    with sessions() as session:
        rating = session.scalars(select(Rating).where(Rating.generation_id == generation_id)).one()
    assert rating.edited_reply == "We are sorry; fresh roses tomorrow." and rating.created_by == "mei"
    assert rating.edit_distance > 0
    save_rating(sessions, generation_id, thumbs=-1)  # rated down again: back in the queue
    assert [r.id for r in queue.items(sessions)] == [item.id]


def test_the_review_page_lists_assigns_and_resolves(app, sessions):
    log(sessions, checks=[{"id": "no_apology", "severity": "soft", "detail": ""}], urgency="high", category="damaged")
    app.switch_page("pages/review.py").run()
    assert not app.exception
    assert any("Soft check failed" in m.value for m in app.markdown)
    item = queue.items(sessions)[0]
    app.text_area(key=f"review.corrected.{item.id}").input("We are so sorry; a new wreath is on its way.")
    submit(app, "Resolve")
    assert not app.exception
    assert queue.items(sessions) == []
    assert any("Nothing waiting" in i.value for i in app.info)


@pytest.fixture
def app(streamlit_app):
    """The whole app in English on the test's database, the model faked (conftest)."""
    return streamlit_app
