"""Dónde corren los trabajos de corrección: un pool local de procesos (por
omisión) o un clúster de Dask ya levantado, con la misma interfaz."""

from __future__ import annotations

import os
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from tools.grading import jobs, processes


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - no Linux
        return os.cpu_count() or 1


class LocalPool:
    def __init__(self, n: int) -> None:
        import multiprocessing as mp

        self.n = n
        self.pool = ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn"),
                                        initializer=processes.pool_initializer)

    def submit(self, payload: dict, fn=jobs.run_job):
        return self.pool.submit(fn, payload)

    def capacity(self) -> int:
        """Cuántos trabajos corren a la vez."""
        return self.n

    @staticmethod
    def wait_any(futures) -> set:
        """Espera a que termine al menos uno; devuelve los terminados."""
        return wait(futures, return_when=FIRST_COMPLETED).done

    def as_completed(self, futures):
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from done

    @staticmethod
    def result(fut) -> dict:
        return fut.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskPool:
    """Los mismos trabajos en un clúster de Dask: un kernel por worker (recurso
    ``kernel=1``), entradas y salidas como bytes."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise SystemExit("--scheduler necesita Dask: pip install -e '.[grading]'") from None
        self.client = Client(address, timeout="30s")

    def scatter(self, data):
        return self.client.scatter(data, broadcast=True, hash=True)

    def submit(self, payload: dict, fn=jobs.run_job):
        # El scheduler deserializa la tarea: con `eval` (built-in) y el nombre
        # de la función no necesita tener el curso instalado; los workers, sí.
        # Un kernel por worker: solo los workers con el recurso `kernel` corrigen.
        call = f"__import__('importlib').import_module({fn.__module__!r}).{fn.__name__}(payload)"
        return self.client.submit(eval, call, {"payload": payload},
                                  key=f"{fn.__name__}-{payload['key'][:16]}-{uuid.uuid4().hex[:8]}",
                                  resources={"kernel": 1}, pure=False)

    def capacity(self) -> int:
        """Cuántos kernels corren a la vez: la suma del recurso ``kernel`` de
        los workers conectados (al menos 1: si todavía no llegó ninguno, los
        trabajos esperan en el scheduler)."""
        try:
            info = self.client.scheduler_info(n_workers=-1)  # todos, no los 5 primeros
        except TypeError:  # distributed viejo: ya los devolvía todos
            info = self.client.scheduler_info()
        workers = info.get("workers", {}).values()
        return max(1, int(sum(w.get("resources", {}).get("kernel", 0) for w in workers)))

    @staticmethod
    def wait_any(futures) -> set:
        from distributed import wait as dask_wait

        return set(dask_wait(futures, return_when="FIRST_COMPLETED").done)

    def as_completed(self, futures):
        from distributed import as_completed

        yield from as_completed(futures)

    @staticmethod
    def result(fut) -> dict:
        return fut.result()

    def close(self) -> None:
        self.client.close()
