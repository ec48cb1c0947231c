"""History: every generation filtered and paged for staff, one in full, and staff feedback
(ratings, reasons, the reply they sent). Reads and writes through `db`.
"""
