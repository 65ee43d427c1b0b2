"""Autocorrección con nbgrader (lo usa ``make autograde``) y sus pruebas.

Corrige cada entrega de ``submitted/<estudiante>/<tarea>/`` con
``nbgrader autograde``, **un estudiante por vez** (si una entrega rompe la
corrección, las demás se corrigen igual y lo ya calculado queda en la
gradebook), imprime una tabla de puntajes por estudiante y notebook con
observaciones (timeouts, kernel reiniciado, manipulación detectada, respuestas
escritas pendientes de corrección manual), y la guarda en ``grades.csv``.

Por defecto corrige en modo rápido (``COURSE_FAST=1``; ``--full`` no), y con
``--sandbox`` lanza cada kernel aislado (ver :mod:`tools.sandbox`).

La gradebook (``gradebook.db``) se arma desde ``solutions/`` sin tocar
``notebooks/``: ``generate_assignment`` escribe en una carpeta temporal.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Row:
    student: str
    assignment: str
    notebook: str
    score: float
    max_score: float
    notes: str = ""


def nbgrader(course: Path, *args: str, timeout: float | None = None,
             env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # nbgrader llama al ejecutable `alembic` del mismo entorno: va primero en el PATH.
    env = {**os.environ, **(env_extra or {})}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    # nbgrader_config.py importa tools.autograding (la maquinaria del docente,
    # que no se instala con los helpers): la raíz del repositorio, al path.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=timeout)


def ensure_gradebook(course: Path, assignment: str) -> None:
    """Registra la tarea, sus notebooks y celdas de evaluación en la gradebook."""
    with tempfile.TemporaryDirectory(prefix=".release-", dir=course) as tmp:
        proc = nbgrader(course, "generate_assignment", assignment, "--force",
                        f"--CourseDirectory.release_directory={tmp}", "--log-level=WARN")
    if proc.returncode != 0:
        raise RuntimeError(f"generate_assignment {assignment} falló:\n{proc.stderr}")


@dataclass(frozen=True)
class Sandbox:
    """Cómo lanzar kernels aislados (ver :mod:`tools.sandbox`)."""

    env: dict[str, str]
    args: tuple[str, ...]

    @classmethod
    def create(cls, course: Path, workdir: Path, memory_gib: float) -> "Sandbox":
        from tools.sandbox import SandboxUnavailable, available, kernelspec

        reason = available()
        if reason:
            raise SandboxUnavailable(f"No se puede corregir aislado en esta máquina: {reason}")
        kernelspec(workdir, course, memory_gib)
        # Sockets Unix con ruta absoluta: atraviesan el espacio de red del kernel.
        return cls({"JUPYTER_PATH": str(workdir)},
                   ("--KernelManager.transport=ipc", f"--KernelManager.ip={workdir}/kernel"))


def autograde(course: Path, assignment: str, student: str, *extra: str,
              sandbox: Sandbox | None = None, fast: bool = True
              ) -> subprocess.CompletedProcess[str]:
    """Corrige una entrega. Por defecto en modo rápido (``COURSE_FAST=1``): las
    celdas de evaluación prueban el código, no dependen del tamaño del corpus
    ni de las épocas, y así ninguna celda de entrenamiento se acerca al
    timeout (el desafío entrena ~10 min en modo completo)."""
    env = dict(sandbox.env) if sandbox else {}
    env["COURSE_FAST"] = "1" if fast else ""
    return nbgrader(course, "autograde", assignment, f"--student={student}", "--create",
                    "--force", *extra, *(sandbox.args if sandbox else ()), env_extra=env)


def review(course: Path, assignment: str, student: str) -> dict[str, list[str]]:
    """Revisa lo corregido de un estudiante; devuelve observaciones por notebook.

    * Código entregado que modifica módulos protegidos (numpy, helpers, sys…):
      las comprobaciones dejan de ser confiables, así que **todas** las celdas
      de evaluación de ese notebook quedan en 0 como nota manual (el docente
      la puede cambiar en formgrader después de mirar).
    * Celdas cortadas por el timeout o que obligaron a reiniciar el kernel.
    """
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    from tools.autograding import KERNEL_RESTARTED, find_tampering

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
                graded = nbformat.read(str(autograded), as_version=4)
                for cell in graded.cells:
                    names = {o.get("ename") for o in cell.get("outputs", [])
                             if o.get("output_type") == "error"}
                    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", cell.get("id"))
                    if KERNEL_RESTARTED in names:
                        mine.append(f"{gid}: no respondió a la interrupción, se reinició el kernel")
                    elif "CellTimeoutError" in names:
                        mine.append(f"{gid}: tiempo agotado")
    return {k: v for k, v in notes.items() if v}


def collect(course: Path, notes: dict[tuple[str, str, str], list[str]] | None = None
            ) -> list[Row]:
    from nbgrader.api import Gradebook, MissingEntry

    rows: list[Row] = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for student in gb.students:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    continue
                for nb in sorted(sub.notebooks, key=lambda n: n.name):
                    extra = (notes or {}).get((student.id, assignment.name, nb.name), [])
                    rows.append(Row(student.id, assignment.name, nb.name,
                                    float(nb.score), float(nb.max_score), " | ".join(extra)))
    return rows


def format_table(rows: list[Row]) -> str:
    head = ("estudiante", "tarea", "notebook", "puntaje", "máximo", "%", "observaciones")
    body = [(r.student, r.assignment, r.notebook, f"{r.score:g}", f"{r.max_score:g}",
             f"{100 * r.score / r.max_score:.0f}" if r.max_score else "-", r.notes)
            for r in rows]
    widths = [max(len(x) for x in col) for col in zip(head, *body)]
    lines = ["  ".join(x.ljust(w) for x, w in zip(line, widths)) for line in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "notebook", "score", "max_score", "notes"])
        for r in rows:
            writer.writerow([r.student, r.assignment, r.notebook, r.score, r.max_score, r.notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=ROOT)
    parser.add_argument("--csv", type=Path, default=None, help="por defecto <curso>/grades.csv")
    parser.add_argument("--sandbox", action="store_true",
                        help="kernels sin red, con el curso de solo lectura y memoria acotada")
    parser.add_argument("--memory-gib", type=float, default=6.0,
                        help="límite de memoria por kernel con --sandbox")
    parser.add_argument("--full", action="store_true",
                        help="corregir en modo completo (por defecto: modo rápido)")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    with tempfile.TemporaryDirectory(prefix="nbgrader-sandbox-") as tmp:
        sandbox = Sandbox.create(course, Path(tmp), args.memory_gib) if args.sandbox else None
        return _grade_all(course, args.csv, sandbox, fast=not args.full)


def _grade_all(course: Path, csv_path: Path | None, sandbox: Sandbox | None,
               fast: bool = True) -> int:
    submitted = course / "submitted"
    if not submitted.is_dir():
        print(f"No hay entregas: poné cada una en {submitted}/<estudiante>/<tarea>/*.ipynb")
        return 1
    failures = []
    notes: dict[tuple[str, str, str], list[str]] = {}
    for assignment in sorted({p.name for p in submitted.glob("*/*") if p.is_dir()}):
        ensure_gradebook(course, assignment)
        for sdir in sorted(submitted.glob(f"*/{assignment}")):
            student = sdir.parent.name
            proc = autograde(course, assignment, student, sandbox=sandbox, fast=fast)
            status = "ok" if proc.returncode == 0 else "FALLÓ"
            print(f"autograde {assignment} {student}: {status}", flush=True)
            if proc.returncode != 0:
                failures.append((student, assignment, proc.stderr[-2000:]))
            for nb_name, extra in review(course, assignment, student).items():
                notes[(student, assignment, nb_name)] = extra
    rows = collect(course, notes)
    print()
    print(format_table(rows))
    out = csv_path or course / "grades.csv"
    write_csv(rows, out)
    print(f"\nTabla guardada en {out}")
    for student, assignment, err in failures:
        print(f"\n--- {student}/{assignment}: la corrección falló ---\n{err}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
