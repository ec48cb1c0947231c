"""Rewriting a draft (shorter, longer, warmer, more formal): each action is its own template.

A rewrite is a generation of its own, linked to the draft it rewrites (`parent_id`) and logged
under the draft's task, so a rewritten complaint reply is still a complaint reply.
"""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy.orm import Session, sessionmaker

from core.drafting.generation import PreparedPrompt
from core.drafting.prompts import LANGUAGES, delimit_text, load_template, tag_stops
from core.text import InputError
from db.models import Generation
from db.repository import get_generation

RewriteAction = Literal["shorter", "longer", "warmer", "formal"]
REWRITE_ACTIONS: tuple[str, ...] = get_args(RewriteAction)
DRAFT_TAG = "draft"


def template_name(action: str) -> str:
    """The template file (without language) that words `action`."""
    if action not in REWRITE_ACTIONS:
        raise ValueError(f"rewrite action must be one of {REWRITE_ACTIONS}, not {action!r}")
    return f"rewrite_{action}"


def rewrite_action(template_id: str) -> str | None:
    """The action a logged generation's template performed, or None if it is no rewrite."""
    name = template_id.split(".")[0]
    action = name.removeprefix("rewrite_")
    return action if name != action and action in REWRITE_ACTIONS else None


def draft_language(generation: Generation) -> str:
    """The language a draft was written in: its request's, else its template's, else English."""
    language = (generation.inputs or {}).get("language")
    if language in LANGUAGES:
        return str(language)
    suffix = generation.template_id.rsplit(".", 1)[-1]
    return suffix if suffix in LANGUAGES else "en"


def build_rewrite_prompt(
    sessions: sessionmaker[Session], parent_id: int, action: str, shop_name: str
) -> PreparedPrompt:
    """The `action` template filled in with the logged draft `parent_id`, linked to it."""
    name = template_name(action)
    with sessions() as session:
        parent = get_generation(session, parent_id)
        if parent is None:
            raise LookupError(f"no generation with id {parent_id}")
        if not parent.output.strip():
            raise InputError("This draft is empty, so there is nothing to rewrite.")
        language = draft_language(parent)
        task, draft = parent.task, parent.output
    template = load_template(name, language)
    return PreparedPrompt(
        task=task,
        template_id=template.id,
        template_version=template.version,
        inputs={"action": action, "language": language, "draft": draft},
        messages=template.messages(shop_name=shop_name, draft=delimit_text(draft, DRAFT_TAG)),
        stop=tag_stops(DRAFT_TAG),
        parent_id=parent_id,
    )
