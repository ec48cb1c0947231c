"""The GGUF engine's lock serves staff in the order they asked."""

import threading
import time

import pytest

from core.models.backends.gguf import FifoLock, GgufEngine


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_waiters_get_the_lock_in_arrival_order():
    lock = FifoLock()
    served: list[int] = []

    def staff(number: int) -> None:
        with lock:
            served.append(number)

    lock.acquire()
    threads = []
    for number in range(6):
        thread = threading.Thread(target=staff, args=(number,))
        thread.start()
        wait_until(
            lambda queued=number + 1: lock.waiting == queued
        )  # queued before the next one starts
        threads.append(thread)
    lock.release()
    for thread in threads:
        thread.join(timeout=10)
    assert served == [0, 1, 2, 3, 4, 5]
    assert not lock.locked()


def test_asking_again_right_after_releasing_does_not_jump_the_queue():
    # The case threading.Lock gets wrong: the releasing thread asks again at once and, being
    # already on the CPU, usually wins before the woken waiter runs.
    lock = FifoLock()
    served: list[str] = []

    def other() -> None:
        with lock:
            served.append("waited")

    lock.acquire()
    thread = threading.Thread(target=other)
    thread.start()
    wait_until(lambda: lock.waiting == 1)
    lock.release()
    with lock:
        served.append("asked again")
    thread.join(timeout=10)
    assert served == ["waited", "asked again"]


def test_a_waiter_interrupted_while_queued_leaves_the_queue(monkeypatch):
    lock = FifoLock()
    lock.acquire()

    def interrupted(timeout=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(lock._condition, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lock.acquire()
    monkeypatch.undo()
    assert lock.waiting == 0
    lock.release()
    assert not lock.locked()
    with lock:
        assert lock.locked()


def test_releasing_an_unlocked_lock_is_an_error():
    with pytest.raises(RuntimeError):
        FifoLock().release()


def test_the_engine_uses_it(embedded_model):
    assert isinstance(embedded_model, GgufEngine)
    assert isinstance(embedded_model.lock, FifoLock)
