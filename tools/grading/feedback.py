"""Devoluciones HTML para toda la clase (``make feedback``), en paralelo.

Por cada entrega ya corregida (``autograded/<estudiante>/<tarea>``), un trabajo
corre ``nbgrader generate_feedback`` sin modificar en un curso descartable con
la gradebook plantilla y las notas de ese estudiante (incluidas las que el
docente puso a mano en formgrader), en el pool local o en el clúster de Dask,
igual que la corrección. ``feedback/<estudiante>/<tarea>`` se reemplaza de una
vez. Incremental: si no cambiaron ni lo corregido ni las notas ni la
configuración, no se regenera (``--regrade`` fuerza todo).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from tools.grading import gradebook_merge, jobs


def _hash_folder(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def plan(course: Path, args, store) -> list[dict]:
    """Las devoluciones que hay que generar (lo corregido o las notas cambiaron)."""
    db = course / "gradebook.db"
    con = gradebook_merge.connect(db)
    state = gradebook_merge.merged(con)
    con.close()
    config = (course / "nbgrader_config.py").read_bytes()
    fingerprint = jobs.environment_fingerprint()
    marks = store.root / "feedback"
    templates: dict[str, bytes] = {}
    todo = []
    for student, assignment in sorted(state):
        folder = course / "autograded" / student / assignment
        if (args.student and student not in args.student) or \
                (args.assignment and assignment not in args.assignment) or not folder.is_dir():
            continue
        result = jobs.extract_submission(db, assignment, student)
        key = hashlib.sha256(json.dumps([_hash_folder(folder), result, fingerprint,
                                         hashlib.sha256(config).hexdigest()],
                                        sort_keys=True, default=str).encode()).hexdigest()
        mark = marks / f"{student}__{assignment}"
        target = course / "feedback" / student / assignment
        if not args.regrade and mark.exists() and mark.read_text() == key and target.is_dir():
            continue
        if assignment not in templates:
            templates[assignment] = jobs.template_gradebook(db)
        todo.append({"key": key, "assignment": assignment, "student": student,
                     "config": config, "gradebook": templates[assignment], "result": result,
                     "autograded": jobs.pack(folder), "tmpdir": str(store.tmp),
                     "env": {k: os.environ[k] for k in ("PYTHONHASHSEED",) if k in os.environ}})
    return todo


def _place(course: Path, store, p: dict, data: bytes) -> None:
    """``feedback/<estudiante>/<tarea>`` reemplazada de una vez."""
    store.replace_dir(course / "feedback" / p["student"] / p["assignment"], data)
    (store.root / "feedback" / f"{p['student']}__{p['assignment']}").write_text(p["key"])


def run(course: Path, args) -> int:
    from tqdm import tqdm

    from tools.grading.pools import DaskPool, LocalPool, cpu_count
    from tools.grading.results_store import Store

    store = Store(course)
    (store.root / "feedback").mkdir(exist_ok=True)
    if not (course / "gradebook.db").exists():
        print("No hay gradebook: corré primero make autograde")
        return 1
    todo = plan(course, args, store)
    print(f"{len(todo)} devolución(es) por generar", flush=True)
    if not todo:
        return 0
    pool: DaskPool | LocalPool = DaskPool(args.scheduler) if args.scheduler \
        else LocalPool(max(1, args.jobs or cpu_count()))
    failures = []
    try:
        futures = {}
        for p in todo:
            futures[pool.submit(p, fn=jobs.run_feedback)] = p
        bar = tqdm(total=len(todo), unit="devolución", desc="Devoluciones", file=sys.stderr,
                   disable=args.no_progress or None)
        for fut in pool.as_completed(list(futures)):
            p = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - un worker caído, etc.
                res = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            if res["status"] == "ok":
                _place(course, store, p, res["feedback"])
            else:
                failures.append((p["student"], p["assignment"], res.get("error", "")))
            bar.update(1)
            bar.set_postfix(fallidas=len(failures), refresh=True)
        bar.close()
    finally:
        pool.close()
    for student, assignment, err in failures:
        print(f"\n--- {student}/{assignment}: la devolución falló ---\n{err}")
    print(f"Devoluciones en {course / 'feedback'}")
    return 1 if failures else 0
