"""Drafting: templates and prompts, complaint replies, bouquet descriptions, rewrites, variants,
and the generation run that streams a model's draft and logs it. Uses `core.models`, never pages.
"""
