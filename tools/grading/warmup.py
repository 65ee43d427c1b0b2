"""La caché de datos y modelos que reciben los trabajos de una tarea.

Con varias entregas por corregir conviene correr una vez las soluciones de la
tarea (en el pool, a la par de las primeras entregas): corpus y modelos
entrenados quedan listos y los trabajos siguientes reciben una copia.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
from pathlib import Path

from tools.grading import jobs
from tools.grading.planning import Assignment
from tools.grading.results_store import Store

# Desde cuántas entregas por corregir de una tarea conviene correr una vez sus
# soluciones (cuesta más o menos una entrega; corre en el pool, a la par de las
# primeras) para que los trabajos reciban la caché de datos y modelos llena: en
# clase_rnn, la lección 04 y sus comparaciones cargan los modelos en lugar de
# entrenarlos (65 s → 58 s por entrega, benchmarks/bench_grading.py).
WARM_MIN = 3


class CacheWarmer:
    def __init__(self, course: Path, args: argparse.Namespace, store: Store,
                 options: dict, jobs_tmp: Path) -> None:
        self.course = course
        self.args = args
        self.store = store
        self.options = options
        self.jobs_tmp = jobs_tmp

    def _cache_dir(self, a: Assignment) -> Path:
        return self.store.root / "cache" / hashlib.sha256(
            f"{a.source_key}{self.options['fast']}".encode()).hexdigest()[:16]

    def request(self, a: Assignment, pending: int, env: dict[str, str]) -> bytes | None | dict:
        """La caché de datos y modelos que recibe cada trabajo de la tarea.

        Con al menos ``WARM_MIN`` entregas por corregir (o ``--warm-cache``)
        conviene correr una vez las soluciones de la tarea: corpus y modelos
        entrenados (lección 04, que reusan 05 y 06) quedan listos. Devuelve los
        bytes si ya está en ``.grading/cache/``, ``None`` si no conviene, o el
        pedido (payload de :func:`tools.grading.jobs.run_warm`) para correrlo en el
        pool, a la par de las primeras entregas, con ``env``: las variables de
        los trabajos (modo, hilos, espejo de los corpus)."""
        if self.args.no_warm or not (self.args.warm_cache or pending >= WARM_MIN):
            return None
        cache = self._cache_dir(a)
        if (cache / ".warm").exists():
            return jobs.pack(cache)
        src = self.course / "solutions" / a.name
        notebooks = {nb: (src / nb).read_bytes() for nb in a.notebooks if (src / nb).exists()}
        return {"key": a.source_key, "notebooks": notebooks,
                "tmpdir": None if self.args.scheduler else str(self.jobs_tmp),
                "env": env}

    def store_result(self, a: Assignment, result: dict) -> bytes:
        """Guarda la caché que devolvió :func:`tools.grading.jobs.run_warm` (atómico:
        una carpeta a medio escribir no cuenta) y devuelve sus bytes."""
        for err in result.get("errors", []):
            print(f"(al precalentar la caché de {a.name}: {err})")
        cache = self._cache_dir(a)
        tmp = Path(tempfile.mkdtemp(dir=self.store.tmp))
        jobs.unpack(result["cache"], tmp)
        (tmp / ".warm").write_text(a.source_key)
        shutil.rmtree(cache, ignore_errors=True)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(cache)
        return result["cache"]  # ya empaquetada: no se vuelve a comprimir

