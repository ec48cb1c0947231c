"""`python -m core bench`: measure Huayu against the raw engines, the lesson's code and the hardware."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.cli.parser import UserError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "bench",
        help="run the benchmarks; writes a JSON file and BENCHMARKS.md",
        description="Runs every benchmark row and writes bench/results/bench-*.json plus "
        "BENCHMARKS.md (quick runs write bench/results/BENCHMARKS.quick.md instead, so the "
        "committed figures always come from a full run).",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions and smaller sizes (a few minutes)"
    )
    parser.add_argument("--out", type=Path, help="results folder (default: bench/results)")
    parser.add_argument("--gpu", action="store_true", help="also measure the GPU row (needs CUDA)")
    parser.add_argument("--markdown", type=Path, help="where to write the Markdown table")
    parser.add_argument("--model", help="GGUF file to benchmark (default: the embedded model)")
    parser.add_argument(
        "--only",
        help="comma-separated row keys to measure (e.g. shop_model); writes the table to "
        "bench/results/BENCHMARKS.only.md unless --markdown says otherwise",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="with --only: put those rows into BENCHMARKS.md's run and rewrite BENCHMARKS.md",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bench.suite import DEFAULT_OUT, Options, run_suite

    if args.model and not Path(args.model).expanduser().is_file():
        raise UserError(f"model file not found: {args.model}")
    options = Options(
        quick=args.quick,
        gpu=args.gpu,
        out=args.out or DEFAULT_OUT,
        markdown=args.markdown,
        model_path=str(Path(args.model).expanduser()) if args.model else None,
        only=tuple(key.strip() for key in args.only.split(",")) if args.only else (),
        update=args.update,
    )
    run_suite(options)
    return 0
