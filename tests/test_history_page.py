"""The history page through `AppTest`: filters, paging, the detail view and re-rating."""

from datetime import datetime, timedelta

from sqlalchemy import select

from db.models import Rating
from db.repository import GenerationRecord, add_rating, log_generation


def click(at, key):
    """Press the button (or form submit button) with this key, then rerun."""
    return next(b for b in at.button if b.key == key).click().run()


def log(sessions, *, minutes, ratings=(), **fields):
    values = {
        "task": "complaint",
        "template_id": "complaint_reply.en",
        "template_version": "aaa111",
        "inputs": {"complaint": "My roses wilted.", "language": "en"},
        "messages": [
            {"role": "system", "content": "You answer for Rose & Co."},
            {
                "role": "user",
                "content": "<customer_message>\nMy roses wilted.\n</customer_message>",
            },
        ],
        "output": "We are sorry about the roses.",
        "backend": "gguf",
        "model_id": "smol",
        "params": {"temperature": 0.3},
        "ttft_ms": 120.0,
        "latency_ms": 1500.0,
        "completion_tokens": 30,
        **fields,
    }
    with sessions.begin() as session:
        generation = log_generation(session, GenerationRecord(**values))
        generation.created_at = datetime.now() - timedelta(minutes=minutes)
        for rating in ratings:
            add_rating(session, generation.id, **rating)
        return generation.id


def history_page(at):
    at.run()
    return at.switch_page("pages/history.py").run()


def table_ids(at):
    return list(at.dataframe[0].value["#"]) if at.dataframe else []


def test_history_lists_filters_and_pages(streamlit_app, sessions):
    complaint = log(sessions, minutes=30, ratings=[{"thumbs": -1}])
    bouquet = log(
        sessions,
        minutes=20,
        task="bouquet",
        template_id="bouquet_description.en",
        inputs={"details": "Sunflowers in kraft paper"},
        output="Sunny sunflowers.",
        ratings=[{"thumbs": 1, "stars": 5}],
    )
    imported = log(sessions, minutes=10, backend="imported", output="An old reply.")
    at = history_page(streamlit_app)
    assert not at.exception
    assert table_ids(at) == [imported, bouquet, complaint]
    assert "3 generations match" in at.caption[0].value

    at.selectbox(key="history.task").select("bouquet").run()
    assert table_ids(at) == [bouquet]
    at.selectbox(key="history.task").select(None)
    at.selectbox(key="history.rating").select("down").run()
    assert table_ids(at) == [complaint]
    at.selectbox(key="history.rating").select("any")
    at.selectbox(key="history.min_stars").select(5).run()
    assert table_ids(at) == [bouquet]
    at.selectbox(key="history.min_stars").select(None)
    at.selectbox(key="history.backend").select("imported").run()
    assert table_ids(at) == [imported]
    at.selectbox(key="history.backend").select(None)
    at.text_input(key="history.search").input("kraft").run()
    assert table_ids(at) == [bouquet]
    at.text_input(key="history.search").input("")
    yesterday = (datetime.now() - timedelta(days=2)).date()
    at.date_input(key="history.days").set_value((yesterday, yesterday)).run()
    assert table_ids(at) == [] and at.info[0].value == "Nothing matches these filters."
    at.date_input(key="history.days").set_value(()).run()
    assert not at.exception
    assert table_ids(at) == [imported, bouquet, complaint]


def test_history_pages_forward_and_back(streamlit_app, sessions):
    made = [log(sessions, minutes=200 - n) for n in range(55)]  # newest last
    at = history_page(streamlit_app)
    assert table_ids(at) == made[::-1][:50]
    assert at.button(key="history.previous").disabled
    at.button(key="history.next").click().run()
    assert table_ids(at) == made[::-1][50:]
    assert at.button(key="history.next").disabled
    assert "page 2" in at.caption[0].value
    at.button(key="history.previous").click().run()
    assert table_ids(at) == made[::-1][:50]
    at.selectbox(key="history.task").select("complaint").run()  # new filters: back to page 1
    assert "page 1" in at.caption[0].value


def test_history_detail_links_and_re_rating(streamlit_app, sessions):
    draft = log(sessions, minutes=5, variant_group="g", ratings=[{"thumbs": 1}])
    sibling = log(sessions, minutes=5, variant_group="g", output="Another draft.")
    rewrite = log(
        sessions,
        minutes=1,
        parent_id=draft,
        template_id="rewrite_warmer.en",
        inputs={"action": "warmer", "draft": "We are sorry about the roses.", "language": "en"},
        output="We are so very sorry.",
        ratings=[{"stars": 2, "edited_reply": "We are sorry, truly."}],
    )
    at = history_page(streamlit_app)
    at.number_input(key="history.open_id").set_value(draft).run()
    assert not at.exception
    assert at.subheader[0].value == f"Generation #{draft}"
    assert [c.value for c in at.code] == [
        "You answer for Rose & Co.",
        "<customer_message>\nMy roses wilted.\n</customer_message>",
    ]
    assert {m.label: m.value for m in at.metric}["First token"] == "120 ms"
    assert any(json.value == '{"temperature": 0.3}' for json in at.json)
    assert f"#{rewrite} · Warmer" in " ".join(b.label for b in at.button)

    click(at, f"history.variant.{sibling}")  # a link opens the linked draft
    assert at.subheader[0].value == f"Generation #{sibling}"
    at.number_input(key="history.open_id").set_value(rewrite).run()
    assert any(b.key == f"history.parent.{draft}" for b in at.button)
    # Re-rating starts from the reply that was sent, and keeps it.
    assert at.text_area(key=f"rating.{rewrite}.edited").value == "We are sorry, truly."
    at.text_input(key=f"rating.{rewrite}.comment").input("warm enough now")
    click(at, f"FormSubmitter:rating.{rewrite}-Save rating")
    assert not at.exception
    with sessions() as session:
        newest = session.scalars(
            select(Rating).where(Rating.generation_id == rewrite).order_by(Rating.id.desc())
        ).first()
    assert (newest.comment, newest.edited_reply) == ("warm enough now", "We are sorry, truly.")
    ratings_table = at.dataframe[-1].value
    assert list(ratings_table["Comment"]) == ["warm enough now", ""]  # newest first


def test_history_unknown_id_and_chinese_interface(streamlit_app, sessions):
    at = streamlit_app
    at.session_state["ui.language"] = "zh"
    at = history_page(at)
    assert not at.exception
    assert at.title[0].value == "所有草稿与评分"
    at.number_input(key="history.open_id").set_value(42).run()
    assert at.warning[0].value == "没有编号为 42 的记录。"
