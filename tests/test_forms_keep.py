"""What staff entered on a page is still there after they visit another page."""


def test_complaint_form_survives_a_visit_to_history(streamlit_app, fake_model):
    fake_model.enqueue(["We are so sorry the lilies were brown at the edges. Please send us a photo and we will re-deliver fresh lilies for free or refund you in full."])
    app = streamlit_app
    app.run()
    app.text_area(key="complaint.text").input("The lilies were brown at the edges.")
    app.text_input(key="complaint.order_number").input("YS20260411-0930")
    next(b for b in app.button if b.label == "Draft reply").click().run()
    app.switch_page("pages/history.py").run()
    assert not app.exception
    app.switch_page("pages/complaint.py").run()
    assert not app.exception
    assert app.text_area(key="complaint.text").value == "The lilies were brown at the edges."
    assert app.text_input(key="complaint.order_number").value == "YS20260411-0930"
