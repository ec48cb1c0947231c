"""Check hand-written reply rows (starter pack, eval references): every reply passes the quality
checks for its own request, and no request is a near duplicate of an evaluation case, a template
example or another row.

    .venv/bin/python scripts/check_starter.py starter/complaints.en.jsonl [--field reply]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.quality.checks import judge
from core.quality.evaluation import case_text, load_cases, near_duplicates
from core.quality.guard import draft_context
from core.settings import shop_settings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--field", default="reply", help="the field holding the written reply")
    parser.add_argument(
        "--no-eval-dups", action="store_true", help="skip the near-duplicate test against evals/"
    )
    args = parser.parse_args()
    shop = shop_settings().shop_name
    bad = 0
    rows = [case for path in args.files for case in load_cases(path)]
    for case in rows:
        reply = str(case.fields.get(args.field, "")).replace("{shop_name}", shop)
        verdict = judge(draft_context(case.prompt(shop), reply))
        failures = verdict.failures
        if failures:
            bad += 1
            for failure in failures:
                print(f"{case.id}: {failure['severity']} {failure['id']}: {failure['detail']}")
    texts = [(case.id, case_text(case)) for case in rows]
    if not args.no_eval_dups:
        evals = [(case.id, case_text(case)) for case in load_cases("all")]
        for mine, other, score in near_duplicates(texts, evals):
            bad += 1
            print(f"{mine}: near duplicate of eval case {other} ({score})")
    for mine, other, score in near_duplicates(texts, texts):
        if mine < other:
            bad += 1
            print(f"{mine}: near duplicate of {other} ({score})")
    print(f"{len(rows)} rows, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
