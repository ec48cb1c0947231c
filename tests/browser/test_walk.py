"""The staff's walk through the app in a real browser, with screenshots of each step:
draft a complaint reply (it streams) → rate and edit it → describe a bouquet with 2 variants and
pick one → find both in history → export as trl-dpo and check the downloaded file; and the
manager's dashboard on a seeded log."""

import io
import json
import re
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from core.runtime import sessions as open_sessions
from db.repository import GenerationRecord, add_rating, log_generation
from db.review import queue_for_review, review_reasons

NOTHING_WRITTEN = "The model wrote nothing usable this time."
UNUSABLE = re.compile("could not write a usable reply")


def open_page(page, title: str) -> None:
    page.get_by_role("link", name=title).click()


def draft(page, engine, button: str, ready, drafts: int = 1, attempts: int = 6) -> bool:
    """Press `button` until a usable draft shows; whether one did. The quality guard writes a
    draft again when it fails a check, and when no attempt passes the page says the model could
    not write a usable reply, still with the least bad draft and its rating form. The tiny
    embedded model does that for about one request in two; staff press again, as this walk does,
    and after `attempts` presses the walk goes on with what is shown."""
    for _ in range(attempts):
        before = generation_count(engine)
        page.get_by_role("button", name=button).click()
        # The page still shows the last attempt while the new one streams: wait for its log,
        # then for the Stop button to go, which the rerun that draws the logged drafts does.
        deadline = time.monotonic() + 300
        while generation_count(engine) < before + drafts and time.monotonic() < deadline:
            time.sleep(0.5)
        expect(page.get_by_role("button", name="Stop")).to_have_count(0, timeout=300_000)
        failed = page.get_by_text(NOTHING_WRITTEN).or_(page.get_by_text(UNUSABLE))
        # An unusable draft still has its rating form (staff may fix it): either may show.
        expect(ready.or_(failed).first).to_be_visible()
        if not failed.first.is_visible():
            return True
    expect(page.get_by_text(UNUSABLE).first).to_be_visible()  # said plainly, never shown as done
    return False


def generation_count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM generations")).scalar_one()


