"""The shop's knowledge: Markdown files (FAQ, care guides, delivery, substitutions, products) that
managers edit, cut into sections, embedded with the few-shot model and found per request within a
token budget; the sections used are cited under the draft. Knows nothing of the database.
"""
