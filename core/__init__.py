"""Huayu's logic, one package per capability; never imports streamlit.

At the top level only what every capability shares: `settings` (the shop's settings), `text`
(cleaning input, `InputError`) and `runtime` (the database and backend wiring of app, CLI, bench).
"""