def test_staff_walk(walk, app_environment):
    page = walk.page
    engine = create_engine(app_environment["HUAYU_DATABASE_URL"])

    # 1. Complaint reply: the draft streams in with its metrics.
    expect(page.get_by_role("heading", name="Reply to a complaint")).to_be_visible()
    page.get_by_label("Customer's complaint", exact=True).fill(
        "The roses I ordered for our anniversary were already drooping when they arrived."
    )
    page.get_by_text("Warm", exact=True).click()
    walk.shot("complaint-typed")
    usable = draft(page, engine, "Draft reply", page.get_by_label("The reply I actually sent", exact=True))
    expect(page.get_by_text(re.compile(r"first token \d+ ms"))).to_be_visible()
    walk.shot("complaint-draft")

    # 2. Rate it and put in the reply actually sent.
    page.get_by_label("The reply I actually sent", exact=True).fill(
        "We are so sorry. A fresh bouquet is on its way today, free of charge."
    )
    page.get_by_label("Comment", exact=True).fill("promised same-day redelivery")
    page.get_by_role("button", name="Save rating").click()
    # exact: the drafts on the page are free text and may contain the same words.
    expect(page.get_by_text("Saved. Thank you!", exact=True)).to_be_visible()
    walk.shot("complaint-rated")
    with engine.connect() as connection:
        rating = connection.execute(text("SELECT generation_id, edited_reply FROM ratings")).one()
        # The draft staff rated is the one shown: the passing attempt, else the least bad.
        complaint = connection.execute(
            text("SELECT id, status, ttft_ms, completion_tokens FROM generations WHERE id = :id"),
            {"id": rating.generation_id},
        ).one()
    assert complaint.status == ("ok" if usable else "rejected")
    assert complaint.ttft_ms > 0 and complaint.completion_tokens > 0
    assert rating.edited_reply.startswith("We are so sorry.")

    # 3. Bouquet description, two variants side by side; pick the second.
    open_page(page, "Bouquet description")
    expect(page.get_by_role("heading", name="Describe a bouquet")).to_be_visible()
    page.get_by_label("Flowers, colours and wrapping", exact=True).fill(
        "12 red roses with baby's breath and greenery, wrapped in red paper"
    )
    page.get_by_label("Drafts at once", exact=True).fill("2")
    choose = page.get_by_role("button", name="Use this one")
    draft(page, engine, "Write description", choose.nth(1), drafts=2)
    expect(choose).to_have_count(2)
    walk.shot("bouquet-variants")
    choose.nth(1).click()
    expect(page.get_by_text("Chosen", exact=True)).to_be_visible()
    walk.shot("bouquet-chosen")
    with engine.connect() as connection:
        variants = connection.execute(
            text(
                "SELECT id, chosen, variant_group FROM generations WHERE task = 'bouquet' ORDER BY id"
            )
        ).all()[-2:]  # the last pair asked for
    assert variants[0].variant_group == variants[1].variant_group
    assert [v.chosen for v in variants] == [False, True]

    # 4. History finds both tasks; open the bouquet draft.
    open_page(page, "History")
    expect(page.get_by_text(re.compile(r"^\d+ generations match"))).to_be_visible()
    page.get_by_label("Open generation #", exact=True).fill(str(variants[1].id))
    page.get_by_label("Open generation #", exact=True).press("Enter")
    expect(
        page.get_by_role("heading", name=f"Generation #{variants[1].id}", exact=True)
    ).to_be_visible()
    walk.shot("history")

    # 5. Export as trl-dpo and check the downloaded file.
    open_page(page, "Training data export")
    page.get_by_label("Format", exact=True).click()
    page.get_by_role("option", name=re.compile(r"^trl-dpo")).click()
    page.get_by_role("button", name="Prepare export").click()
    download_button = page.get_by_role("button", name="Download", exact=True)
    expect(download_button).to_be_visible()
    walk.shot("export")
    with page.expect_download() as download_info:
        download_button.click()
    payload = Path(download_info.value.path()).read_bytes()
    records = exported_records(payload)
    assert records, "the export is empty"
    for record in records:
        assert set(record) >= {"prompt", "chosen", "rejected"}
        assert record["prompt"][0]["role"] == "system"
        assert record["chosen"][0]["role"] == "assistant"
    chosen_texts = [record["chosen"][0]["content"] for record in records]
    assert any(t.startswith("We are so sorry.") for t in chosen_texts)  # the edit beats its draft


