"""Rows 6 and 7: which embedding model finds the right examples, and what few-shot costs a draft.

Row 6 scores both candidate models on a retrieval test: each evaluation case asks for its three
nearest starter-pack rows (complaints of the same kind, bouquets of the same occasion count as
right), in English, in Chinese and across the two. Row 7 fills a database with `retrieval_rows`
approved replies and times what few-shot adds to a draft (embed the request, top up the index,
search, read the candidates, MMR), and the first token with k = 0, 2 and 4 examples.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from bench.report import Row, median, ms, percentile
from bench.workload import Sizes
from core.drafting.generation import GenerationRun
from core.drafting.grounder import make_grounder
from core.examples.selection import ExampleFinder
from core.examples.starter import import_starter, load_starter
from core.models.backends import GenerationParams
from core.models.backends.gguf import GgufEngine
from core.quality.evaluation import case_text, load_cases
from core.retrieval.embeddings import DEFAULT_EMBEDDER, EMBEDDERS, LocalEmbeddings
from core.retrieval.vectors import to_bytes, top_indices
from db.models import ExampleVector, Generation, Rating

SHOP_NAME = "Huayu Flowers"
DIRECTIONS = (("en", "en"), ("zh", "zh"), ("en", "zh"), ("zh", "en"))


def precision_at_3(embeddings: LocalEmbeddings) -> dict[str, float]:
    """Share of the top three starter rows with the query's label, per direction (query → rows)."""
    rows = load_starter()
    cases = load_cases("all")
    row_vectors = embeddings.vectors([r.text for r in rows])
    case_vectors = embeddings.vectors([case_text(c) for c in cases], query=True)
    hits: dict[str, list[float]] = defaultdict(list)
    for case, vector in zip(cases, case_vectors, strict=True):
        for query_lang, row_lang in DIRECTIONS:
            if case.language != query_lang:
                continue
            pool = [i for i, r in enumerate(rows) if r.task == case.task and r.language == row_lang]
            scores = row_vectors[pool] @ vector
            best = [pool[int(i)] for i in top_indices(scores, 3)]
            right = sum(rows[i].label == case.label for i in best) / 3
            hits[f"{case.task} {query_lang}→{row_lang}"].append(right)
    return {name: round(float(np.mean(values)), 3) for name, values in sorted(hits.items())}


def embedder_choice(sizes: Sizes) -> Row:
    row = Row(
        key="embedder_choice",
        title="Embedding model",
        compares="use-m3 (USE multilingual v3, numpy, 512-d) vs e5-small (multilingual-e5-small "
        "4-bit, 384-d): precision@3 of the starter rows found for each evaluation case",
        goal="the default finds right examples at least as often as the other (within 0.03 on "
        "average, across languages too) and embeds a query faster",
    )
    scores: dict[str, dict[str, float]] = {}
    speed: dict[str, float] = {}
    for name, kind in EMBEDDERS.items():
        try:
            embeddings = kind()
            embeddings.vectors(["warm up"], query=True)
        except ImportError as error:
            row.notes.append(f"{name} not installed: {error}")
            continue
        scores[name] = precision_at_3(embeddings)
        texts = [case_text(c) for c in load_cases("all")][: sizes.retrieval_queries]
        times = []
        for text in texts:
            start = time.perf_counter()
            embeddings.vectors([text], query=True)
            times.append(time.perf_counter() - start)
        speed[name] = ms(median(times))
    means = {name: round(float(np.mean(list(s.values()))), 3) for name, s in scores.items()}
    other = [n for n in means if n != DEFAULT_EMBEDDER]
    row.met = (
        all(
            means[DEFAULT_EMBEDDER] >= means[n] - 0.03 and speed[DEFAULT_EMBEDDER] < speed[n]
            for n in other
        )
        if DEFAULT_EMBEDDER in means and other
        else None
    )
    row.result = "; ".join(
        f"{name}: precision@3 {means[name]:.2f} on average, {speed[name]:.1f} ms a query"
        for name in means
    )
    row.details = {"precision_at_3": scores, "mean": means, "query_ms": speed}
    for direction in sorted({d for s in scores.values() for d in s}):
        row.notes.append(
            f"{direction}: " + ", ".join(f"{name} {scores[name][direction]:.2f}" for name in scores)
        )
    return row


