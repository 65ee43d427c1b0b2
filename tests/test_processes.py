"""``tools.grading.processes.nbgrader``: los dos caminos dan lo mismo.

En un proceso del pool local nbgrader corre en un hijo con ``fork`` (sin
importarlo de nuevo); en cualquier otro, como subproceso ``python -m nbgrader``.
Las pruebas corren cada caso en un proceso de un pool armado como el de
``make autograde`` (``spawn`` y :func:`processes.pool_initializer`) y, aparte,
llamando desde este proceso (el de pytest, con varios hilos: subproceso). Un
``nbgrader_config.py`` que escribe dónde y cómo corre hace de trabajo: carpeta,
entorno, código de salida, salida, tiempo máximo (que mata también a un nieto,
como el kernel) y pico de memoria.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psutil
import pytest

from tools.grading import processes

REPORT = '''
import json, os, sys
with open("informe.json", "w") as fh:
    json.dump({"cwd": os.getcwd(), "marca": os.environ.get("MARCA_PRUEBA"),
               "cmdline": open("/proc/self/cmdline", "rb").read().decode(errors="replace"),
               "pid": os.getpid()}, fh)
'''

HANG = '''
import subprocess, time
with open("nieto.pid", "w") as fh:
    fh.write(str(subprocess.Popen(["sleep", "600"]).pid))
time.sleep(600)
'''


def _course(base: Path, name: str, config: str) -> Path:
    course = base / name
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(config, encoding="utf-8")
    return course


def _call(course: str, args: list[str], timeout: float | None, marca: str) -> dict:
    """Una llamada, como la hace un trabajo (se pickea: corre en el pool)."""
    peak: list[int] = []
    started = time.monotonic()
    proc = processes.nbgrader(Path(course), *args, timeout=timeout,
                              env_extra={"MARCA_PRUEBA": marca}, peak=peak)
    return {"code": proc.returncode, "out": proc.stdout, "err": proc.stderr, "peak": peak,
            "seconds": time.monotonic() - started, "args": list(proc.args)}


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"),
                             initializer=processes.pool_initializer) as ex:
        yield ex


@pytest.fixture(params=["pool", "directo"])
def run(request, pool):
    def call(course: Path, *args: str, timeout: float | None = None, marca: str = "x") -> dict:
        if request.param == "pool":
            return pool.submit(_call, str(course), list(args), timeout, marca).result()
        return _call(str(course), list(args), timeout, marca)
    call.mode = request.param  # type: ignore[attr-defined]
    return call


def test_runs_in_the_course_with_its_environment_and_the_expected_process(run, tmp_path) -> None:
    """Dos cursos seguidos en el mismo proceso del pool: cada uno con su carpeta,
    su entorno y su configuración (nada pasa de una llamada a la otra)."""
    for name in ("uno", "dos"):
        course = _course(tmp_path, name, REPORT)
        result = run(course, "db", "student", "list", marca=f"marca-{name}")
        assert result["code"] == 0, result["err"]
        assert "There are 0 students in the database" in result["out"], result
        report = json.loads((course / "informe.json").read_text())
        assert Path(report["cwd"]) == course
        assert report["marca"] == f"marca-{name}"
        assert result["args"][-5:] == ["-m", "nbgrader", "db", "student", "list"]
        assert result["peak"] and result["peak"][0] > 0
        # En el pool, un hijo del proceso del pool (su línea de comando es la de
        # spawn); fuera de él, un intérprete nuevo con `-m nbgrader`.
        if run.mode == "pool":
            assert "spawn_main" in report["cmdline"] and "nbgrader" not in report["cmdline"]
        else:
            assert "-m\0nbgrader" in report["cmdline"]


def test_failures_give_the_exit_code_and_the_message(run, tmp_path) -> None:
    """El código de salida y stderr de nbgrader, como los da el intérprete."""
    course = _course(tmp_path, "roto", "raise RuntimeError('configuración rota a propósito')\n")
    result = run(course, "autograde", "tarea", "--student=ana")
    assert result["code"] == 1
    assert "configuración rota a propósito" in result["err"]
    assert "No notebooks were matched" in result["err"]
    flag = run(_course(tmp_path, "vacio", ""), "--opcion-que-no-existe")
    assert flag["code"] == 2, flag
    text = run(_course(tmp_path, "sale", "raise SystemExit('salida con texto')\n"),
               "db", "student", "list")
    assert text["code"] == 1 and "salida con texto" in text["err"], text


def test_the_timeout_kills_the_whole_tree(run, tmp_path) -> None:
    """Pasado el tiempo máximo se corta nbgrader y también lo que lanzó (el
    kernel, acá un ``sleep``)."""
    course = _course(tmp_path, "colgado", HANG)
    result = run(course, "db", "student", "list", timeout=3)
    assert result["code"] < 0, result
    assert result["err"].endswith("(nbgrader superó 3 s y se cortó)")
    assert result["seconds"] < 30
    grandchild = int((course / "nieto.pid").read_text())
    deadline = time.monotonic() + 10
    while not _gone(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(grandchild), "el nieto sigue vivo"


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
