"""The staff's walk through the app in a real browser, with screenshots of each step."""

import re

from playwright.sync_api import expect
from sqlalchemy import create_engine, text


def test_complaint_reply_streams_is_rated_and_edited(walk, app_environment):
    page = walk.page
    expect(page.get_by_role("heading", name="Reply to a complaint")).to_be_visible()
    page.get_by_label("Customer's complaint").fill(
        "The roses I ordered for our anniversary were already drooping when they arrived."
    )
    walk.shot("complaint-typed")
    page.get_by_role("button", name="Draft reply").click()
    metrics = page.get_by_text(re.compile(r"first token \d+ ms"))
    expect(metrics).to_be_visible()
    walk.shot("draft")
    edited = page.get_by_label("The reply I actually sent")
    edited.fill("We are so sorry. A fresh bouquet is on its way today, free of charge.")
    page.get_by_label("Comment").fill("promised same-day redelivery")
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_text("Saved. Thank you!")).to_be_visible()
    walk.shot("rated")

    engine = create_engine(app_environment["HUAYU_DATABASE_URL"])
    with engine.connect() as connection:
        generation = connection.execute(
            text("SELECT id, status, ttft_ms, completion_tokens, output FROM generations")
        ).one()
        rating = connection.execute(text("SELECT generation_id, edited_reply FROM ratings")).one()
    assert generation.status == "ok" and generation.ttft_ms > 0 and generation.completion_tokens > 0
    assert len(generation.output.split()) > 3
    assert rating.generation_id == generation.id
    assert rating.edited_reply.startswith("We are so sorry.")
