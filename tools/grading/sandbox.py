"""Kernel aislado para corregir entregas (``make autograde SANDBOX=1``).

El código del estudiante corre con los permisos de quien corrige. Este módulo
lanza el kernel de cada entrega dentro de espacios de nombres de Linux
(``unshare`` de util-linux, en Debian desde siempre):

* **sin red**: un espacio de red nuevo, solo con su propio loopback apagado;
* **archivos del curso de solo lectura**, y ``solutions/`` y la gradebook
  (que guarda soluciones y pruebas ocultas) **tapadas** por carpetas vacías;
  solo la carpeta del propio notebook queda escribible;
* **memoria acotada** (``RLIMIT_AS``, por defecto 6 GiB: TensorFlow reserva
  ~1,5 GiB de memoria virtual al importarse).

El kernel habla con nbgrader por sockets Unix (``transport=ipc``), que
atraviesan el espacio de red nuevo. Uso (lo arma :func:`kernelspec`)::

    python tools/grading/sandbox.py --course DIR [--memory-gib 6] -- python -m ipykernel_launcher -f CONN

Sin ``unshare`` o sin permiso para crear espacios de nombres de usuario,
termina con un error que lo dice: no corre nada sin aislar.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_MEMORY_GIB = 6.0
HIDDEN = ("solutions", "gradebook.db", "submitted", "feedback", "release", "source")
# Además, en el curso maestro (``--protect``, cuando cada entrega se corrige en
# su propia copia): lo corregido de los demás y el estado de la corrección.
PRIVATE = ("autograded", ".grading", "grades.csv", "moodle_participants.csv")


class SandboxUnavailable(RuntimeError):
    """Esta máquina no permite crear el aislamiento."""


def available() -> str | None:
    """``None`` si se puede aislar acá; si no, el motivo (en castellano)."""
    if sys.platform != "linux":
        return "el aislamiento usa espacios de nombres de Linux"
    if not shutil.which("unshare") or not shutil.which("mount"):
        return "faltan `unshare`/`mount` (paquete util-linux de Debian)"
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", "--mount", "--fork", "true"],
        capture_output=True, text=True)
    if probe.returncode != 0:
        return f"no se pueden crear espacios de nombres: {probe.stderr.strip()}"
    return None


def _inside(course: Path, memory_gib: float, cmd: list[str],
            readonly: list[Path] | None = None, protect: list[Path] | None = None) -> None:
    """Ya dentro de los espacios de nombres nuevos: tapar, congelar, limitar, ejecutar."""
    import resource

    cwd = Path.cwd().resolve()
    course = course.resolve()

    def mount(*args: str) -> None:
        subprocess.run(["mount", *args], check=True)

    def cover(root: Path, names) -> None:
        for name in names:
            target = root / name
            if target.is_dir():
                mount("-t", "tmpfs", "-o", "size=4k,mode=000", "tmpfs", str(target))
            elif target.exists():
                mount("--bind", "/dev/null", str(target))

    mount("--make-rprivate", "/")
    # El curso maestro (la corrección corre en una copia): de solo lectura y tapado.
    for master in protect or []:
        master = Path(master).resolve()
        if master.is_dir() and master not in (cwd, *cwd.parents):
            mount("--bind", str(master), str(master))
            mount("-o", "remount,bind,ro", str(master))
            cover(master, HIDDEN + PRIVATE)
    # Todo el curso de solo lectura, salvo la carpeta del propio notebook.
    mount("--bind", str(course), str(course))
    mount("-o", "remount,bind,ro", str(course))
    mount("--bind", str(cwd), str(cwd))
    mount("-o", "remount,bind,rw", str(cwd))
    # Datos y modelos compartidos (la copia del trabajo): de solo lectura.
    for extra in readonly or []:
        if Path(extra).exists():
            mount("--bind", str(extra), str(extra))
            mount("-o", "remount,bind,ro", str(extra))
    # Y lo que guarda soluciones o pruebas ocultas, tapado.
    cover(course, HIDDEN)
    limit = int(memory_gib * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execvp(cmd[0], cmd)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ejecuta un comando aislado (ver docstring).")
    parser.add_argument("--course", type=Path, required=True)
    parser.add_argument("--memory-gib", type=float, default=DEFAULT_MEMORY_GIB)
    parser.add_argument("--readonly", type=Path, action="append", default=[],
                        help="otra carpeta de solo lectura para el kernel (datos compartidos)")
    parser.add_argument("--protect", type=Path, action="append", default=[],
                        help="curso maestro: de solo lectura, con soluciones, gradebook y entregas tapadas")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("falta el comando")
    if args.inside:
        _inside(args.course, args.memory_gib, cmd, args.readonly, args.protect)
        return
    reason = available()
    if reason:
        raise SandboxUnavailable(f"No se puede aislar el kernel: {reason}")
    outer = ["unshare", "--user", "--map-root-user", "--net", "--mount", "--fork", "--",
             sys.executable, str(Path(__file__).resolve()), "--inside", "--course", str(args.course),
             "--memory-gib", str(args.memory_gib),
             *[f"--readonly={p}" for p in args.readonly],
             *[f"--protect={p}" for p in args.protect], "--", *cmd]
    os.execvp(outer[0], outer)


def kernelspec(dest: Path, course: Path, memory_gib: float = DEFAULT_MEMORY_GIB,
               readonly: list[str] | None = None, protect: list[str] | None = None) -> Path:
    """Escribe un kernelspec ``python3`` aislado en ``dest/kernels/python3``.

    Con ``JUPYTER_PATH=dest`` Jupyter lo encuentra antes que el kernel nativo.
    """
    spec_dir = dest / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, str(Path(__file__).resolve()), "--course", str(course.resolve()),
                 "--memory-gib", str(memory_gib),
                 *[f"--readonly={p}" for p in readonly or []],
                 *[f"--protect={p}" for p in protect or []], "--",
                 sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (aislado para corregir)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return dest


if __name__ == "__main__":
    main()
