"""Corrige una clase con nbgrader (``make autograde``): en paralelo, incremental y reanudable.

Cada entrega (``submitted/<estudiante>/<tarea>/``) es un *trabajo* que corre
``nbgrader autograde`` sin modificar en su propio curso descartable, con una
copia de la gradebook (ver :mod:`tools.jobs`). Los trabajos corren en un pool
local de procesos (``--jobs N``, por omisión tantos como núcleos) o en un
clúster de Dask ya levantado (``--scheduler tcp://HOST:PUERTO``). Un único
coordinador (este proceso):

* calcula la **clave** de cada trabajo: hash de los archivos entregados, del
  código fuente de la tarea, de la configuración de nbgrader y de las
  versiones instaladas (y del código del curso que corre al corregir);
* no vuelve a corregir lo que ya tiene resultado para esa clave en
  ``<curso>/.grading/results/`` (``--regrade`` fuerza todo, ``--student ID``
  corrige solo a esos estudiantes);
* guarda cada resultado de forma atómica apenas termina, lo fusiona en
  ``gradebook.db`` por nombres en una transacción (:mod:`tools.gradebook_merge`:
  lo que el docente puso a mano en formgrader sobrevive) y mueve
  ``autograded/<estudiante>/<tarea>`` a su lugar de una vez;
* muestra una barra de progreso (entregas, tiempo restante, fallas), corre
  primero las entregas que la vez anterior tardaron más, e imprime la tabla
  de puntajes con observaciones y la guarda en ``grades.csv``.

Un ``kill -9`` en cualquier momento pierde a lo sumo los trabajos en curso: la
próxima corrida fusiona lo que ya estaba guardado y corre solo lo que faltaba.

Por defecto corrige en modo rápido (``COURSE_FAST=1``; ``--full`` no), y con
``--sandbox`` lanza cada kernel aislado (ver :mod:`tools.sandbox`). Con varias
entregas por corregir, corre una vez las soluciones de la tarea (en el pool, a
la par de las primeras entregas) para llenar la caché de datos y modelos que
reciben (copiada) los trabajos siguientes.
``--feedback`` genera las devoluciones HTML (``feedback/``), también en paralelo.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools import ROOT, gradebook_merge, jobs
from tools.grades_table import Row, collect, format_table, write_csv  # noqa: F401 - API pública
from tools.jobs import nbgrader, review  # noqa: F401 - API pública (pruebas, docentes)
from tools.pools import DaskPool, LocalPool
from tools.results_store import STATE_DIR, Store, course_lock  # noqa: F401 - API pública
from tools.submissions import plan_names

# Desde cuántas entregas por corregir de una tarea conviene correr una vez sus
# soluciones (cuesta más o menos una entrega; corre en el pool, a la par de las
# primeras) para que los trabajos reciban la caché de datos y modelos llena: en
# clase_rnn, la lección 04 y sus comparaciones cargan los modelos en lugar de
# entrenarlos (65 s → 58 s por entrega, benchmarks/bench_grading.py).
WARM_MIN = 3


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - no Linux
        return os.cpu_count() or 1


def ensure_gradebook(course: Path, assignment: str) -> None:
    """Registra la tarea, sus notebooks y celdas de evaluación en la gradebook."""
    with tempfile.TemporaryDirectory(prefix=".release-", dir=course) as tmp:
        proc = nbgrader(course, "generate_assignment", assignment, "--force",
                        f"--CourseDirectory.release_directory={tmp}", "--log-level=WARN")
    if proc.returncode != 0:
        raise RuntimeError(f"generate_assignment {assignment} falló:\n{proc.stderr}")


def autograde(course: Path, assignment: str, student: str, *extra: str,
              fast: bool = True) -> subprocess.CompletedProcess[str]:
    """``nbgrader autograde`` de una entrega en el propio curso (sin trabajos ni
    gradebook separada; lo que hacía ``make autograde`` antes)."""
    return nbgrader(course, "autograde", assignment, f"--student={student}", "--create",
                    "--force", *extra, env_extra={"COURSE_FAST": "1" if fast else ""})


# --------------------------------------------------------------- trabajos

def _hash_tree(h, root: Path, *, skip_notebooks: bool = False) -> None:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if skip_notebooks and path.suffix == ".ipynb":
            continue
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def source_key(course: Path, assignment: str, fingerprint: str) -> str:
    h = hashlib.sha256(f"{assignment}\0{fingerprint}\0".encode())
    h.update((course / "nbgrader_config.py").read_bytes())
    _hash_tree(h, course / "solutions" / assignment)
    return h.hexdigest()


@dataclass
class Task:
    student: str
    assignment: str
    files: dict[str, bytes]
    notes: list[str]
    key: str
    previous_seconds: float | None = None


@dataclass
class Assignment:
    name: str
    source_key: str
    notebooks: list[str]
    template: bytes
    source_files: dict[str, bytes]
    tasks: list[Task] = field(default_factory=list)


def _submission(folder: Path, expected: list[str]) -> tuple[dict[str, bytes], list[str]]:
    """Los archivos de una entrega, con los notebooks renombrados a los de la
    tarea (``Copia de X.ipynb`` → ``X.ipynb``), y las observaciones."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    top = [p.name for p in files if p.parent == folder]
    chosen, report = plan_names([n for n in top if n.lower().endswith(".ipynb")], expected)
    out = {chosen[p.name]: p.read_bytes() for p in files
           if p.parent == folder and p.name in chosen}
    # Otros archivos (datos, timestamp.txt) viajan igual; notebooks de más, no.
    for p in files:
        rel = p.relative_to(folder).as_posix()
        if p.suffix.lower() != ".ipynb":
            out[rel] = p.read_bytes()
    return out, report.notes()


