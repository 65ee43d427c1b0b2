"""``python -m tools.grading``: la línea de comandos de la corrección."""

from __future__ import annotations

import argparse
from pathlib import Path

from tools import ROOT
from tools.grading.results_store import course_lock
from tools.grading.warmup import WARM_MIN

DESCRIPTION = "Corrige una clase con nbgrader (make autograde): en paralelo, incremental y reanudable."


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.grading", description=DESCRIPTION)
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
        from tools.grading.sandbox import SandboxUnavailable, available

        reason = available()
        if reason:
            raise SandboxUnavailable(f"No se puede corregir aislado en esta máquina: {reason}")
    with course_lock(course):
        if args.feedback:
            from tools.grading import feedback

            return feedback.run(course, args)
        from tools.grading.coordinator import Coordinator

        return Coordinator(course, args).run()
