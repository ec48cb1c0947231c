"""Row 4: simulated staff sessions sharing one GGUF model, vs the same requests one after another."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bench.report import Row, jain_index, median
from bench.workload import Sizes, complaint_prompt
from core.drafting.generation import GenerationRun, PreparedPrompt
from core.models.backends import GenerationParams
from core.models.backends.gguf import GgufEngine


@dataclass
class Request:
    """One staff request and what happened to it."""

    session: int
    index: int
    prompt: PreparedPrompt
    params: GenerationParams
    submitted: float = 0.0
    first_token: float | None = None
    finished: float = 0.0
    status: str = "not run"
    tokens: int = 0
    error: str | None = None

    @property
    def wait_s(self) -> float:
        """Staff-visible wait: from pressing the button to the first word (queueing included)."""
        return (self.first_token or self.finished) - self.submitted


def workload(sizes: Sizes) -> list[list[Request]]:
    """Each session's requests: distinct complaints and order numbers, same template and policy."""
    return [
        [
            Request(
                session=s,
                index=g,
                prompt=complaint_prompt(s + g, order_number=f"YS2026-{s:02d}{g:02d}"),
                params=GenerationParams(max_new_tokens=sizes.concurrency_tokens, seed=100 * s + g),
            )
            for g in range(sizes.generations_per_session)
        ]
        for s in range(sizes.sessions)
    ]


def run_request(request: Request, engine: GgufEngine, sessions: sessionmaker[Session]) -> None:
    """Run one request the way a page does (stream, then the log is written), recording times."""
    request.submitted = time.perf_counter()
    run = GenerationRun(
        prompt=request.prompt, model=engine, params=request.params, sessions=sessions
    )
    try:
        for _chunk in run.stream():
            if request.first_token is None:
                request.first_token = time.perf_counter()
    except Exception as error:  # noqa: BLE001 - a crash is a result this row reports
        request.error = f"{type(error).__name__}: {error}"
    request.finished = time.perf_counter()
    if run.outcome is not None:
        request.status = run.outcome.status
        request.tokens = run.outcome.completion_tokens or 0


def concurrency(engine: GgufEngine, sessions: sessionmaker[Session], sizes: Sizes) -> Row:
    row = Row(
        key="concurrency",
        title="Concurrency",
        compares=f"{sizes.sessions} staff sessions (threads) × {sizes.generations_per_session} "
        "generations on one GGUF model at once vs the same sessions taking strict turns",
        goal="all complete, none crash; total ≤1.1× the serial sum; fair waits",
    )
    # Serial, concurrent, concurrent, serial: load that drifts during the row hits both alike.
    totals: dict[bool, list[float]] = {True: [], False: []}
    concurrent_runs: list[list[list[Request]]] = []
    for take_turns in (True, False, False, True):
        work = workload(sizes)
        totals[take_turns].append(run_sessions(work, engine, sessions, take_turns=take_turns))
        if not take_turns:
            concurrent_runs.append(work)
    serial_s, concurrent_s = sum(totals[True]), sum(totals[False])
    concurrent = [session for work in concurrent_runs for session in work]

    done = flatten(concurrent)
    completed = sum(r.status == "ok" and r.error is None for r in done)
    errors = sorted({r.error for r in done if r.error})
    waits = [r.wait_s for r in done]
    session_waits = [sum(r.wait_s for r in session_requests) for session_requests in concurrent]
    overtakes = [count for work in concurrent_runs for count in overtaken(flatten(work))]
    ratio = concurrent_s / serial_s
    fairness = jain_index(session_waits)
    row.met = completed == len(done) and not errors and ratio <= 1.1
    row.result = (
        f"{completed}/{len(done)} completed ({len(concurrent_runs)} runs), {len(errors)} errors; "
        f"{concurrent_s:.1f} s vs {serial_s:.1f} s serial = {ratio:.2f}×; wait max/median "
        f"{max(waits) / median(waits):.1f}, Jain {fairness:.3f}"
    )
    row.details = {
        "serial_total_s": [round(t, 2) for t in totals[True]],
        "concurrent_total_s": [round(t, 2) for t in totals[False]],
        "ratio": round(ratio, 3),
        "completed": completed,
        "requests": len(done),
        "errors": errors,
        "tokens_serial": "same requests, see tokens_concurrent",
        "tokens_concurrent": sum(r.tokens for r in done),
        "wait_s": {
            "median": round(median(waits), 3),
            "max": round(max(waits), 3),
            "max_over_median": round(max(waits) / median(waits), 2),
        },
        "jain_index_of_session_waits": round(fairness, 4),
        "session_total_wait_s": [round(w, 2) for w in session_waits],
        "max_times_overtaken": max(overtakes),
        "lock": type(engine.lock).__name__,
    }
    row.notes = [
        (
            f"{sizes.concurrency_tokens} new tokens per request; runs in the order serial, "
            "concurrent, concurrent, serial, so drifting machine load hits both sides alike. One "
            "lock serialises generations "
            "(a llama.cpp context is not thread-safe), so the best possible total is the serial sum."
            " The serial run uses the same threads taking strict turns: llama.cpp's OpenMP "
            "runtime spins less once it manages more threads than there are CPUs, which a "
            "one-thread baseline would mix into the ratio."
        ),
        (
            "Wait = from the request to its first token, queueing included. Jain's index over each "
            "session's total wait is 1.0 when every session waits the same."
        ),
        (
            f"Overtaking: a request that was asked for later but served first (more than "
            f"{OVERTAKE_TOLERANCE_S * 1000:.0f} ms later); at most {max(overtakes)} times for any "
            "request (0 = first come, first served)."
        ),
    ]
    return row


def flatten(work: list[list[Request]]) -> list[Request]:
    return [request for session_requests in work for request in session_requests]


def run_sessions(
    work: list[list[Request]],
    engine: GgufEngine,
    sessions: sessionmaker[Session],
    *,
    take_turns: bool,
) -> float:
    """Run each session's requests on its own thread; seconds until all are done.

    With `take_turns` the sessions go strictly one request at a time in round-robin order (the
    order a fair queue serves them in): the serial baseline. It runs on the same threads as the
    concurrent run because llama.cpp's OpenMP runtime spins less once it manages more threads than
    there are CPUs; a baseline on one thread would measure that, not the queueing.
    """
    count = len(work)
    turn = 0
    baton = threading.Condition()
    started: list[float] = []
    start_together = threading.Barrier(count, action=lambda: started.append(time.perf_counter()))

    def staff(index: int) -> None:
        nonlocal turn
        start_together.wait()
        for number, request in enumerate(work[index]):
            if not take_turns:
                run_request(request, engine, sessions)
                continue
            ticket = number * count + index
            with baton:
                while turn != ticket:
                    baton.wait()
            run_request(request, engine, sessions)
            with baton:
                turn += 1
                baton.notify_all()

    threads = [threading.Thread(target=staff, args=(i,), name=f"staff-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started[0]


# Requests asked for within this time of each other count as simultaneous: which of them reaches
# the lock first is decided by thread start-up, not by the lock.
OVERTAKE_TOLERANCE_S = 0.02


def overtaken(requests: list[Request]) -> list[int]:
    """For each request, how many requests asked for clearly later got their first token earlier."""
    served = [(r.submitted, r.first_token or r.finished) for r in requests]
    return [
        sum(
            1
            for other_submitted, other_served in served
            if other_submitted > submitted + OVERTAKE_TOLERANCE_S and other_served < first
        )
        for submitted, first in served
    ]