def task_key(a: Assignment, student: str, files: dict[str, bytes], options: dict) -> str:
    h = hashlib.sha256(json.dumps({"assignment": a.name, "student": student, "source": a.source_key,
                                   "options": options}, sort_keys=True).encode())
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + hashlib.sha256(files[rel]).digest())
    return h.hexdigest()


def _payload(a: Assignment, t: Task, common: dict) -> dict:
    return {**common, "key": t.key, "assignment": a.name, "student": t.student,
            "files": t.files, "notebooks": a.notebooks, "source_files": a.source_files,
            "gradebook": a.template}


# --------------------------------------------------------------- colocar

def place(course: Path, store: Store, con, assignment: str, student: str, key: str,
          data: bytes | None) -> None:
    """Pone ``autograded/<estudiante>/<tarea>`` de una vez: se arma al lado (en
    ``.grading/tmp``, mismo sistema de archivos) y se renombra."""
    store.replace_dir(course / "autograded" / student / assignment, data)
    gradebook_merge.mark_placed(con, assignment, student, key)


def absorb(course: Path, store: Store, con, assignment: str, student: str, key: str,
           result: dict | None = None) -> None:
    """Fusiona y coloca un resultado guardado, si hace falta (idempotente)."""
    state = gradebook_merge.merged(con).get((student, assignment))
    if state is None or state["key"] != key:
        result = result or store.load(key)
        gradebook_merge.merge(con, assignment, student, key, result.get("gradebook") or {})
        state = None
    if state is None or state["placed"] != key:
        place(course, store, con, assignment, student, key, store.autograded(key))


