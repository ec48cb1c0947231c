"""How the history page shows its list, one generation in full, and that generation's ratings.

Customer and model text is shown as plain text (escaped markdown, code blocks, table cells).
Links to related drafts are buttons that open them in the same detail view.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.drafting.generation import tokens_per_second
from core.drafting.rewrite import rewrite_action
from core.history.browse import (
    MESSAGE_ROLES,
    TASKS,
    GenerationDetail,
    HistoryRow,
    LinkedDraft,
    RatingEntry,
    input_text,
    local_time,
    preview,
)
from core.history.feedback import REASON_TAGS
from core.text import escape_markdown
from core.triage.corrections import StoredTriage
from pages.components.common import OPEN_KEY, tr
from pages.components.drafts import check_badges
from pages.components.triage_tags import label_badges

TIME_FORMAT = "%Y-%m-%d %H:%M"


def task_label(task: str) -> str:
    """A task's name in the interface language; unknown (imported) tasks as they are."""
    return tr(f"task.{task}") if task in TASKS else task


def rating_symbols(thumbs: int | None, stars: int | None, edited: bool = False) -> str:
    """👍/👎, stars and ✏️ (edited) in a few characters."""
    parts = [{1: "👍", -1: "👎"}.get(thumbs or 0, ""), "★" * (stars or 0), "✏️" if edited else ""]
    return " ".join(part for part in parts if part)


def history_table(rows: list[HistoryRow]) -> list[dict[str, Any]]:
    """The page's rows as table records with translated column names."""
    return [
        {
            tr("history.col.id"): row.id,
            tr("history.col.time"): local_time(row.created_at).strftime(TIME_FORMAT),
            tr("history.col.task"): task_label(row.task),
            tr("history.col.status"): tr(f"history.status.{row.status}"),
            tr("history.col.rating"): rating_symbols(row.thumbs, row.stars, row.edited),
            tr("triage.category"): (
                tr(f"category.{row.category}") + (" ❗" if row.urgency == "high" else "")
                if row.category else ""
            ),
            tr("history.col.input"): preview(input_text(row.inputs), 60),
            tr("history.col.output"): preview(row.output, 80),
            tr("history.col.model"): row.model_id,
            tr("history.col.backend"): row.backend,
            tr("history.col.links"): _links_summary(row),
        }
        for row in rows
    ]


def _links_summary(row: HistoryRow) -> str:
    parts = []
    if row.parent_id is not None:
        parts.append(f"↳ #{row.parent_id}")
    if row.variant_group is not None:
        parts.append(variant_label(row.chosen))
    return " · ".join(parts)


def _triage(detail: GenerationDetail) -> None:
    """The complaint's labels; what triage first said, when staff corrected it."""
    if detail.category is None:
        return
    stored = StoredTriage(
        labels={
            "category": detail.category, "sentiment": detail.sentiment or "",
            "urgency": detail.urgency or "",
        },
        predicted=dict((detail.triage or {}).get("predicted") or {}),
        corrected_by=(detail.triage or {}).get("corrected_by"),
        corrected="corrected_at" in (detail.triage or {}),
        confidence=dict((detail.triage or {}).get("confidence") or {}),
    )
    with st.container(horizontal=True):
        label_badges(stored)
    if stored.corrected and stored.predicted:
        st.caption(
            tr(
                "triage.predicted",
                **{name: tr(f"{name}.{value}") for name, value in stored.predicted.items()},
            )
        )


def variant_label(chosen: bool | None) -> str:
    """What staff did with a draft asked for together with others."""
    return tr("history.variant_chosen") if chosen else tr("history.variant")


def reason_label(tag: str) -> str:
    """A reason tag in the interface language; unknown (imported) tags as they are."""
    return tr(f"reason.{tag}") if tag in REASON_TAGS else tag


def _open(generation_id: int) -> None:
    st.session_state[OPEN_KEY] = generation_id


def _grounding(grounding: dict[str, Any] | None) -> None:
    """The past replies its prompt showed (each a button that opens it) and the sources it cited."""
    if not grounding:
        return
    examples = grounding.get("examples") or []
    if examples:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(tr("grounding.examples", count=len(examples)))
            for example in examples:
                tier = tr(f"grounding.tier.{example['tier']}")
                st.button(
                    f"#{example['id']} · {tier} · {example['score']:.2f}",
                    key=f"history.example.{example['id']}",
                    on_click=_open,
                    args=(example["id"],),
                )
    passages = grounding.get("passages") or []
    if passages:
        cited = " · ".join(f"{p['source']} › {p['heading']}" for p in passages)
        st.caption(tr("grounding.sources", sources=escape_markdown(cited)))


