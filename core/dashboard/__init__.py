"""The manager dashboard: the shop's drafts over a range of days, aggregated in SQL by
`db.dashboard` (drafts, complaint categories, outcomes and edits, ratings, quality checks,
latency, thumbs-down reasons), and the tables the page charts and offers as CSV files.
"""
