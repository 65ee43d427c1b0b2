"""Un trabajo de corrección: un (estudiante, tarea) en un curso descartable.

Lo ejecuta un proceso del pool local o un worker de Dask; todo lo que entra y
sale viaja como bytes (:func:`run_job` recibe un ``dict`` y devuelve otro), así
que el worker no necesita ver el disco del coordinador. Dentro del trabajo:

1. arma en una carpeta temporal un curso mínimo: ``nbgrader_config.py``, una
   copia de la gradebook *plantilla* (tareas, notebooks y celdas; sin
   estudiantes), los archivos que no son notebooks de ``solutions/<tarea>/``
   (nbgrader los copia a ``autograded/``; las soluciones no viajan: en lugar de
   cada notebook, su esqueleto para el alineamiento, sin soluciones ni pruebas
   ocultas, ver :func:`tools.autograding.cells.alignment_skeleton`) y la entrega
   ya con los nombres de la tarea;
2. corre ``nbgrader autograde`` de siempre (sin modificar) con los hilos
   acotados a su parte de los núcleos;
3. revisa lo corregido (:func:`review`: manipulación → 0 manual, timeouts,
   kernel reiniciado, notas que los preprocesadores dejan en la metadata);
4. devuelve la gradebook del estudiante **por nombres** (tarea, notebook,
   celda; nunca ids) y ``autograded/<estudiante>/<tarea>`` empaquetado.

Correr un trabajo dos veces (un worker que muere) no cambia nada: no escribe
fuera de su carpeta temporal.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from tools import ROOT
from tools.grading.processes import nbgrader

THREAD_VARS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
               "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")

# Paquetes cuya versión cambia lo que da la corrección (entra en la clave).
VERSIONED = ("nbgrader", "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client",
             "tensorflow", "tensorflow-cpu", "keras", "numpy", "nltk", "rnn-nlp-curso")
# Código del repositorio que corre al corregir (también entra en la clave).
CODE = ("helpers", "tools/autograding", "tools/grading/jobs.py", "tools/grading/processes.py",
        "tools/grading/sandbox.py")


def thread_env(threads: int) -> dict[str, str]:
    """Variables que acotan los hilos de TensorFlow, OpenMP y BLAS del kernel."""
    n = str(max(1, int(threads)))
    return {var: n for var in THREAD_VARS}


def versions_fingerprint() -> str:
    """Hash de Python y de las versiones instaladas que cambian la corrección."""
    from importlib import metadata

    h = hashlib.sha256(f"python {sys.version_info[:3]}\n".encode())
    for name in VERSIONED:
        try:
            h.update(f"{name}=={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name} ausente\n".encode())
    return h.hexdigest()


def environment_fingerprint() -> str:
    """Versiones instaladas más el código del curso que corre al corregir
    (helpers, preprocesadores, este módulo): entra en la clave de cada trabajo."""
    h = hashlib.sha256(versions_fingerprint().encode())
    for rel in CODE:
        path = ROOT / rel
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


# --------------------------------------------------------------- bytes

def pack(folder: Path) -> bytes:
    """Una carpeta como ``tar.gz`` en memoria (rutas relativas, orden estable)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=3) as tar:
        for path in sorted(folder.rglob("*")):
            tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
    return buf.getvalue()


