"""The sync controller's worker thread: jobs in turn, none after it was stopped."""

from __future__ import annotations

import threading

from app.ui.sync.controller import _Worker


def test_jobs_run_in_turn_on_one_thread_and_none_after_stop():
    delivered: list[tuple[object, object, object]] = []
    done = threading.Event()

    def deliver(item):
        delivered.append(item)
        if len(delivered) == 2:
            done.set()

    worker = _Worker(deliver)
    threads: list[str] = []

    def job(n):
        def run():
            threads.append(threading.current_thread().name)
            return n

        return run

    worker.submit(job(1), "first")
    worker.submit(job(2), "second")
    assert done.wait(5)
    assert [(callback, result) for callback, result, _error in delivered] == [
        ("first", 1),
        ("second", 2),
    ]
    assert threads == ["sync", "sync"]
    worker.stop()
    worker.submit(job(3), "after stop")
    worker._thread.join(5)
    assert not worker._thread.is_alive()
    assert len(delivered) == 2


def test_a_worker_stopped_before_its_first_job_never_starts_a_thread():
    worker = _Worker(lambda item: None)
    worker.stop()
    worker.submit(lambda: None, "dropped")
    assert worker._thread is None