def fill_approved(sessions: sessionmaker[Session], embeddings: LocalEmbeddings, count: int) -> None:
    """`count` approved complaint replies with vectors: the starter pack's own vectors, each
    copied with a little noise, so searches face a realistic spread of near neighbours."""
    rows = [r for r in load_starter() if r.task == "complaint"]
    base = embeddings.vectors([r.text for r in rows])
    rng = np.random.default_rng(6)
    now = datetime.now(UTC)
    batch = 5000
    with sessions.begin() as session:
        first_id = (
            session.query(Generation.id).order_by(Generation.id.desc()).limit(1).scalar() or 0
        ) + 1
        for start in range(0, count, batch):
            numbers = range(start, min(start + batch, count))
            generations, ratings, vectors = [], [], []
            for n in numbers:
                source = rows[n % len(rows)]
                generation_id = first_id + n
                noisy = base[n % len(rows)] + rng.normal(0, 0.02, base.shape[1]).astype(np.float32)
                generations.append(
                    {
                        "id": generation_id,
                        "created_at": now,
                        "task": "complaint",
                        "template_id": f"complaint_reply.{source.language}",
                        "template_version": "bench",
                        "inputs": {
                            "complaint": f"{source.text} ({n})",
                            "language": source.language,
                        },
                        "messages": [],
                        "output": source.reply,
                        "backend": "imported",
                        "model_id": "bench",
                        "params": {},
                        "status": "ok",
                        "source": "imported",
                    }
                )
                ratings.append(
                    {"generation_id": generation_id, "created_at": now, "stars": 5, "reasons": []}
                )
                vectors.append(
                    {
                        "generation_id": generation_id,
                        "task": "complaint",
                        "language": source.language,
                        "embedder": embeddings.name,
                        "vector": to_bytes(noisy / np.linalg.norm(noisy)),
                    }
                )
            session.execute(insert(Generation), generations)
            session.execute(insert(Rating), ratings)
            session.execute(insert(ExampleVector), vectors)


def retrieval_cost(
    engine: GgufEngine, sessions: sessionmaker[Session], logged: sessionmaker[Session], sizes: Sizes
) -> Row:
    """`sessions`: a fresh database for the approved replies; `logged`: where drafts are logged."""
    row = Row(
        key="retrieval",
        title="Few-shot retrieval",
        compares=f"what finding k examples adds to a draft at {sizes.retrieval_rows:,} approved "
        "replies (embed + search + read + MMR), and the first token with k = 0, 2, 4",
        goal="≤20 ms per draft for retrieval",
    )
    grounder = make_grounder(sessions)
    finder: ExampleFinder = grounder.examples
    fill_approved(sessions, finder.embeddings, sizes.retrieval_rows)
    start = time.perf_counter()
    with sessions() as session:
        finder.index.refresh(session)
    load_s = time.perf_counter() - start
    queries = [case_text(c) for c in load_cases("all", "complaint")][: sizes.retrieval_queries]
    finder.find("complaint", queries[0], "en", 2)  # warm: the model's first call loads it
    embed_times, total_times = [], []
    for text in queries:
        begin = time.perf_counter()
        finder.embeddings.vectors([text], query=True)
        embed_times.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        found = finder.find("complaint", text, "en", 4)
        total_times.append(time.perf_counter() - begin)
        assert found, "no example found"
    p50, p95 = ms(median(total_times)), ms(percentile(total_times, 95))
    row.met = p95 <= 20
    row.result = f"{p50:.1f} ms per draft (p95 {p95:.1f} ms, of which embedding {ms(median(embed_times)):.1f} ms)"

    # The first token: the same complaint prompts with 0, 2 and 4 starter examples.
    small = make_grounder(logged, finder.embeddings)
    import_starter(logged, SHOP_NAME, small.examples)
    params = GenerationParams(max_new_tokens=4, seed=1)
    ttft: dict[int, list[float]] = {}
    tokens: dict[int, int] = {}
    cases = load_cases("en", "complaint")[: sizes.ttft_repetitions]
    for k in (0, 2, 4):
        ttft[k] = []
        for case in cases:
            grounding = small.ground(
                "complaint", case_text(case), "en", few_shot=k, knowledge=False
            )
            prompt = case.prompt(SHOP_NAME, grounding)
            outcome = GenerationRun(
                prompt=prompt, model=engine, params=params, sessions=logged
            ).run()
            assert outcome.ttft_ms is not None
            ttft[k].append(outcome.ttft_ms)
            tokens[k] = len(engine.format_prompt(prompt.messages))
    row.result += "; first token " + ", ".join(
        f"k={k}: {median(v):.0f} ms" for k, v in ttft.items()
    )
    row.details = {
        "rows": sizes.retrieval_rows,
        "index_load_s": round(load_s, 2),
        "retrieval_ms": [round(ms(t), 2) for t in total_times],
        "embed_ms": [round(ms(t), 2) for t in embed_times],
        "ttft_ms": {k: [round(v, 1) for v in values] for k, values in ttft.items()},
        "prompt_tokens_last_case": tokens,
    }
    row.notes = [
        (
            f"{sizes.retrieval_queries} English complaints from the evaluation set, k = 4, "
            f"{finder.embeddings.name}; the in-memory index loads {sizes.retrieval_rows:,} vectors "
            f"from SQLite once, in {load_s:.1f} s, then tops up with new rows before each search."
        ),
        (
            "First token: medians over the first evaluation complaints, each a new request after "
            "another with a different complaint (llama.cpp reuses the cached system prompt and the "
            f"tone's example; the examples and the request are evaluated afresh); prompt tokens of "
            f"the last case: {tokens}."
        ),
    ]
    return row
