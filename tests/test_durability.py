"""Nothing written is lost: concurrent writers, other processes, a killed process, old schemas.

Runs on SQLite and, when `HUAYU_TEST_POSTGRES_URL` is set, on PostgreSQL too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from core.drafting.complaint_reply import ComplaintRequest, build_prompt
from core.drafting.generation import GenerationRun
from core.history.feedback import save_rating
from core.models.backends import GenerationParams
from db.models import Generation, Rating
from db.repository import recent_generations
from db.session import get_engine, upgrade

pytestmark = pytest.mark.storage

ROOT = Path(__file__).resolve().parent.parent


def prompt(text: str = "The roses wilted in a day."):
    return build_prompt(ComplaintRequest(complaint=text), "Shop")


def counts(sessions) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count(Generation.id))),
            session.scalar(select(func.count(Rating.id))),
        )


def test_eight_threads_draft_and_rate_at_once_and_nothing_is_lost(sessions, fake_model):
    threads, rounds = 8, 15
    fake_model.enqueue([f"Sorry, reply {n}." for n in range(threads * rounds)])
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def staff_member(number: int) -> None:
        try:
            start.wait()
            for round_ in range(rounds):
                run = GenerationRun(
                    prompt=prompt(f"complaint {number}-{round_}"),
                    model=fake_model,
                    params=GenerationParams(),
                    sessions=sessions,
                    created_by=f"staff{number}",
                )
                outcome = run.run()
                assert outcome.generation_id is not None
                save_rating(sessions, outcome.generation_id, thumbs=1, comment=f"{number}-{round_}")
                with sessions() as session:  # someone browsing the history meanwhile
                    recent_generations(session, limit=5)
        except BaseException as error:  # noqa: BLE001 - reported below, with the thread's number
            errors.append(error)

    workers = [threading.Thread(target=staff_member, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors  # in particular no "database is locked"
    assert counts(sessions) == (threads * rounds, threads * rounds)
    with sessions() as session:
        comments = set(session.scalars(select(Rating.comment)))
        statuses = set(session.scalars(select(Generation.status)))
        by_user = dict(
            session.execute(select(Generation.created_by, func.count()).group_by(Generation.created_by)).all()
        )
    assert comments == {f"{n}-{r}" for n in range(threads) for r in range(rounds)}
    assert statuses == {"ok"}
    assert by_user == {f"staff{n}": rounds for n in range(threads)}


# One "app process": loads the real embedded model once, drafts replies through GenerationRun
# (the code path of the app and the CLI), rates each, and logs bare records in between so the
# two processes' writes really collide.
APP_PROCESS = textwrap.dedent(
    """
    import sys, time
    from core.models.backends import GenerationParams
    from core.models.backends.gguf import GgufConfig
    from core.drafting.complaint_reply import ComplaintRequest, build_prompt
    from core.history.feedback import save_rating
    from core.drafting.generation import GenerationRun
    from core.models.model_slot import ModelSlot
    from core.runtime import sessions as open_sessions
    from db.repository import GenerationRecord, log_generation

    name, drafts, records, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    sessions = open_sessions()
    model = ModelSlot().get("gguf", GgufConfig(n_threads=1))
    params = GenerationParams(max_new_tokens=6, temperature=0, seed=1)
    while not __import__("os").path.exists(go):
        time.sleep(0.01)
    for n in range(drafts):
        request = ComplaintRequest(complaint=f"{name}: roses {n} arrived wilted")
        run = GenerationRun(build_prompt(request, "Shop"), model, params, sessions, created_by=name)
        outcome = run.run()
        save_rating(sessions, outcome.generation_id, stars=4, comment=f"{name}-draft-{n}")
        for m in range(records // drafts):
            with sessions.begin() as session:
                record = GenerationRecord(
                    task="complaint", template_id="t", template_version="v", inputs={},
                    messages=[], output=f"{name}-record-{n}-{m}", backend="test", model_id="m",
                    created_by=name,
                )
                generation_id = log_generation(session, record).id
            save_rating(sessions, generation_id, thumbs=1, comment=f"{name}-record-{n}-{m}")
    print("done", flush=True)
    """
)


def test_two_app_processes_write_to_the_same_database_at_once(sessions, isolated_database, tmp_path):
    drafts, records = 3, 30
    go = tmp_path / "go"
    environment = {**os.environ, "HUAYU_DATABASE_URL": isolated_database}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", APP_PROCESS, name, str(drafts), str(records), str(go)],
            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for name in ("shop-a", "shop-b")
    ]
    time.sleep(3)  # let both load the model, then start them together
    go.touch()
    results = [process.communicate(timeout=300) for process in processes]
    for process, (out, err) in zip(processes, results):
        assert process.returncode == 0, err
        assert "database is locked" not in err
    per_process = drafts + records
    assert counts(sessions) == (2 * per_process, 2 * per_process)
    with sessions() as session:
        rows = session.execute(select(Generation.created_by, Generation.backend, Generation.status)).all()
        comments = set(session.scalars(select(Rating.comment)))
    for name in ("shop-a", "shop-b"):
        assert sum(1 for row in rows if row.created_by == name and row.backend == "gguf") == drafts
        assert {f"{name}-draft-{n}" for n in range(drafts)} <= comments
    assert {row.status for row in rows} == {"ok"}


# Logs generations and ratings as fast as it can and prints each generation's id only after
# its transaction has committed.
WRITER = textwrap.dedent(
    """
    from core.history.feedback import save_rating
    from core.runtime import sessions as open_sessions
    from db.repository import GenerationRecord, log_generation

    sessions = open_sessions()
    n = 0
    while True:
        with sessions.begin() as session:
            record = GenerationRecord(
                task="complaint", template_id="t", template_version="v",
                inputs={"complaint": f"wilted {n}"}, messages=[], output="花谢了 " * 50,
                backend="test", model_id="m",
            )
            generation_id = log_generation(session, record).id
        save_rating(sessions, generation_id, thumbs=1)
        print(generation_id, flush=True)
        n += 1
    """
)


def test_a_process_killed_mid_write_leaves_every_committed_row(sessions, isolated_database):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        cwd=ROOT,
        env={**os.environ, "HUAYU_DATABASE_URL": isolated_database},
        stdout=subprocess.PIPE,
        text=True,
    )
    committed: list[int] = []
    assert writer.stdout is not None
    while len(committed) < 60:
        line = writer.stdout.readline()
        assert line, "the writer stopped early"
        committed.append(int(line))
    os.kill(writer.pid, signal.SIGKILL)  # in the middle of its next writes
    writer.wait()
    committed += [int(line) for line in writer.stdout.read().split()]  # printed before the kill

    get_engine(isolated_database).dispose()  # open the database afresh, as a restart would
    with get_engine(isolated_database).connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    with sessions() as session:
        stored = set(session.scalars(select(Generation.id)))
        rated = set(session.scalars(select(Rating.generation_id)))
    assert set(committed) <= stored
    assert set(committed) <= rated  # the id is printed after its rating committed too
    assert writer.returncode == -signal.SIGKILL


def test_upgrading_from_the_first_revision_keeps_existing_rows(isolated_database):
    upgrade(isolated_database, "0001")
    engine = get_engine(isolated_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO generations (id, created_at, task, template_id, template_version, "
                "inputs, messages, output, backend, model_id, params, status) VALUES (1, "
                ":now, 'complaint', 'complaint_reply.en', 'v1', :inputs, '[]', 'Sorry 🌹 花', "
                "'gguf', 'smol', '{}', 'ok')"
            ),
            {"now": "2026-02-14 10:00:00", "inputs": '{"complaint": "玫瑰枯了"}'},
        )
        connection.execute(
            text(
                "INSERT INTO ratings (id, generation_id, created_at, thumbs, stars, reasons, "
                "comment, edited_reply) VALUES (1, 1, '2026-02-14 10:05:00', 1, 5, '[\"great\"]', "
                "'good', 'Sorry!')"
            )
        )
    upgrade(isolated_database)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == head_revision()
    from core.runtime import sessions as open_sessions

    with open_sessions(isolated_database)() as session:
        generation = session.get(Generation, 1)
        assert generation is not None
        assert generation.output == "Sorry 🌹 花"
        assert generation.inputs == {"complaint": "玫瑰枯了"}
        assert (generation.parent_id, generation.variant_group, generation.created_by) == (None, None, None)
        rating = generation.ratings[0]
        assert (rating.stars, rating.reasons, rating.edited_reply) == (5, ["great"], "Sorry!")
        assert rating.created_by is None


def test_instances_starting_together_upgrade_a_fresh_database_once(isolated_database):
    environment = {**os.environ, "HUAYU_DATABASE_URL": isolated_database}
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "core", "db", "upgrade"], cwd=ROOT, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(4)
    ]
    for start in starts:
        out, err = start.communicate(timeout=120)
        assert start.returncode == 0, err
        assert "newest schema" in out
    with get_engine(isolated_database).connect() as connection:
        versions = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert versions == [head_revision()]


def head_revision() -> str:
    """The newest migration's id, as Alembic's script directory knows it."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from db.session import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()