def exported_records(payload: bytes) -> list[dict]:
    """Records of a downloaded export: a .jsonl file, or a .zip of train/validation files."""
    if payload[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            lines = [
                line
                for name in archive.namelist()
                if name.endswith(".jsonl")
                for line in archive.read(name).decode().splitlines()
            ]
    else:
        lines = payload.decode().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_stop_keeps_the_partial_draft_and_logs_it_cancelled(walk, app_environment):
    page = walk.page
    engine = create_engine(app_environment["HUAYU_DATABASE_URL"])
    page.get_by_label("Customer's complaint", exact=True).fill(
        "My tulips arrived with broken stems."
    )
    # The tiny model now and then ends its reply at once, before the press reaches the server;
    # the log says whether Stop interrupted the draft, and if not the walk presses again.
    for _ in range(4):
        before = generation_count(engine)
        page.get_by_role("button", name="Draft reply").click()
        stop = page.get_by_role("button", name="Stop")
        expect(stop).to_be_visible()
        stop.click()  # right away: the draft is still loading its first tokens
        deadline = time.monotonic() + 300
        while generation_count(engine) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        with engine.connect() as connection:
            last = connection.execute(
                text("SELECT status, inputs FROM generations ORDER BY id DESC")
            ).first()
        if last.status == "cancelled":
            break
    else:
        raise AssertionError("every draft ended before Stop reached it")
    expect(page.get_by_text("Stopped. The partial draft was kept.", exact=True)).to_be_visible()
    walk.shot("stopped")
    assert "broken stems" in last.inputs
    # the form kept what was typed, and drafting again works
    expect(page.get_by_label("Customer's complaint", exact=True)).to_have_value(
        "My tulips arrived with broken stems."
    )


def seed_dashboard_log(url: str) -> None:
    """Three weeks of drafts of both tasks from two models, some rated, edited or rejected."""
    sessions = open_sessions(url)
    categories = ["freshness", "late_delivery", "damaged", None]
    with sessions.begin() as session:
        for n in range(60):
            complaint = n % 3 != 0
            generation = log_generation(
                session,
                GenerationRecord(
                    task="complaint" if complaint else "bouquet",
                    template_id="complaint_reply.en" if complaint else "bouquet_description.en",
                    template_version="a1b2c3" if n < 30 else "d4e5f6",
                    inputs={"complaint": "The roses wilted.", "language": "en"},
                    messages=[{"role": "user", "content": "The roses wilted."}],
                    output="We are sorry about the roses.",
                    backend="gguf",
                    model_id="smol" if n % 2 else "qwen",
                    ttft_ms=100.0 + 7 * n,
                    latency_ms=1500.0 + 40 * n,
                    status="rejected" if n % 10 == 0 else "ok",
                    checks=[{"id": "too_long", "severity": "soft", "detail": "Long."}] if n % 4 == 0 else [],
                    category=categories[n % 4] if complaint else None,
                ),
            )
            generation.created_at = datetime.now(UTC) - timedelta(days=n % 21, hours=n % 5)
            if n % 5 == 0:
                add_rating(session, generation.id, thumbs=-1, reasons=["wrong_tone"])
            elif n % 5 == 1:
                add_rating(session, generation.id, thumbs=1, stars=5)
            elif n % 5 == 2:
                add_rating(session, generation.id, stars=4, edited_reply="We are so sorry about the roses.")


def test_manager_dashboard(walk, app_environment):
    page = walk.page
    seed_dashboard_log(app_environment["HUAYU_DATABASE_URL"])
    open_page(page, "Dashboard")
    expect(page.get_by_role("heading", name="How the drafts are doing")).to_be_visible()
    expect(page.get_by_role("heading", name="Why drafts were rated down")).to_be_visible()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(9)
    for index in range(9):
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    walk.shot("dashboard")
    page.get_by_text("Table: Drafts per day", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").first.click()
    csv = Path(download_info.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert csv[0] == "Day,Task,Drafts" and len(csv) > 1
    page.get_by_text("Week", exact=True).click()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(charts).to_have_count(9)
    walk.shot("dashboard-weeks")


def test_manager_review_queue(walk, app_environment):
    page = walk.page
    sessions = open_sessions(app_environment["HUAYU_DATABASE_URL"])
    with sessions.begin() as session:
        generation = log_generation(
            session,
            GenerationRecord(
                task="complaint", template_id="complaint_reply.en", template_version="a1b2c3",
                inputs={"complaint": "The wreath for tomorrow's funeral arrived snapped.", "language": "en"},
                messages=[], output="Sorry for the trouble.", backend="gguf", model_id="smol",
                checks=[{"id": "no_remedy", "severity": "soft", "detail": "No remedy."}],
                category="damaged", urgency="high",
            ),
        )
        queue_for_review(session, generation.id, review_reasons(generation))
    open_page(page, "Review queue")
    expect(page.get_by_text("Soft check failed").first).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    walk.shot("review-queue")
    page.get_by_label("Corrected reply (optional)").first.fill("We are so sorry; a new wreath arrives at 8 tomorrow.")
    page.get_by_role("button", name="Resolve").first.click()
    expect(page.get_by_text("Nothing waiting for review.")).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
