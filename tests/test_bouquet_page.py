"""The bouquet page, and variants and rewrites on both draft pages, through `AppTest` with
`fake_model` as the model."""

from sqlalchemy import select

from db.models import Generation, Rating


def click(at, label=None, key=None):
    """Press the button (or form submit button) with this label or key, then rerun."""
    button = next(b for b in at.button if (key is not None and b.key == key) or b.label == label)
    return button.click().run()


def bouquet_page(at):
    at.run()
    return at.switch_page("pages/bouquet.py").run()


FIRST = "Twelve red roses and a cloud of baby's breath, softly wrapped in red paper for the bride."
SECOND = "A bright bundle of red roses with baby's breath, wrapped in red for her wedding day."


def generations(sessions):
    with sessions() as session:
        return list(session.scalars(select(Generation).order_by(Generation.id)))


def test_two_variants_side_by_side_then_pick_and_switch(streamlit_app, fake_model, sessions):
    at = bouquet_page(streamlit_app)
    assert not at.exception
    fake_model.enqueue([FIRST, SECOND])
    at.text_area(key="bouquet.details").input("12 red roses with baby's breath, red wrapping")
    at.selectbox(key="bouquet.occasion").select("wedding")
    at.text_input(key="bouquet.recipient").input("the bride")
    at.radio(key="bouquet.length").set_value("short")
    at.number_input(key="bouquet.count").set_value(2)
    click(at, "Write description")
    assert not at.exception

    first, second = generations(sessions)
    assert first.variant_group is not None and first.variant_group == second.variant_group
    assert (first.task, first.template_id) == ("bouquet", "bouquet_description.en")
    assert first.inputs["occasion"] == "wedding" and first.inputs["recipient"] == "the bride"
    assert "one or two sentences" in first.messages[0]["content"]
    assert first.chosen is None and second.chosen is None
    # Side by side: each draft in its own column, with its own rating form.
    shown = {
        texts[0]: " ".join(texts)
        for texts in ([md.value for md in column.markdown] for column in at.columns)
        if texts and texts[0] in ("**Draft 1**", "**Draft 2**")
    }
    assert "Twelve red roses" in shown["**Draft 1**"]
    assert "bright bundle" in shown["**Draft 2**"]
    assert at.text_area(key=f"rating.{first.id}.edited").value == FIRST
    assert at.text_area(key=f"rating.{second.id}.edited").value == SECOND

    click(at, key=f"drafts.choose.{second.id}")
    assert not at.exception
    assert [g.chosen for g in generations(sessions)] == [False, True]
    assert [s.value for s in at.success] == ["Chosen"]

    click(at, key=f"drafts.choose.{first.id}")  # changing one's mind switches the choice
    assert [g.chosen for g in generations(sessions)] == [True, False]


def test_a_single_description_has_no_pick_button(streamlit_app, fake_model, sessions):
    at = bouquet_page(streamlit_app)
    fake_model.enqueue(["Quiet white lilies and chrysanthemums, gently arranged to offer peace and comfort."])
    at.text_area(key="bouquet.details").input("White lilies and chrysanthemums")
    at.selectbox(key="bouquet.occasion").select("sympathy")
    click(at, "Write description")
    assert not at.exception
    (only,) = generations(sessions)
    assert only.variant_group is None
    assert "never cheerful" in only.messages[0]["content"]
    assert not any(b.key and b.key.startswith("drafts.choose.") for b in at.button)


def test_empty_details_warn_and_log_nothing(streamlit_app, sessions):
    at = bouquet_page(streamlit_app)
    at.text_area(key="bouquet.details").input("  ")
    click(at, "Write description")
    assert not at.exception
    assert any("empty" in w.value for w in at.warning)
    assert generations(sessions) == []


def test_rewrite_a_draft_shown_under_it_with_its_own_rating(streamlit_app, fake_model, sessions):
    at = bouquet_page(streamlit_app)
    fake_model.enqueue(["Twelve red roses, wrapped in red paper, for a bride on her day."])
    at.text_area(key="bouquet.details").input("12 red roses")
    click(at, "Write description")
    (draft,) = generations(sessions)

    fake_model.enqueue(["Twelve red roses for the bride."])
    click(at, key=f"drafts.rewrite.{draft.id}.shorter")
    assert not at.exception
    _, rewrite = generations(sessions)
    assert rewrite.parent_id == draft.id and rewrite.task == "bouquet"
    assert rewrite.template_id == "rewrite_shorter.en"
    assert any(md.value == "**Rewrite: Shorter**" for md in at.markdown)
    at.text_input(key=f"rating.{rewrite.id}.comment").input("better")
    click(at, key=f"FormSubmitter:rating.{rewrite.id}-Save rating")
    with sessions() as session:
        rating = session.scalars(select(Rating)).one()
    assert (rating.generation_id, rating.comment) == (rewrite.id, "better")


def test_complaint_page_variants_too(streamlit_app, fake_model, sessions):
    at = streamlit_app.run()
    fake_model.enqueue([f"We are so sorry your roses wilted in a day. {n} We will re-deliver fresh roses for free." for n in ("Truly.", "Really.", "Honestly.")])
    at.text_area(key="complaint.text").input("The roses wilted in a day.")
    at.number_input(key="complaint.count").set_value(3)
    click(at, "Draft reply")
    assert not at.exception
    rows = generations(sessions)
    assert len(rows) == 3 and len({g.variant_group for g in rows}) == 1
    assert [g.task for g in rows] == ["complaint"] * 3
    click(at, key=f"drafts.choose.{rows[2].id}")
    assert [g.chosen for g in generations(sessions)] == [False, False, True]
