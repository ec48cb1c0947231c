"""`python -m core tune`: fine-tune the shop's own model (a LoRA adapter) on its approved replies."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from core.tuning.trainer import Progress, TrainSettings


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    defaults = TrainSettings()
    parser = commands.add_parser(
        "tune",
        help="fine-tune the shop's model (LoRA) on approved replies and the starter pack",
        description="Builds the training set (edited-and-sent replies first, then approved drafts, "
        "then the starter pack), trains a LoRA adapter with TRL on this computer, writes it as a "
        "GGUF adapter with manifest.json into the models folder, then evaluates base and tuned "
        "model on the held-out evaluation set. The tuned model becomes the default only if it wins.",
    )
    parser.add_argument(
        "--data",
        default="both",
        help="db, starter, both (default), or a JSONL file from `core export`",
    )
    parser.add_argument("--base", default="embedded", help="embedded (default) or a GGUF file")
    parser.add_argument("--epochs", type=float, default=defaults.epochs)
    parser.add_argument(
        "--max-length",
        type=int,
        default=defaults.max_length,
        help="tokens per example; longer examples are left out (default %(default)s)",
    )
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--rank", type=int, default=defaults.rank, help="LoRA rank")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--limit", type=int, help="only the first N training examples (best first)")
    parser.add_argument(
        "--starter-share",
        type=float,
        default=0.5,
        help="with --data both: at most this share of the set from the starter pack",
    )
    parser.add_argument(
        "--out", type=Path, help="the model's folder (default: <models folder>/shop-<date>-<time>)"
    )
    parser.add_argument(
        "--dpo",
        action="store_true",
        help="then a DPO stage on the shop's preference pairs (edits, picks, blind comparisons)",
    )
    parser.add_argument("--no-eval", action="store_true", help="skip the evaluation gate")
    parser.add_argument("--eval-limit", type=int, help="evaluate on the first N cases only")
    parser.add_argument(
        "--no-default",
        action="store_true",
        help="never make the tuned model the default, even if it wins",
    )
    parser.add_argument(
        "--progress-file",
        type=Path,
        help="also write each progress update here as JSON (the training page reads it)",
    )
    parser.set_defaults(handler=run)


def _source(value: str) -> str | Path:
    from core.tuning.dataset import SOURCES

    if value in SOURCES:
        return value
    path = Path(value).expanduser()
    if not path.is_file():
        from core.cli.parser import UserError

        raise UserError(
            f"--data must be one of {', '.join(SOURCES)} or a JSONL file; {value} is neither"
        )
    return path


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def progress_printer(progress_file: Path | None) -> Callable[[Progress], None]:
    """Progress as one line per update on stderr, and as JSON in `progress_file` if given."""

    def show(state: Progress) -> None:
        if state.stage == "training" and state.total_steps:
            loss = f"{state.loss:.3f}" if state.loss is not None else "-"
            line = (
                f"step {state.step}/{state.total_steps}  loss {loss}  "
                f"elapsed {_minutes(state.elapsed_s)}  eta {_minutes(state.eta_s)}"
            )
        elif state.total_steps and state.stage.startswith("evaluating"):
            line = f"{state.stage}: case {state.step}/{state.total_steps}"
        else:
            line = state.stage
        print(line, file=sys.stderr, flush=True)
        if progress_file is not None:
            record = {
                "stage": state.stage,
                "step": state.step,
                "total_steps": state.total_steps,
                "loss": state.loss,
                "elapsed_s": round(state.elapsed_s, 1),
                "eta_s": state.eta_s,
                "updated": time.time(),
            }
            temporary = progress_file.with_suffix(".tmp")
            temporary.write_text(json.dumps(record), encoding="utf-8")
            temporary.replace(progress_file)

    return show


def run(args: argparse.Namespace) -> int:
    from core.cli.parser import UserError
    from core.runtime import sessions
    from core.settings import shop_settings
    from core.tuning.convert import ConversionError
    from core.tuning.pipeline import TuneRequest, tune

    settings = shop_settings()
    source = _source(args.data)
    out = args.out or settings.models_dir / f"shop-{datetime.now(UTC):%Y%m%d-%H%M}"
    request = TuneRequest(
        out=out,
        source=source,  # type: ignore[arg-type]
        base=args.base,
        settings=TrainSettings(
            epochs=args.epochs,
            max_length=args.max_length,
            learning_rate=args.learning_rate,
            rank=args.rank,
            alpha=2 * args.rank,
            batch_size=args.batch_size,
            seed=args.seed,
        ),
        starter_share=args.starter_share,
        limit=args.limit,
        evaluate=not args.no_eval,
        eval_limit=args.eval_limit,
        few_shot=settings.few_shot,
        make_default=not args.no_default,
        dpo=args.dpo,
    )
    database = sessions() if source in ("db", "both") or args.dpo else None
    try:
        tuned = tune(
            request,
            database,
            shop_name=settings.shop_name,
            models_dir=settings.models_dir,
            progress=progress_printer(args.progress_file),
        )
    except (ValueError, ConversionError) as error:
        raise UserError(str(error)) from None
    training = tuned.manifest["training"]
    print(
        f"trained {tuned.name} on {tuned.examples} examples in {training['seconds']:.0f} s "
        f"({training['tokens_per_second']:.0f} tokens/s; train loss {training['train_loss']}, "
        f"validation loss {training['validation_loss']}) -> {tuned.adapter_path}"
    )
    evaluation = tuned.evaluation
    if evaluation:
        rates = evaluation["pass_rate"]
        print(
            f"gate on {evaluation['cases']} {evaluation['set']} cases: base {rates['base'] * 100:.0f}% "
            f"vs tuned {rates['tuned'] * 100:.0f}% passed every check; wins {evaluation['wins']}, "
            f"ties {evaluation['ties']}, losses {evaluation['losses']} -> "
            + (
                "the tuned model wins" + ("" if args.no_default else " and is now the default")
                if tuned.won
                else "the base model stays the default"
            )
        )
    print(f"use it: python -m core generate --model {tuned.folder} ...")
    return 0