# --------------------------------------------------------------- coordinador

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=ROOT)
    parser.add_argument("--csv", type=Path, default=None, help="por defecto <curso>/grades.csv")
    parser.add_argument("--jobs", "-j", type=int, default=None,
                        help="trabajos en paralelo en esta máquina (por omisión: núcleos)")
    parser.add_argument("--scheduler", default=None,
                        help="dirección de un clúster de Dask (tcp://HOST:PUERTO) en lugar del pool local")
    parser.add_argument("--threads-per-job", type=int, default=None,
                        help="hilos de TF/BLAS por kernel (local: núcleos / trabajos; Dask: 1)")
    parser.add_argument("--student", action="append", default=[],
                        help="corregir solo a este estudiante (se puede repetir)")
    parser.add_argument("--assignment", action="append", default=[],
                        help="corregir solo esta tarea (se puede repetir)")
    parser.add_argument("--regrade", action="store_true",
                        help="corregir todo de nuevo aunque no haya cambiado nada")
    parser.add_argument("--sandbox", action="store_true",
                        help="kernels sin red, con el curso de solo lectura y memoria acotada")
    parser.add_argument("--memory-gib", type=float, default=6.0,
                        help="límite de memoria por kernel con --sandbox")
    parser.add_argument("--full", action="store_true",
                        help="corregir en modo completo (por defecto: modo rápido)")
    parser.add_argument("--warm-cache", action="store_true",
                        help="llenar siempre la caché de datos y modelos con las soluciones "
                             f"(por omisión, si hay al menos {WARM_MIN} entregas por corregir)")
    parser.add_argument("--no-warm", action="store_true", help="no llenar esa caché")
    parser.add_argument("--job-timeout", type=float, default=None,
                        help="segundos máximos por entrega completa (además del timeout por celda)")
    parser.add_argument("--feedback", action="store_true",
                        help="generar las devoluciones HTML (feedback/) de lo ya corregido")
    parser.add_argument("--no-progress", action="store_true", help="sin barra de progreso")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    course = args.course.resolve()
    submitted = course / "submitted"
    if not submitted.is_dir():
        print(f"No hay entregas: poné cada una en {submitted}/<estudiante>/<tarea>/*.ipynb")
        return 1
    if args.sandbox:
        from tools.sandbox import SandboxUnavailable, available

        reason = available()
        if reason:
            raise SandboxUnavailable(f"No se puede corregir aislado en esta máquina: {reason}")
    with course_lock(course):
        if args.feedback:
            from tools import feedback

            return feedback.run(course, args)
        return Coordinator(course, args).run()


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

    # -- preparación
    def prepare(self, con, names: list[str], fresh: set[str]) -> list[Assignment]:
        submitted = self.course / "submitted"
        out = []
        for name in names:
            skey = source_key(self.course, name, self.fingerprint)
            row = con.execute("SELECT key FROM rnn_grading_source WHERE assignment=?",
                              (name,)).fetchone()
            if row is None or row["key"] != skey:
                if name not in fresh:
                    ensure_gradebook(self.course, name)
                with con:
                    con.execute("INSERT OR REPLACE INTO rnn_grading_source VALUES (?, ?)",
                                (name, skey))
            notebooks = [r["name"] + ".ipynb" for r in con.execute(
                "SELECT n.name FROM notebook n JOIN assignment a ON n.assignment_id=a.id "
                "WHERE a.name=? ORDER BY n.name", (name,))]
            src = self.course / "solutions" / name
            source_files = {p.relative_to(src).as_posix(): p.read_bytes()
                            for p in sorted(src.rglob("*")) if p.is_file()
                            and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts}
            a = Assignment(name, skey, notebooks, jobs.template_gradebook(self.course / "gradebook.db"),
                           source_files)
            for folder in sorted(submitted.glob(f"*/{name}")):
                student = folder.parent.name
                if self.args.student and student not in self.args.student:
                    continue
                files, notes = _submission(folder, notebooks)
                key = task_key(a, student, files, self.options)
                a.tasks.append(Task(student, name, files, notes, key))
            out.append(a)
        return out

    def _cache_dir(self, a: Assignment) -> Path:
        return self.store.root / "cache" / hashlib.sha256(
            f"{a.source_key}{self.options['fast']}".encode()).hexdigest()[:16]

    def warm_cache(self, a: Assignment, pending: int, env: dict[str, str]) -> bytes | None | dict:
        """La caché de datos y modelos que recibe cada trabajo de la tarea.

        Con al menos ``WARM_MIN`` entregas por corregir (o ``--warm-cache``)
        conviene correr una vez las soluciones de la tarea: corpus y modelos
        entrenados (lección 04, que reusan 05 y 06) quedan listos. Devuelve los
        bytes si ya está en ``.grading/cache/``, ``None`` si no conviene, o el
        pedido (payload de :func:`tools.jobs.run_warm`) para correrlo en el
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

    def _warmed(self, a: Assignment, result: dict) -> bytes:
        """Guarda la caché que devolvió :func:`tools.jobs.run_warm` (atómico:
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
        assignments = self.prepare(con, names, fresh)
        todo, reused = self._plan(con, assignments)
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

    def _plan(self, con, assignments: list[Assignment]) -> tuple[list[tuple[Assignment, Task]], int]:
        """Fusiona lo ya guardado; devuelve lo que hay que correr (lo lento
        primero, según la corrida anterior) y cuántas entregas no cambiaron."""
        todo: list[tuple[Assignment, Task]] = []
        reused = 0
        seconds: dict[tuple[str, str], float] = {}
        for (student, assignment), row in gradebook_merge.merged(con).items():
            with contextlib.suppress(OSError, ValueError):
                seconds[(student, assignment)] = float(self.store.load(row["key"]).get("seconds", 0))
        for a in assignments:
            for t in a.tasks:
                if self.store.has(t.key) and not self.args.regrade:
                    absorb(self.course, self.store, con, a.name, t.student, t.key)
                    reused += 1
                else:
                    t.previous_seconds = seconds.get((t.student, a.name))
                    todo.append((a, t))
        known = [t.previous_seconds for _, t in todo if t.previous_seconds]
        typical = sum(known) / len(known) if known else 0.0
        todo.sort(key=lambda at: -(at[1].previous_seconds or typical))
        return todo, reused

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
        caches = {a.name: self.warm_cache(a, pending[a.name], common["env"])
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
                        fut = pool.submit({**_payload(a, t, common),
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
            caches[a.name] = self._warmed(a, result)
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


if __name__ == "__main__":
    sys.exit(main())
