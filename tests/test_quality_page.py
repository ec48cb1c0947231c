"""The guard on the pages: badges under a draft, a rejected draft written again, an unusable one
marked as such, and Chinese refused on the English-only embedded model."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Generation

COMPLAINT = "The tulips for my aunt's birthday arrived wilted and brown this morning."
GOOD = (
    "We are so sorry that the tulips for your aunt's birthday arrived wilted. Please send us a "
    "photo, and we will re-deliver a fresh bouquet for free or refund you in full.\nHuayu Flowers"
)
PLACEHOLDER = "Dear [customer_name], we are sorry your tulips wilted and we will refund you in full today."


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def rows(sessions) -> list[Generation]:
    with sessions() as session:
        return list(session.scalars(select(Generation).order_by(Generation.id)))


def test_a_rejected_draft_is_written_again_and_the_passing_one_shown(streamlit_app, fake_model, sessions):
    at = streamlit_app.run()
    fake_model.enqueue([PLACEHOLDER, GOOD])
    at.text_area(key="complaint.text").input(COMPLAINT)
    click(at, "Draft reply")
    assert not at.exception
    first, second = rows(sessions)
    assert (first.status, second.status, second.retry_of) == ("rejected", "ok", first.id)
    assert first.checks[0]["id"] == "placeholder" and second.checks == []
    assert at.text_area(key=f"rating.{second.id}.edited").value == GOOD  # the one staff rate
    assert not any(area.key == f"rating.{first.id}.edited" for area in at.text_area)
    assert any("Passed every check." in m.value for m in at.markdown)  # the badge
    assert not at.error


def test_when_no_attempt_passes_the_least_bad_is_shown_marked_unusable(streamlit_app, fake_model, sessions):
    at = streamlit_app.run()
    fake_model.enqueue([PLACEHOLDER])  # and the same again, as a stubborn model does
    at.text_area(key="complaint.text").input(COMPLAINT)
    click(at, "Draft reply")
    assert not at.exception
    assert [row.status for row in rows(sessions)] == ["rejected"] * 3
    assert any("could not write a usable reply in 3 attempts" in e.value for e in at.error)
    assert any("The draft has a placeholder or a chat tag to fill in" in m.value for m in at.markdown)
    # Staff may still fix it and say what they sent: that is what becomes training data.
    assert at.text_area(key=f"rating.{rows(sessions)[0].id}.edited").value == PLACEHOLDER


def test_chinese_on_the_english_only_model_is_refused_before_drafting(streamlit_app, fake_model, sessions):
    at = streamlit_app.run()
    at.text_area(key="complaint.text").input("玫瑰第二天就谢了。")
    at.radio(key="complaint.language").set_value("zh")
    click(at, "Draft reply")
    assert not at.exception
    assert any("cannot write Chinese" in w.value for w in at.warning)
    assert rows(sessions) == [] and fake_model.calls == []

    at.switch_page("pages/bouquet.py").run()
    at.text_area(key="bouquet.details").input("12支红玫瑰")
    at.radio(key="bouquet.language").set_value("zh")
    click(at, "Write description")
    assert any("cannot write Chinese" in w.value for w in at.warning)
    assert rows(sessions) == [] and fake_model.calls == []
