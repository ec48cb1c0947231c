"""Every generation the shop ran: filtered and paged for the history page, and one in full.

The page speaks in the staff's terms (local calendar days); the database in UTC. Queries live in
`db.history`; this module turns a page's filters into them and shapes what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from core.drafting import bouquet_description, complaint_reply
from db.history import (
    RATING_FILTERS,
    Cursor,
    FilterOptions,
    GenerationDetail,
    HistoryFilter,
    HistoryRow,
    LinkedDraft,
    RatingEntry,
    RatingFilter,
    count_generations,
    filter_options,
    generation_detail,
    list_generations,
    ratings_of,
)
from db.repository import STATUSES

__all__ = [
    "MESSAGE_ROLES",
    "PAGE_SIZE",
    "RATING_FILTERS",
    "STATUSES",
    "TASKS",
    "Cursor",
    "FilterOptions",
    "GenerationDetail",
    "HistoryPage",
    "HistoryQuery",
    "HistoryRow",
    "LinkedDraft",
    "RatingEntry",
    "browse",
    "input_text",
    "local_time",
    "open_generation",
    "options",
    "preview",
    "ratings",
]

PAGE_SIZE = 50
TASKS = (complaint_reply.TASK, bouquet_description.TASK)
MESSAGE_ROLES = ("system", "user", "assistant")
# Where each task keeps the text staff typed or pasted, in the order they are tried.
_INPUT_FIELDS = ("complaint", "details", "draft", "input")


class HistoryQuery(BaseModel):
    """The history page's filters as staff set them; None or empty means any."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task: str | None = None
    backend: str | None = None
    model_id: str | None = None
    template_version: str | None = None
    rating: RatingFilter = "any"
    min_stars: int | None = Field(None, ge=1, le=5)
    first_day: date | None = None
    last_day: date | None = None
    """Inclusive: the whole of that day counts."""
    search: str = ""
    category: str | None = None
    urgency: str | None = None

    def to_filter(self, zone: tzinfo | None = None) -> HistoryFilter:
        """The database filter: calendar days in `zone` (default: this computer's) as UTC times."""
        return HistoryFilter(
            task=self.task,
            backend=self.backend,
            model_id=self.model_id,
            template_version=self.template_version,
            rating=self.rating,
            min_stars=self.min_stars,
            since=_day_start(self.first_day, zone) if self.first_day else None,
            until=_day_start(self.last_day + timedelta(days=1), zone) if self.last_day else None,
            search=self.search.strip(),
            category=self.category,
            urgency=self.urgency,
        )


def _day_start(day: date, zone: tzinfo | None) -> datetime:
    start = datetime.combine(day, time.min)
    start = start.replace(tzinfo=zone) if zone is not None else start.astimezone()
    return start.astimezone(UTC)


@dataclass(frozen=True)
class HistoryPage:
    """One page of the list, where the next one starts (None on the last), and the total."""

    rows: list[HistoryRow]
    next_cursor: Cursor | None
    total: int


def browse(
    sessions: sessionmaker[Session],
    query: HistoryQuery,
    after: Cursor | None = None,
    page_size: int = PAGE_SIZE,
    zone: tzinfo | None = None,
) -> HistoryPage:
    """The page of generations matching `query` that starts after `after`, newest first."""
    filters = query.to_filter(zone)
    with sessions() as session:
        # One row more than shown tells whether there is a next page without counting.
        rows = list_generations(session, filters, after=after, limit=page_size + 1)
        total = count_generations(session, filters)
    next_cursor = rows[page_size - 1].cursor if len(rows) > page_size else None
    return HistoryPage(rows=rows[:page_size], next_cursor=next_cursor, total=total)


def options(sessions: sessionmaker[Session]) -> FilterOptions:
    """The tasks, backends, models and template versions present, for the filter menus."""
    with sessions() as session:
        return filter_options(session)


def open_generation(sessions: sessionmaker[Session], generation_id: int) -> GenerationDetail | None:
    """One generation in full, or None if there is no such id."""
    with sessions() as session:
        return generation_detail(session, generation_id)


def ratings(sessions: sessionmaker[Session], generation_id: int) -> list[RatingEntry]:
    """Every rating of one generation, oldest first; the newest is the one that counts."""
    with sessions() as session:
        return ratings_of(session, generation_id)


def local_time(moment: datetime) -> datetime:
    """A stored time in this computer's zone (SQLite gives back UTC without a zone)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def input_text(inputs: dict[str, Any]) -> str:
    """The text staff typed or pasted for a generation (complaint, flower details, draft…)."""
    for name in _INPUT_FIELDS:
        value = inputs.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def preview(text: str, width: int = 80) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
