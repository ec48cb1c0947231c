"""Blind side-by-side comparison: two models draft the same request, staff pick the better draft
without knowing which model wrote it (`blind`), and the picks become standings (`standings`).

A comparison is stored as a variant group named `blind:<uuid>` of two drafts from two models, so a
pick is the ordinary variant choice the fine-tuning export already turns into preference pairs;
"both bad" marks both drafts down.
"""
