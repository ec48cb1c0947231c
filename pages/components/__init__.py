"""Pieces the pages share: `common` (model, database, words), `sidebar`, `drafts`."""