def unpack(data: bytes, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(dest, filter="data")


def write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


# --------------------------------------------------------------- gradebook

def template_gradebook(master: Path) -> bytes:
    """La gradebook sin estudiantes (tareas, notebooks, celdas): la que recibe
    cada trabajo. Ningún trabajo ve las notas de los demás."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "gradebook.db"
        src = sqlite3.connect(master)
        dst = sqlite3.connect(copy)
        with dst:
            src.backup(dst)
        src.close()
        tables = {r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        with dst:
            for table in ("comment", "grade", "submitted_notebook", "submitted_assignment",
                          "student"):
                dst.execute(f"DELETE FROM {table}")
            for table in tables:
                if table.startswith("rnn_grading"):
                    dst.execute(f"DROP TABLE {table}")
        dst.execute("VACUUM")
        dst.close()
        return copy.read_bytes()


def extract_submission(db: Path, assignment: str, student: str) -> dict:
    """Lo que nbgrader guardó de una entrega, por nombres (nunca ids)."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        srow = con.execute("SELECT * FROM student WHERE id=?", (student,)).fetchone()
        sub = con.execute(
            "SELECT sa.* FROM submitted_assignment sa JOIN assignment a ON sa.assignment_id=a.id "
            "WHERE a.name=? AND sa.student_id=?", (assignment, student)).fetchone()
        if sub is None:
            return {}
        out = {"student": {k: srow[k] for k in srow.keys() if k != "id"} if srow else {},
               "timestamp": sub["timestamp"], "extension": sub["extension"], "notebooks": {}}
        for nb in con.execute(
                "SELECT sn.id, n.name, sn.flagged, sn.late_submission_penalty "
                "FROM submitted_notebook sn JOIN notebook n ON sn.notebook_id=n.id "
                "WHERE sn.assignment_id=?", (sub["id"],)):
            grades = {r["name"]: {"auto_score": r["auto_score"], "manual_score": r["manual_score"],
                                  "extra_credit": r["extra_credit"],
                                  "needs_manual_grade": bool(r["needs_manual_grade"])}
                      for r in con.execute(
                          "SELECT bc.name, g.* FROM grade g JOIN base_cell bc ON g.cell_id=bc.id "
                          "WHERE g.notebook_id=?", (nb["id"],))}
            comments = {r["name"]: {"auto_comment": r["auto_comment"],
                                    "manual_comment": r["manual_comment"]}
                        for r in con.execute(
                            "SELECT bc.name, c.* FROM comment c JOIN base_cell bc ON c.cell_id=bc.id "
                            "WHERE c.notebook_id=?", (nb["id"],))}
            out["notebooks"][nb["name"]] = {
                "flagged": bool(nb["flagged"]), "late_submission_penalty": nb["late_submission_penalty"],
                "grades": grades, "comments": comments}
        return out
    finally:
        con.close()


def zero_missing_submission(course: Path, assignment: str, student: str) -> None:
    """Sin ningún notebook de la tarea nbgrader se niega a corregir; lo que hace
    con un notebook que falta (0 automático, nada pendiente) se hace a mano."""
    import warnings

    from nbgrader.api import Gradebook

    with warnings.catch_warnings(), Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore")  # avisos de SQLAlchemy dentro de nbgrader
        gb.update_or_create_student(student)
        sub = gb.update_or_create_submission(assignment, student)
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.auto_score = 0
                grade.needs_manual_grade = False
        gb.db.commit()


# --------------------------------------------------------------- revisión

def review(course: Path, assignment: str, student: str) -> dict[str, list[str]]:
    """Revisa lo corregido de un estudiante; devuelve observaciones por notebook.

    * Código entregado que modifica módulos protegidos (numpy, helpers, sys…):
      las comprobaciones dejan de ser confiables, así que **todas** las celdas
      de evaluación de ese notebook quedan en 0 como nota manual (el docente
      la puede cambiar en formgrader después de mirar).
    * Celdas cortadas por el timeout o que obligaron a reiniciar el kernel.
    * Las notas que los preprocesadores del curso dejan en la metadata del
      notebook corregido (``metadata["rnn_grading"]["notes"]``).
    """
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    from tools.autograding import find_tampering

    notes: dict[str, list[str]] = {}
    submitted = course / "submitted" / student / assignment
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for path in sorted(submitted.glob("*.ipynb")):
            try:
                source = gb.find_notebook(path.stem, assignment)
                sub = gb.find_submission_notebook(path.stem, assignment, student)
            except MissingEntry:
                continue
            trusted = {c.source for c in source.source_cells if c.locked}
            mine = notes.setdefault(path.stem, [])
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception as exc:  # noqa: BLE001 - una entrega rota no frena a las demás
                mine.append(f"no se pudo leer la entrega: {type(exc).__name__}")
                continue
            code = [c.source for c in nb.cells
                    if c.cell_type == "code" and c.source not in trusted]
            found = find_tampering(code)
            manual = [g.name for g in sub.grades if g.needs_manual_grade]
            if manual:
                mine.append("falta corregir a mano: " + ", ".join(sorted(manual)))
            if found:
                mine.append("manipulación (puntaje en 0, revisar): " + "; ".join(found))
                for grade in sub.grades:
                    grade.manual_score = 0.0
                gb.db.commit()
            autograded = course / "autograded" / student / assignment / path.name
            if autograded.exists():
                mine.extend(n for n in _graded_notes(autograded) if n not in mine)
    return {k: v for k, v in notes.items() if v}


def _graded_notes(path: Path) -> list[str]:
    """Observaciones del notebook ya corregido: las que dejan los preprocesadores
    del curso en su metadata, celdas cortadas por timeout y kernels reiniciados."""
    import nbformat

    from tools.autograding import KERNEL_RESTARTED

    graded = nbformat.read(str(path), as_version=4)
    out = [str(n) for n in graded.metadata.get("rnn_grading", {}).get("notes", [])]
    for cell in graded.cells:
        names = {o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"}
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", cell.get("id"))
        if KERNEL_RESTARTED in names:
            out.append(f"{gid}: no respondió a la interrupción, se reinició el kernel")
        elif "CellTimeoutError" in names:
            out.append(f"{gid}: tiempo agotado")
    return out


# --------------------------------------------------------------- el trabajo

def _sandbox(course: Path, workdir: Path, memory_gib: float, readonly: list[str],
             protect: list[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    from tools.grading.sandbox import SandboxUnavailable, available, kernelspec

    reason = available()
    if reason:
        raise SandboxUnavailable(f"No se puede corregir aislado en esta máquina: {reason}")
    kernelspec(workdir, course, memory_gib, readonly=readonly, protect=protect)
    # Sockets Unix con ruta absoluta: atraviesan el espacio de red del kernel.
    # Su ruta no puede pasar de 107 bytes: una carpeta corta aparte.
    ipc = tempfile.mkdtemp(prefix="rnn-ipc-")
    return ({"JUPYTER_PATH": str(workdir), "_RNN_IPC": ipc},
            ("--KernelManager.transport=ipc", f"--KernelManager.ip={ipc}/k"))


def run_job(payload: dict) -> dict:
    """Corrige un (estudiante, tarea). Entrada y salida: ``dict`` con bytes."""
    started = time.monotonic()
    assignment, student = payload["assignment"], payload["student"]
    # Un worker de otro entorno (clúster) no corrige: daría otra nota con la misma clave.
    expected_fp = payload.get("versions")
    if expected_fp and expected_fp != versions_fingerprint():
        return {"key": payload["key"], "status": "error", "seconds": 0.0, "peak_rss": 0,
                "error": "este worker tiene otras versiones de Python o de los paquetes que "
                         "el coordinador: su corrección no sería la misma"}
    base = payload.get("tmpdir") or None
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="job-", dir=base))
    try:
        course = work / "curso"
        course.mkdir()
        (course / "nbgrader_config.py").write_bytes(payload["config"])
        (course / "gradebook.db").write_bytes(payload["gradebook"])
        write_files(course / "solutions" / assignment, payload["source_files"])
        (course / "solutions" / assignment).mkdir(parents=True, exist_ok=True)
        write_files(course / "submitted" / student / assignment, payload["files"])
        (course / "submitted" / student / assignment).mkdir(parents=True, exist_ok=True)
        env = dict(payload.get("env", {}))
        # Datos y modelos compartidos: una copia por trabajo (lo que escriba el
        # código de un estudiante no lo lee ningún otro).
        cache = work / "cache"
        cache.mkdir()
        if payload.get("cache"):
            unpack(payload["cache"], cache)
        env["COURSE_DATA_DIR"] = str(cache)
        args: tuple[str, ...] = ()
        if payload.get("sandbox"):
            senv, args = _sandbox(course, work / "sandbox", payload.get("memory_gib", 6.0),
                                  readonly=[str(cache)],
                                  protect=[p for p in payload.get("protect", []) if Path(p).is_dir()])
            env.update(senv)
        peak: list[int] = []
        expected = payload["notebooks"]
        present = [n for n in expected if n in payload["files"]]
        if present:
            proc = nbgrader(course, "autograde", assignment, f"--student={student}", "--create",
                            "--force", *args, env_extra=env, peak=peak,
                            timeout=payload.get("job_timeout"))
            status = "ok" if proc.returncode == 0 else "failed"
            stderr = proc.stderr
        else:
            zero_missing_submission(course, assignment, student)
            status, stderr = "ok", ""
        notes: dict[str, list[str]] = {}
        try:
            notes = review(course, assignment, student)
        except Exception as exc:  # noqa: BLE001 - la revisión no tapa el resultado
            stderr += f"\nrevisión: {type(exc).__name__}: {exc}"
        graded = course / "autograded" / student / assignment
        return {
            "key": payload["key"], "assignment": assignment, "student": student,
            "status": status, "error": stderr[-3000:] if status != "ok" else "",
            "gradebook": extract_submission(course / "gradebook.db", assignment, student),
            "notes": notes,
            "autograded": pack(graded) if status == "ok" and graded.is_dir() else None,
            "seconds": time.monotonic() - started, "peak_rss": max(peak, default=0),
            "host": os.uname().nodename,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if "_RNN_IPC" in locals().get("env", {}):
            shutil.rmtree(env["_RNN_IPC"], ignore_errors=True)


def run_warm(payload: dict) -> dict:
    """Corre una vez las soluciones de una tarea (``payload["notebooks"]``:
    nombre → bytes) con una caché de datos vacía y la devuelve llena, como
    ``tar.gz``: corpus descargados y modelos entrenados (la lección 04, que
    reusan 05 y 06) que cada trabajo recibe copiados. Es solo una caché: un
    notebook que falla no la invalida (lo que falte, cada trabajo lo rehace)."""
    import nbformat
    from nbclient import NotebookClient

    started = time.monotonic()
    base = payload.get("tmpdir") or None
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="warm-", dir=base))
    env_backup = dict(os.environ)
    errors = []
    try:
        cache = work / "cache"
        cache.mkdir()
        os.environ.update({**payload.get("env", {}), "COURSE_DATA_DIR": str(cache)})
        for name, data in sorted(payload["notebooks"].items()):
            nb = nbformat.reads(data.decode("utf-8"), as_version=4)
            run_dir = work / "run" / Path(name).stem
            run_dir.mkdir(parents=True)
            try:
                NotebookClient(nb, timeout=1800, allow_errors=True,
                               resources={"metadata": {"path": str(run_dir)}}).execute()
            except Exception as exc:  # noqa: BLE001 - solo es una caché
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
        return {"key": payload["key"], "cache": pack(cache), "errors": errors,
                "seconds": time.monotonic() - started}
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
        shutil.rmtree(work, ignore_errors=True)


def run_feedback(payload: dict) -> dict:
    """Genera la devolución HTML de un (estudiante, tarea) en un curso descartable:
    gradebook plantilla + las notas del estudiante (por nombres) + su ``autograded/``."""
    from tools.grading import gradebook_merge

    started = time.monotonic()
    assignment, student = payload["assignment"], payload["student"]
    work = Path(tempfile.mkdtemp(prefix="feedback-", dir=payload.get("tmpdir") or None))
    try:
        course = work / "curso"
        course.mkdir()
        (course / "nbgrader_config.py").write_bytes(payload["config"])
        (course / "gradebook.db").write_bytes(payload["gradebook"])
        con = gradebook_merge.connect(course / "gradebook.db")
        gradebook_merge.merge(con, assignment, student, payload["key"], payload["result"])
        con.close()
        unpack(payload["autograded"], course / "autograded" / student / assignment)
        proc = nbgrader(course, "generate_feedback", assignment, f"--student={student}",
                        "--force", env_extra=payload.get("env", {}))
        out = course / "feedback" / student / assignment
        ok = proc.returncode == 0 and out.is_dir()
        return {"key": payload["key"], "status": "ok" if ok else "failed",
                "error": "" if ok else proc.stderr[-3000:],
                "feedback": pack(out) if ok else None, "seconds": time.monotonic() - started}
    finally:
        shutil.rmtree(work, ignore_errors=True)
