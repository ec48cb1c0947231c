"""`python -m core generate`: draft a complaint reply or a bouquet description on any backend and
log it, as the app does."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from core.cli.parser import UserError, add_grounding_options, first_error, grounding_choice
from core.models.backends import DEFAULT_BACKEND, REGISTRY, GenerationParams

if TYPE_CHECKING:
    from core.drafting.generation import PreparedPrompt

TASKS = ("complaint", "bouquet")
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


def _option_id(text: str) -> str:
    """'get well' and 'get-well' name the occasion `get_well`."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from core.drafting.bouquet_description import LENGTHS, OCCASIONS

    parser = commands.add_parser("generate", help="draft a reply or a description and log it")
    parser.add_argument("--task", default="complaint", choices=TASKS)
    parser.add_argument(
        "--input", required=True, help="the customer's complaint, or the bouquet's flower details"
    )
    parser.add_argument("--tone", default="apologetic", choices=["apologetic", "warm", "formal"])
    parser.add_argument("--lang", default="en", choices=["en", "zh"], help="reply language")
    parser.add_argument("--order-number", default="")
    parser.add_argument("--product", default="")
    parser.add_argument("--delivery-date", default="")
    parser.add_argument(
        "--occasion",
        default="just_because",
        type=_option_id,
        choices=OCCASIONS,
        help="bouquet only",
    )
    parser.add_argument("--recipient", default="", help="bouquet only: who it is for")
    parser.add_argument("--length", default="medium", choices=LENGTHS, help="bouquet only")
    parser.add_argument("--backend", default=DEFAULT_BACKEND, choices=sorted(REGISTRY))
    parser.add_argument("--model", help="model path or id (default: the embedded model)")
    parser.add_argument(
        "--base-url",
        help="server URL for --backend openai/hub (keys from OPENAI_API_KEY / HF_TOKEN)",
    )
    parser.add_argument("--temperature", type=float, default=0.3)
    parser.add_argument("--max-new-tokens", type=int, default=320)
    parser.add_argument("--seed", type=int)
    add_grounding_options(parser)
    parser.set_defaults(handler=run)


def request_fields(args: argparse.Namespace) -> dict[str, object]:
    """The request's fields from the arguments, as an evaluation case or starter row holds them."""
    if args.task == "bouquet":
        return {
            "details": args.input,
            "occasion": args.occasion,
            "recipient": args.recipient,
            "length": args.length,
        }
    order = {
        "number": args.order_number,
        "product": args.product,
        "delivery_date": args.delivery_date,
    }
    return {"complaint": args.input, "tone": args.tone, "order": order}


def _prompt(args: argparse.Namespace, shop_name: str, sessions: object) -> PreparedPrompt:
    """The task's request from the arguments, grounded, as its prompt; pydantic errors pass through."""
    from core.drafting.grounder import make_grounder
    from core.drafting.grounding import NO_GROUNDING
    from core.drafting.requests import prompt_for

    fields = request_fields(args)
    prompt_for(
        args.task, args.lang, fields, shop_name
    )  # a bad request fails before any model loads
    few_shot, knowledge = grounding_choice(args)
    grounding = (
        make_grounder(sessions).ground(
            args.task, args.input, args.lang, few_shot=few_shot, knowledge=knowledge
        )  # type: ignore[arg-type]
        if few_shot or knowledge
        else NO_GROUNDING
    )
    return prompt_for(args.task, args.lang, fields, shop_name, grounding)


def run(args: argparse.Namespace) -> int:
    from core.models.languages import configured_model_name, unsupported_language
    from core.models.model_slot import ModelSlot
    from core.quality.guard import GuardedDraft
    from core.runtime import backend_config, sessions
    from core.settings import shop_settings

    database = sessions()
    try:
        prompt = _prompt(args, shop_settings().shop_name, database)
        params = GenerationParams(
            temperature=args.temperature, max_new_tokens=args.max_new_tokens, seed=args.seed
        )
    except ValueError as error:
        raise UserError(first_error(error)) from None
    config = backend_config(args.backend, model=args.model, base_url=args.base_url)
    if unsupported_language(args.backend, config, args.lang):
        raise UserError(
            f"{configured_model_name(args.backend, config)} cannot write "
            f"{LANGUAGE_NAMES[args.lang]}; pass --model with a model that does (the README lists "
            "some), or --lang en"
        )
    model = ModelSlot().get(args.backend, config)
    for notice in model.info().notices:
        print(f"note: {notice}", file=sys.stderr)
    guarded = GuardedDraft(prompt=prompt, model=model, params=params, sessions=database)
    # Each attempt is kept until it passed the checks: stdout only ever gets the draft to use.
    for number, attempt in enumerate(guarded.attempts(), start=1):
        outcome = attempt.run()
        if outcome.status == "rejected":
            reasons = "; ".join(f"{c['id']} ({c['detail']})" for c in outcome.hard_failures)
            print(f"[attempt {number} rejected: {reasons}]", file=sys.stderr)
    outcome = guarded.outcome
    assert outcome is not None
    if outcome.status != "ok":
        print(
            f"error: the model could not write a usable draft in {outcome.attempts} attempts; "
            f"try a larger model (--model) — the least bad is generation {outcome.generation_id}",
            file=sys.stderr,
        )
        return 3
    sys.stdout.write(outcome.text + "\n")
    if prompt.grounding.examples:
        ids = ", ".join(str(e.generation_id) for e in prompt.grounding.examples)
        print(f"[examples: generations {ids}]", file=sys.stderr)
    for passage in prompt.grounding.passages:
        print(f"[source: {passage.citation}]", file=sys.stderr)
    speed = f", {outcome.tokens_per_second:.1f} tok/s" if outcome.tokens_per_second else ""
    warnings = "".join(f"; warning: {c['id']}" for c in outcome.checks or [])
    print(
        f"[generation {outcome.generation_id}: {outcome.model_id} via {outcome.backend}, "
        f"first token {outcome.ttft_ms or 0:.0f} ms, {outcome.completion_tokens} tokens{speed}"
        f"{warnings}]",
        file=sys.stderr,
    )
    return 0
