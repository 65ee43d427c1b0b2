"""Tabla de las respuestas equivocadas: qué celdas pierden puntos y qué ve el estudiante.

Para cada respuesta equivocada de ``tests/wrong/`` (una función con un error
plausible), ejecuta en el proceso, con ``notebook_harness``, las celdas de
evaluación de su ejercicio y las de los ejercicios que lo usan, y escribe una
tabla Markdown: las celdas que pierden puntos **ahora** y, con ``--before REV``,
con los notebooks de ``solutions/`` de esa revisión (las mismas respuestas
equivocadas), y el primer mensaje que ve el estudiante en su prueba visible.

Uso (desde la raíz, con el entorno de ``make test``)::

    COURSE_FAST=1 .venv/bin/python tests/wrong_answers_report.py --before bfa8e34~1 > tabla.md
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import wrong  # noqa: E402
from notebook_harness import GradedNotebook  # noqa: E402


def _failing(nb: GradedNotebook, function: str, impl, gids: list[str]) -> list[str]:
    results = nb.run_cells(gids, function, impl)
    return [f"{gid} (−{nb.grade_cells[gid][1]:g})" for gid, exc in results.items()
            if exc is not None]


def _visible_message(nb: GradedNotebook, function: str, impl) -> str:
    for exc in nb.run(function, impl, student=True).values():
        if exc is not None:
            text = " ".join(str(exc).split())
            return (text[:140] + "…") if len(text) > 140 else text
    return "(ninguna prueba visible falla)"


def _old_root(rev: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix="solutions-"))
    names = subprocess.check_output(["git", "ls-tree", "-r", "--name-only", rev, "solutions"],
                                    text=True, cwd=HERE.parent).split()
    for name in names:
        target = root / Path(name).relative_to("solutions")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(subprocess.check_output(["git", "show", f"{rev}:{name}"],
                                                   cwd=HERE.parent))
    return root


def _cells(nb: GradedNotebook, function: str) -> list[str]:
    return list(nb.cells_for(function)) + nb.dependents(function)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="revisión de git con los notebooks de antes")
    args = parser.parse_args()
    old_root = _old_root(args.before) if args.before else None
    modules = [importlib.import_module(f"wrong.{m.name}") for m in pkgutil.iter_modules(wrong.__path__)]
    head = "| lección | respuesta equivocada | ejercicio | pierde ahora |"
    head += " pierde antes |" if old_root else ""
    print(head + " lo que ve en su prueba visible |")
    print("|" + "---|" * (head.count("|")))
    for module in modules:
        nb = GradedNotebook.load(module.NOTEBOOK)
        old = None
        if old_root and (old_root / module.NOTEBOOK).exists():
            old = GradedNotebook.load(module.NOTEBOOK, root=old_root)
        for function, impls in module.WRONG.items():
            for impl in impls:
                now = _failing(nb, function, impl, _cells(nb, function))
                row = [module.NOTEBOOK.split("/")[-1][:2], f"`{impl.__name__}`", f"`{function}`",
                       ", ".join(now) or "**nada**"]
                if old_root:
                    try:
                        before = _failing(old, function, impl, _cells(old, function)) if old else []
                        row.append(", ".join(before) or "—")
                    except AssertionError:  # el ejercicio no existía antes
                        row.append("(ejercicio nuevo)")
                row.append(_visible_message(nb, function, impl).replace("|", "\\|"))
                print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
