"""El bucle del coordinador que manda trabajos al pool (``Coordinator._round``),
con un pool de mentira: carreras que con procesos de verdad son raras (un
proceso que muere justo cuando otro termina) acá pasan siempre."""

from __future__ import annotations

import argparse
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from tqdm import tqdm

from tools import grading
from tools.grading import coordinator as coordinator_module


class BreaksAfterOneJob:
    """Capacidad 2. El primer trabajo termina bien; el segundo queda en curso;
    al mandar el tercero, el pool ya sabe que un proceso murió (``submit``
    lanza ``BrokenProcessPool``) y recién entonces el segundo lo dice."""

    def __init__(self, n: int) -> None:
        self.futures: list[Future] = []

    def capacity(self) -> int:
        return 2

    def submit(self, payload: dict, fn=None) -> Future:
        if len(self.futures) == 2:
            self.futures[1].set_exception(BrokenProcessPool("un proceso del pool murió"))
            raise BrokenProcessPool("un proceso del pool murió")
        fut: Future = Future()
        if not self.futures:
            fut.set_result({"key": payload["key"], "status": "ok", "seconds": 1.0})
        self.futures.append(fut)
        return fut

    @staticmethod
    def wait_any(futures) -> set:
        return {f for f in futures if f.done()}

    @staticmethod
    def result(fut: Future) -> dict:
        return fut.result()

    def close(self) -> None:
        pass


def test_a_pool_broken_between_two_submits_requeues_what_did_not_finish(monkeypatch) -> None:
    monkeypatch.setattr(coordinator_module, "LocalPool", BreaksAfterOneJob)
    coordinator = object.__new__(grading.Coordinator)
    coordinator.args = argparse.Namespace(scheduler=None)
    coordinator.jobs = 2
    recorded = []
    monkeypatch.setattr(coordinator, "_record",
                        lambda con, a, t, result, failures: recorded.append(t.student), raising=False)
    a = grading.Assignment("tarea", "fuente", ["n.ipynb"], b"gradebook", {})
    tasks = [grading.Task(s, "tarea", {"n.ipynb": b"{}"}, [], f"clave-{s}") for s in "abcd"]
    todo = [(a, t) for t in tasks]
    left = coordinator._round(None, todo, {}, {"tarea": None}, {}, tqdm(disable=True))
    assert recorded == ["a"], "el trabajo terminado se incorpora una sola vez"
    assert [t.student for _, t in left] == ["b", "c", "d"], (
        "lo que estaba en curso y lo que no se llegó a mandar vuelve, en orden, para el pool nuevo")
