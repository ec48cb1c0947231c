"""The managers' review queue: which drafts land in it (rated down, failing a soft check, an
urgent complaint), and assigning, noting and resolving them. A corrected reply given when
resolving is stored as an edit, so it teaches the few-shot examples and the shop's model."""
