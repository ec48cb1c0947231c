"""The app's pages, listed in `app.py`; `widgets` holds what they share."""