def _link(role: str, draft: LinkedDraft, label: str) -> None:
    st.button(
        f"#{draft.id} · {label} · {preview(draft.output, 40)}",
        key=f"history.{role}.{draft.id}",
        on_click=_open,
        args=(draft.id,),
    )


def generation_view(detail: GenerationDetail) -> None:
    """Everything logged about one generation, and buttons to open the drafts linked to it."""
    st.subheader(tr("history.detail", id=detail.id))
    st.caption(
        " · ".join(
            [
                local_time(detail.created_at).strftime(TIME_FORMAT),
                task_label(detail.task),
                tr(f"history.status.{detail.status}"),
                f"{detail.backend} / {detail.model_id}",
                f"{detail.template_id} @ {detail.template_version}",
                *([variant_label(detail.chosen)] if detail.variant_group else []),
            ]
        )
    )
    if detail.status == "error":
        st.error(tr("draft.error", error=detail.error))
    elif detail.status == "cancelled":
        st.info(tr("draft.cancelled"))
    if detail.retry_of is not None:
        st.caption(tr("history.retry_of", id=detail.retry_of))
    check_badges(detail.checks)
    _triage(detail)
    _grounding(detail.grounding)
    speed = tokens_per_second(detail.ttft_ms, detail.latency_ms, detail.completion_tokens)
    metrics = {
        tr("history.ttft"): f"{detail.ttft_ms:.0f} ms" if detail.ttft_ms is not None else "–",
        tr("history.latency"): (
            f"{detail.latency_ms / 1000:.1f} s" if detail.latency_ms is not None else "–"
        ),
        tr("history.prompt_tokens"): _count(detail.prompt_tokens),
        tr("history.completion_tokens"): _count(detail.completion_tokens),
        tr("history.speed"): f"{speed:.1f}" if speed else "–",
    }
    for column, (label, value) in zip(st.columns(len(metrics)), metrics.items()):
        column.metric(label, value)
    _linked_drafts(detail)
    st.markdown(f"**{tr('history.output')}**")
    with st.container(border=True):
        st.markdown(escape_markdown(detail.output) or "–")
    with st.expander(tr("history.messages", count=len(detail.messages))):
        for message in detail.messages:
            role = message.get("role", "")
            st.caption(tr(f"history.role.{role}") if role in MESSAGE_ROLES else role)
            st.code(message["content"], language=None, wrap_lines=True)
    with st.expander(tr("history.settings")):
        st.caption(tr("history.params"))
        st.json(detail.params)
        st.caption(tr("history.inputs"))
        st.json(detail.inputs)


def _count(tokens: int | None) -> str:
    return str(tokens) if tokens is not None else "–"


def _linked_drafts(detail: GenerationDetail) -> None:
    if detail.parent is not None:
        st.caption(tr("history.parent"))
        _link("parent", detail.parent, task_label(detail.task))
    if detail.rewrites:
        st.caption(tr("history.rewrites"))
        for rewrite in detail.rewrites:
            action = rewrite_action(rewrite.template_id)
            _link("rewrite", rewrite, tr(f"rewrite.{action}") if action else rewrite.template_id)
    others = [variant for variant in detail.variants if variant.id != detail.id]
    if others:
        st.caption(tr("history.variants"))
        for variant in others:
            _link("variant", variant, variant_label(variant.chosen))


def ratings_view(entries: list[RatingEntry]) -> None:
    """Every rating of a generation, newest first."""
    st.markdown(f"**{tr('history.ratings')}**")
    if not entries:
        st.caption(tr("history.no_ratings"))
        return
    st.caption(tr("history.newest_counts"))
    st.dataframe(
        [
            {
                tr("history.col.time"): local_time(entry.created_at).strftime(TIME_FORMAT),
                tr("history.col.rating"): rating_symbols(entry.thumbs, entry.stars),
                tr("rating.reasons"): ", ".join(reason_label(tag) for tag in entry.reasons),
                tr("rating.comment"): entry.comment or "",
                tr("rating.edited_reply"): entry.edited_reply or "",
            }
            for entry in reversed(entries)
        ],
        hide_index=True,
    )
