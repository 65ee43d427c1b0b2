"""Un entorno con las versiones de Colab (``constraints/colab.txt``), para probar
las lecciones como las corre un estudiante en Colab (lo usa ``make test``).

Pasos (``python -m tools.envs.colab_env``):

1. **Base** (en caché): un virtualenv en ``.cache/colab-runtime/`` con los
   paquetes fijados en ``constraints/colab.txt`` (TensorFlow, Keras, NumPy…, y el
   kernel de Jupyter de Colab). Se reconstruye desde cero solo cuando cambia
   alguna versión de ese archivo o la de Python; en un clon nuevo se crea.
2. **Lo que hace la primera celda en Colab**: construye el paquete del curso
   desde el repositorio y lo instala con pip **sin extras** (sin TensorFlow),
   encima de esa base.
3. Compara ``pip freeze`` antes y después: pip no debe haber cambiado ninguno de
   los paquetes fijados (``informe.json`` guarda la comparación).

Un candado (``flock``) permite que ``make test`` lo arranque en segundo plano
mientras corren las demás pruebas, y que nbval en ese kernel
(``tests/colab_kernel.py``) y ``tests/test_colab_runtime.py`` esperen a que
termine (o lo hagan, si se corre pytest sin make).

Python 3.12 (el de Colab) no está en CI: el entorno usa el Python con el que se
corre este módulo.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tools import ROOT

CONSTRAINTS = ROOT / "constraints" / "colab.txt"
HOME = ROOT / ".cache" / "colab-runtime"
VENV = HOME / "venv"
LOCK = ROOT / ".cache" / "colab-runtime.lock"
STAMP = HOME / "base.json"
REPORT = HOME / "informe.json"
LOG = HOME / "build.log"
KERNELS = HOME / "kernels"
KERNEL_NAME = "colab-runtime"
# Lo que pip necesita para construir el paquete (como en Colab: desde la fuente).
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "helpers")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(path: Path | None = None) -> dict[str, str]:
    """``{nombre canónico: versión}`` de las líneas ``nombre==versión``."""
    path = path or CONSTRAINTS
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)", line)
        if not m:
            raise ValueError(f"{path.name}: se esperaba 'nombre==versión', no {line!r}")
        pins[canonical(m.group(1))] = m.group(2)
    return pins


def base_key() -> str:
    """Lo que define la base: las versiones fijadas (no los comentarios) y el
    Python que la crea."""
    pins = "\n".join(f"{n}=={v}" for n, v in sorted(pinned().items()))
    return hashlib.sha256(f"{pins}\n{sys.version}".encode()).hexdigest()


def package_key() -> str:
    """Huella de las fuentes del paquete: si cambian, se reinstala."""
    h = hashlib.sha256()
    for name in PACKAGE_FILES:
        p = ROOT / name
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                h.update(f.relative_to(ROOT).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def pin_changes(before: dict[str, str], after: dict[str, str],
                pins: dict[str, str]) -> dict[str, dict[str, str | None]]:
    """Paquetes fijados que no estaban, o no quedaron, en la versión fijada."""
    return {name: {"antes": before.get(name), "después": after.get(name), "fijada": v}
            for name, v in pins.items() if before.get(name) != v or after.get(name) != v}


def python() -> Path:
    return VENV / "bin" / "python"


def _run(cmd: list[str], log, **kw) -> None:
    log.write(f"$ {' '.join(map(str, cmd))}\n")
    log.flush()
    proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, **kw)
    if proc.returncode != 0:
        raise RuntimeError(f"falló ({proc.returncode}): {' '.join(map(str, cmd))}; ver {LOG}")


def freeze() -> dict[str, str]:
    out = subprocess.run([str(python()), "-m", "pip", "freeze", "--all"],
                         capture_output=True, text=True, check=True).stdout
    versions: dict[str, str] = {}
    for line in out.splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            versions[canonical(name)] = version.strip()
        elif " @ " in line:
            name, url = line.split(" @ ", 1)
            versions[canonical(name)] = url.strip()
    return versions


@contextmanager
def locked() -> Iterator[None]:
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _base_ok() -> bool:
    try:
        return json.loads(STAMP.read_text())["key"] == base_key() and python().exists()
    except (OSError, ValueError, KeyError):
        return False


def build_base(log) -> float:
    """Crea el virtualenv con las versiones de Colab, desde cero."""
    t0 = time.perf_counter()
    if HOME.exists():
        shutil.rmtree(HOME)
    HOME.mkdir(parents=True)
    _run([sys.executable, "-m", "venv", str(VENV)], log)
    pip = [str(python()), "-m", "pip", "--disable-pip-version-check"]
    _run(pip + ["install", "--quiet", "-r", str(CONSTRAINTS), "-c", str(CONSTRAINTS)], log)
    # El kernel de Jupyter de ese entorno (como el de Colab).
    spec = KERNELS / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python()), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (runtime de Colab)", "language": "python",
    }, indent=1))
    seconds = time.perf_counter() - t0
    STAMP.write_text(json.dumps({"key": base_key(), "seconds": round(seconds, 1),
                                 "freeze": freeze()}, indent=1, sort_keys=True))
    return seconds


def install_course(log) -> dict:
    """Lo que hace la celda de Colab: ``pip install`` del paquete, sin extras.

    Se construye desde una copia de los archivos del paquete (como pip con una
    URL ``git+``, que clona en una carpeta temporal): nada se escribe en el
    repositorio.
    """
    pip = [str(python()), "-m", "pip", "--disable-pip-version-check"]
    before = freeze()
    if "rnn-nlp-curso" in before:
        _run(pip + ["uninstall", "--yes", "rnn-nlp-curso"], log)
        before = freeze()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="colab-pkg-") as tmp:
        src = Path(tmp) / "rnn-nlp-curso"
        src.mkdir()
        for name in PACKAGE_FILES:
            p = ROOT / name
            if p.is_dir():
                shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            elif p.exists():
                shutil.copy(p, src / name)
        _run(pip + ["install", "--quiet", str(src)], log)
    seconds = time.perf_counter() - t0
    after = freeze()
    changed = pin_changes(before, after, pinned())
    added = sorted(set(after) - set(before) - {"rnn-nlp-curso"})
    return {"package": package_key(), "seconds": round(seconds, 1), "changed": changed,
            "added": {n: after[n] for n in added},
            "installed": after.get("rnn-nlp-curso")}


def prepare(*, force_package: bool = False) -> dict:
    """Base en caché + paquete del curso instalado; devuelve el informe."""
    with locked():
        HOME.parent.mkdir(parents=True, exist_ok=True)
        base_seconds = None
        if not _base_ok():
            with open(HOME.parent / "colab-runtime-build.log", "w") as log:
                base_seconds = build_base(log)
            shutil.move(str(HOME.parent / "colab-runtime-build.log"), LOG)
        try:
            report = json.loads(REPORT.read_text())
        except (OSError, ValueError):
            report = {}
        if force_package or report.get("package") != package_key():
            with open(LOG, "a") as log:
                report = install_course(log)
            report["base_seconds"] = base_seconds
            report["base_key"] = base_key()
            REPORT.write_text(json.dumps(report, indent=1, ensure_ascii=False, sort_keys=True))
        return report


def kernel_env(data_dir: Path) -> dict[str, str]:
    """Entorno del kernel: como Colab (sin MPLBACKEND ni TF_CPP_MIN_LOG_LEVEL:
    nadie los fija allá), en modo rápido y con su propia caché de datos (en
    Colab cada notebook corre en su propia máquina)."""
    # Sin PYTEST_*: con PYTEST_CURRENT_TEST, ipykernel no captura lo que se
    # escribe en los descriptores 1 y 2 (C++), y eso no llegaría a las salidas.
    env = {k: v for k, v in os.environ.items()
           if k not in {"MPLBACKEND", "TF_CPP_MIN_LOG_LEVEL", "PYTHONPATH", "VIRTUAL_ENV",
                        "COURSE_DATA_DIR", "COURSE_MODEL_DIR", "JUPYTER_PATH"}
           and not k.startswith("PYTEST_")}
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["COURSE_FAST"] = "1"
    env["COURSE_DATA_DIR"] = str(data_dir)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force-package", action="store_true",
                        help="reinstalar el paquete del curso aunque no haya cambiado")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        report = prepare(force_package=args.force_package)
    except Exception as exc:  # lo informa la prueba que lo necesita
        print(f"colab_env: {exc}", file=sys.stderr)
        return 1
    print(f"colab_env: listo en {time.perf_counter() - t0:.0f} s "
          f"(base {'reconstruida' if report.get('base_seconds') else 'en caché'}; "
          f"paquetes fijados cambiados por pip: {len(report['changed'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
