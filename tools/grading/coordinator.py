"""El coordinador de la corrección: reparte los trabajos en el pool (local o de
Dask) a medida que se libera un kernel, recoge cada resultado, lo guarda, lo
fusiona en la gradebook y pone ``autograded/`` en su lugar. Qué hacen la
corrida entera y sus opciones: :mod:`tools.grading`."""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tools.grading import gradebook_merge, jobs
from tools.grading.grades_table import collect, format_table, write_csv
from tools.grading.placement import absorb
from tools.grading.planning import Assignment, Planner, Task, ensure_gradebook, payload
from tools.grading.pools import DaskPool, LocalPool, cpu_count
from tools.grading.results_store import Store
from tools.grading.warmup import CacheWarmer


class Coordinator:
    def __init__(self, course: Path, args: argparse.Namespace) -> None:
        self.course = course
        self.args = args
        self.store = Store(course)
        # Restos de una corrida matada: nada de eso cuenta como terminado.
        for leftover in self.store.tmp.iterdir():
            shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink()
        self.jobs_tmp = Path(tempfile.gettempdir()) / (
            "rnn-grading-" + hashlib.sha256(str(course).encode()).hexdigest()[:12])
        shutil.rmtree(self.jobs_tmp, ignore_errors=True)
        self.fingerprint = jobs.environment_fingerprint()
        self.jobs = max(1, args.jobs or cpu_count())
        self.threads = args.threads_per_job or (
            1 if args.scheduler else max(1, cpu_count() // self.jobs))
        self.options = {"fast": not args.full, "sandbox": args.sandbox,
                        "memory_gib": args.memory_gib if args.sandbox else None}
        self.planner = Planner(course, args, self.store, self.fingerprint, self.options)
        self.warmer = CacheWarmer(course, args, self.store, self.options, self.jobs_tmp)

    # -- corrida
    def run(self) -> int:
        submitted = self.course / "submitted"
        names = sorted({p.name for p in submitted.glob("*/*") if p.is_dir()})
        if self.args.assignment:
            names = [n for n in names if n in self.args.assignment]
        fresh = set()
        if not (self.course / "gradebook.db").exists():
            for name in names:  # nbgrader crea la gradebook con su esquema
                ensure_gradebook(self.course, name)
                fresh.add(name)
        con = gradebook_merge.connect(self.course / "gradebook.db")
        try:
            return self._run(con, names, fresh)
        finally:
            con.close()
            shutil.rmtree(self.jobs_tmp, ignore_errors=True)

    def _run(self, con, names: list[str], fresh: set[str]) -> int:
        started = time.monotonic()
        assignments = self.planner.prepare(con, names, fresh)
        todo, reused = self.planner.plan(con, assignments)
        total = sum(len(a.tasks) for a in assignments)
        where = f"clúster {self.args.scheduler}" if self.args.scheduler else \
            f"{self.jobs} trabajo(s) en paralelo"
        print(f"{total} entrega(s): {reused} sin cambios, {len(todo)} por corregir "
              f"({where}, {self.threads} hilo(s) por kernel)", flush=True)
        failures = self._execute(con, todo) if todo else {}
        # Fallas guardadas (la entrega no cambió: sigue fallando igual).
        for a in assignments:
            for t in a.tasks:
                meta = self.store.load(t.key) if self.store.has(t.key) else {"status": "ok"}
                if meta["status"] != "ok":
                    failures.setdefault((t.student, a.name), meta.get("error", ""))
        notes = self._notes(con, assignments)
        con.close()
        rows = collect(self.course, notes)
        print()
        print(format_table(rows))
        out = self.args.csv or self.course / "grades.csv"
        write_csv(rows, out)
        print(f"\nTabla guardada en {out} ({time.monotonic() - started:.1f} s)")
        for (student, assignment), err in sorted(failures.items()):
            print(f"\n--- {student}/{assignment}: la corrección falló ---\n{err}")
        return 1 if failures else 0

    def _notes(self, con, assignments: list[Assignment]) -> dict[tuple[str, str, str], list[str]]:
        notes: dict[tuple[str, str, str], list[str]] = {}
        state = gradebook_merge.merged(con)
        for a in assignments:
            stems = [nb[:-len(".ipynb")] for nb in a.notebooks]
            for t in a.tasks:
                row = state.get((t.student, a.name))
                meta = self.store.load(row["key"]) if row and self.store.has(row["key"]) else {}
                # Lo que pasó con los nombres de los archivos va al notebook que
                # nombra (lo que no nombra ninguno, al primero).
                for note in t.notes:
                    stem = next((s for s in stems if s in note), stems[0] if stems else "")
                    notes.setdefault((t.student, a.name, stem), []).append(note)
                for stem, extra in meta.get("notes", {}).items():
                    notes.setdefault((t.student, a.name, stem), []).extend(extra)
        return notes

    def _common(self) -> dict:
        return {"versions": jobs.versions_fingerprint() if self.args.scheduler else None,
                "config": (self.course / "nbgrader_config.py").read_bytes(),
                "sandbox": self.args.sandbox,
                "memory_gib": self.args.memory_gib, "job_timeout": self.args.job_timeout,
                # Los cursos descartables, fuera del curso (el aislamiento lo deja
                # entero de solo lectura), en una carpeta propia de este curso
                # que se vacía al empezar (restos de un kill -9).
                "tmpdir": None if self.args.scheduler else str(self.jobs_tmp),
                "protect": [str(self.course)],
                "env": {"COURSE_FAST": "1" if self.options["fast"] else "",
                        **jobs.thread_env(self.threads),
                        **{k: os.environ[k] for k in ("COURSE_DATA_MIRROR", "TF_CPP_MIN_LOG_LEVEL",
                                                      "PYTHONHASHSEED", "MPLBACKEND")
                           if k in os.environ}}}

    def _execute(self, con, todo: list[tuple[Assignment, Task]]) -> dict[tuple[str, str], str]:
        from tqdm import tqdm

        common = self._common()
        pending: dict[str, int] = {}
        for a, _ in todo:
            pending[a.name] = pending.get(a.name, 0) + 1
        caches = {a.name: self.warmer.request(a, pending[a.name], common["env"])
                  for a in {a.name: a for a, _ in todo}.values()}
        failures: dict[tuple[str, str], str] = {}
        bar = tqdm(total=len(todo), unit="entrega", desc="Corrigiendo", smoothing=0,
                   disable=self.args.no_progress or None, file=sys.stderr, dynamic_ncols=True)
        # Si se cae un proceso del pool local (kill -9, memoria), el pool entero
        # queda roto: lo que no terminó se vuelve a mandar a un pool nuevo.
        for _attempt in range(3):
            todo = self._round(con, todo, common, caches, failures, bar)
            if not todo:
                break
        for a, t in todo:
            failures[(t.student, a.name)] = "el proceso que la corregía murió tres veces"
        bar.close()
        return failures

    def _round(self, con, todo, common, caches, failures, bar) -> list[tuple[Assignment, Task]]:
        """Una vuelta con un pool: devuelve lo que quedó sin terminar (pool roto).

        Los trabajos se mandan a medida que se libera un lugar (tantos en curso
        como kernels): así el precalentamiento de la caché ocupa un lugar y los
        demás corrigen desde el principio; los que salen después ya la reciben."""
        from collections import deque
        from concurrent.futures.process import BrokenProcessPool

        pool: DaskPool | LocalPool = DaskPool(self.args.scheduler) if self.args.scheduler \
            else LocalPool(self.jobs)
        queue, retry, broken = deque(todo), [], False
        in_flight: dict = {}   # futuro -> (asignación, tarea o None si es el precalentamiento)
        shared: dict[str, dict] = {}

        try:
            for a in {a.name: a for a, _ in todo}.values():
                if isinstance(caches[a.name], dict):
                    in_flight[pool.submit(caches[a.name], fn=jobs.run_warm)] = (a, None)
            while True:
                while queue and not broken and len(in_flight) < pool.capacity():
                    a, t = queue[0]
                    try:
                        fut = pool.submit({**payload(a, t, common),
                                           **self._shared(pool, shared, caches, a)})
                    except BrokenProcessPool:
                        # Un proceso murió y el pool ya lo sabe, aunque ninguno de
                        # los futuros en curso lo haya dicho todavía: esta entrega
                        # queda en la cola para el pool nuevo.
                        broken = True
                        break
                    in_flight[fut] = queue.popleft()
                if not in_flight:
                    break
                for fut in pool.wait_any(list(in_flight)):
                    a, t = in_flight.pop(fut)
                    if not self._collect(pool, fut, a, t, con, caches, failures, bar):
                        broken = True
                        if t is not None:
                            retry.append((a, t))
        finally:
            pool.close()
        return retry + list(queue)

    @staticmethod
    def _shared(pool, shared: dict[str, dict], caches: dict, a: Assignment) -> dict:
        """Lo grande de una tarea (gradebook plantilla, caché): viaja una vez a
        cada worker de Dask (bytes); los dict de archivos, pequeños, van con cada
        trabajo. La caché entra cuando está lista."""
        def put(data: bytes):
            return pool.scatter(data) if isinstance(pool, DaskPool) else data

        if a.name not in shared:
            shared[a.name] = {"gradebook": put(a.template), "source_files": a.source_files}
        if isinstance(caches[a.name], bytes) and "cache" not in shared[a.name]:
            shared[a.name]["cache"] = put(caches[a.name])
        return shared[a.name]

    def _collect(self, pool, fut, a: Assignment, t: Task | None, con, caches, failures,
                 bar) -> bool:
        """Incorpora un trabajo terminado (o el precalentamiento, si ``t`` es
        ``None``). Devuelve ``False`` si el pool local se rompió."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            result = pool.result(fut)
        except BrokenProcessPool:
            return False
        except Exception as exc:  # noqa: BLE001 - un worker de Dask caído, etc.
            if t is None:
                caches[a.name] = None
                print(f"(no se pudo precalentar la caché de {a.name}: {exc})")
                return True
            result = {"key": t.key, "status": "error", "seconds": 0.0,
                      "error": f"{type(exc).__name__}: {exc}"}
        if t is None:
            caches[a.name] = self.warmer.store_result(a, result)
            return True
        self._record(con, a, t, result, failures)
        bar.write(f"autograde {a.name} {t.student}: "
                  f"{'ok' if result['status'] == 'ok' else 'FALLÓ'} "
                  f"({result['seconds']:.0f} s)", file=sys.stdout)
        bar.update(1)
        bar.set_postfix(fallidas=len(failures), refresh=True)
        return True

    def _record(self, con, a: Assignment, t: Task, result: dict,
                failures: dict[tuple[str, str], str]) -> None:
        status = result["status"]
        if status in ("ok", "failed"):
            # Reproducible: se guarda (una entrega rota no se reintenta sin cambios).
            self.store.save(result)
            absorb(self.course, self.store, con, a.name, t.student, t.key, result)
        if status != "ok":
            failures[(t.student, a.name)] = result.get("error", "")
