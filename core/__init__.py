"""Huayu's logic: prompts, backends, generation and logging. Never imports streamlit."""
