"""Una clase entera por ``python -m tools.grading`` (lo que corre ``make autograde``).

Clase sintética de 10 estudiantes sobre la lección 01 sola (~7 s por entrega):
solución completa, versión en blanco, dos con respuestas equivocadas de
``tests/wrong/l01_celda_elman.py`` puestas en las celdas de solución, una
excepción, un bucle infinito (timeout corto), sin notebook (solo un .txt),
un nombre no ASCII con el archivo renombrado por Colab, un JSON roto y uno
renombrado por el navegador con una copia repetida.

La clase se corrige en serie (``--jobs 1``, con la caché precalentada por la
solución). Partes de ella se corrigen de nuevo, sin precalentar: en un clúster
de Dask de verdad (scheduler y dos workers en 127.0.0.1), y con ``--jobs 2``
matando con ``kill -9`` un proceso del pool y después el coordinador a mitad de
camino y volviendo a correr (la corrida que termina es la de dos trabajos en
paralelo). Para esos estudiantes, las gradebooks (por nombres), ``grades.csv``
y las observaciones son idénticas a las de la corrida en serie y pasan
``PRAGMA integrity_check``. Sobre la clase corregida,
``python -m tools.stats`` (lo que corre ``make stats``) agrupa los errores
reales. Después: una segunda corrida no corrige nada, cambiar una entrega
corrige solo esa, y una nota manual (formgrader) sobrevive a ``--regrade``.
"""

from __future__ import annotations

import csv
import inspect
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.wrong import l01_celda_elman as wrong
from tools import ROOT, env_with_tools
from tools.grading import gradebook_merge, jobs

LESSON = ROOT / "solutions" / "clase_rnn" / "01_celda_elman.ipynb"
BLANK = ROOT / "notebooks" / "clase_rnn" / "01_celda_elman.ipynb"
NAME = LESSON.name
A = "clase_rnn"
TIMEOUT = 20  # por celda: el bucle infinito cuesta esto una vez

# Un solo proceso de xdist corre toda la clase (la fixture de módulo se arma una vez).
pytestmark = pytest.mark.xdist_group("grading_class")


def _wrong_source(function: str, index: int) -> str:
    """El módulo de respuestas equivocadas entero (sus auxiliares incluidos) y
    la función pedida apuntando a una de ellas."""
    module = inspect.getsource(wrong).replace("from __future__ import annotations\n", "")
    impl = wrong.WRONG[function][index]
    return f"{module}\n\n{function} = {impl.__name__}\n"


def _solution() -> nbformat.NotebookNode:
    return nbformat.read(str(LESSON), as_version=4)


def _cell(nb, cell_id):
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _with_wrong_answers(index: int) -> nbformat.NotebookNode:
    nb = _solution()
    for function in ("elman_step", "elman_forward", "bptt_gradients"):
        _cell(nb, function).source = _wrong_source(function, index)
    return nb


def build_class(course: Path) -> dict[str, str]:
    """Arma el curso y la clase; devuelve ``{estudiante: qué entregó}``."""
    (course / "solutions" / A).mkdir(parents=True)
    shutil.copy(LESSON, course / "solutions" / A / NAME)
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    (course / "nbgrader_config.py").write_text(config + f"\nc.Execute.timeout = {TIMEOUT}\n",
                                               encoding="utf-8")

    def submit(student: str, nb, name: str = NAME) -> None:
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(nb, str):
            (folder / name).write_text(nb, encoding="utf-8")
        else:
            nbformat.write(nb, str(folder / name))

    submit("completo", _solution())
    submit("en_blanco", nbformat.read(str(BLANK), as_version=4))
    submit("errores_a", _with_wrong_answers(0))
    submit("errores_b", _with_wrong_answers(2))
    nb = _solution()
    _cell(nb, "bptt_gradients").source = (
        "def bptt_gradients(X, y, h0, W_hx, W_hh, b_h, W_hy, b_y):\n"
        "    raise ValueError('todavía no lo hice')\n")
    submit("excepcion", nb)
    nb = _solution()
    # Un bucle que duerme: el timeout cuesta reloj y no CPU en cada corrida (los
    # que ocupan el procesador o se tragan la interrupción: test_autograde.py).
    _cell(nb, "bptt_gradients").source = "import time\n\nwhile True:\n    time.sleep(0.2)\n"
    submit("bucle", nb)
    submit("sin_notebook", "mis respuestas están en papel", name="notas.txt")
    submit("josé_ñúñez", _solution(), name=f"Copia de {NAME}")
    submit("corrupto", '{"cells": [', name=NAME)
    submit("renombrado", _solution(), name=f"Copy of {LESSON.stem} (2).ipynb")
    submit("renombrado", _with_wrong_answers(1), name=f"{LESSON.stem} (1).ipynb")
    return {p.parent.name: "" for p in (course / "submitted").glob(f"*/{A}")}


def _env() -> dict[str, str]:
    """El entorno de ``make autograde`` en las pruebas (y en el benchmark)."""
    return env_with_tools({**os.environ, "COURSE_FAST": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
                           "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"})


def grade(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tools.grading", "--course", str(course),
                           "--no-progress", *args],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=1200)


def snapshot(course: Path) -> tuple[dict, str]:
    db = course / "gradebook.db"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    return gradebook_merge.dump(db), (course / "grades.csv").read_text(encoding="utf-8")


def only(snap: tuple[dict, str], students: set[str]) -> tuple[dict, list[list[str]]]:
    """La parte de una foto de la corrida (gradebook y ``grades.csv``) que es de
    ``students``."""
    db, table = snap
    rows = list(csv.reader(io.StringIO(table)))
    return ({k: v for k, v in db.items() if k[1] in students},
            [rows[0], *(r for r in rows[1:] if r[0] in students)])


def part_of_class(serial: dict, course: Path, students: set[str]) -> None:
    """Una copia de la clase con solo las entregas de ``students``."""
    shutil.copytree(serial["template"], course)
    for folder in (course / "submitted").iterdir():
        if folder.name not in students:
            shutil.rmtree(folder)
    assert {p.name for p in (course / "submitted").iterdir()} == students


def _graded_line(out: str) -> list[str]:
    return sorted(re.findall(rf"^autograde {A} (\S+):", out, flags=re.M))


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("clase")
    template = base / "plantilla"
    students = build_class(template)
    course = base / "serie"
    shutil.copytree(template, course)
    fingerprint = jobs.environment_fingerprint()
    proc = grade(course, "--jobs", "1")
    # El JSON roto falla (y se informa); todo lo demás se corrige.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return {"template": template, "course": course, "proc": proc, "students": students,
            "snapshot": snapshot(course), "fingerprint": fingerprint}


def _rows(course: Path) -> dict[str, dict[str, str]]:
    with (course / "grades.csv").open(encoding="utf-8") as fh:
        return {r["student"]: r for r in csv.DictReader(fh)}


def test_the_class_is_graded_as_expected(serial) -> None:
    rows = _rows(serial["course"])
    out = serial["proc"].stdout
    assert set(rows) == set(serial["students"]) == {
        "completo", "en_blanco", "errores_a", "errores_b", "excepcion", "bucle", "sin_notebook",
        "josé_ñúñez", "corrupto", "renombrado"}
    full = float(rows["completo"]["max_score"])
    assert float(rows["completo"]["score"]) == full > 0
    # El archivo renombrado por Colab vale lo mismo que el original.
    assert float(rows["josé_ñúñez"]["score"]) == full
    assert "Copia de" in rows["josé_ñúñez"]["notes"]
    # Entre «(2)» y «(1)» se corrige la última descarga (la solución) y se avisa.
    assert float(rows["renombrado"]["score"]) == full
    assert "varias versiones" in rows["renombrado"]["notes"]
    for student in ("en_blanco", "sin_notebook", "corrupto"):
        assert float(rows[student]["score"]) == 0, rows[student]
    assert "falta 01_celda_elman.ipynb" in rows["sin_notebook"]["notes"]
    for student in ("errores_a", "errores_b", "excepcion", "bucle"):
        assert 0 <= float(rows[student]["score"]) < full, rows[student]
    assert float(rows["excepcion"]["score"]) > 0  # las dos primeras funciones están bien
    assert float(rows["bucle"]["score"]) > 0
    assert "bptt_gradients: tiempo agotado" in rows["bucle"]["notes"] or \
        "tiempo agotado" in rows["bucle"]["notes"]
    assert "autograde clase_rnn corrupto: FALLÓ" in out
    assert "corrupto/clase_rnn: la corrección falló" in out
    assert (serial["course"] / "autograded" / "josé_ñúñez" / A / NAME).exists()
    assert not (serial["course"] / "autograded" / "corrupto" / A).exists()


def test_statistics_of_the_class(serial, tmp_path) -> None:
    """``python -m tools.stats`` sobre la clase corregida (una copia: las
    pruebas siguientes cambian entregas): cada celda que falló, con el mensaje
    real de ``helpers.checks``, queda en un grupo; la versión en blanco es «no
    lo hizo» en todo y la solución está bien en todo."""
    from tools.stats import analyse, load
    from tools.stats import mistakes as m

    course = tmp_path / "estadisticas"
    shutil.copytree(serial["course"], course)
    proc = subprocess.run([sys.executable, "-m", "tools.stats", "--course", str(course)],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    a = analyse(load(course, A))
    students = a.data.students
    assert {"completo", "en_blanco", "errores_a", "excepcion", "bucle"} <= set(students), students
    assert all(secs and secs > 0 for secs in a.data.seconds.values())
    kinds = a.data.kinds()
    assert all(k == m.NOT_DONE for k in kinds[students.index("en_blanco")])
    assert all(k == m.OK for k in kinds[students.index("completo")])
    assert any(k == m.FAILED for k in kinds[students.index("errores_a")])
    assert any(k == m.ERROR for k in kinds[students.index("excepcion")])
    for s, j in a.data.errors:
        groups = a.mistakes[a.data.items[j].label]
        assert any(students[s] in g.students for g in groups)
    shown = [g.representative for gs in a.mistakes.values() for g in gs if g.kind == m.FAILED]
    assert shown and all(": " in r for r in shown)
    assert (course / "stats" / A / "index.html").exists()


@pytest.fixture
def dask_cluster(tmp_path):
    pytest.importorskip("distributed")
    dask = Path(sys.executable).parent / "dask"
    file = tmp_path / "scheduler.json"
    env = _env()
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(file)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        for _ in range(120):
            if file.exists() and file.stat().st_size:
                break
            time.sleep(0.5)
        import json

        address = json.loads(file.read_text())["address"]
        for i in range(2):
            procs.append(subprocess.Popen(
                [str(dask), "worker", address, "--nthreads", "1", "--resources", "kernel=1",
                 "--no-dashboard", "--name", f"w{i}", "--local-directory", str(tmp_path / f"w{i}")],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for p in reversed(procs):
            with __import__("contextlib").suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


# En el clúster: la solución con un nombre no ASCII y el archivo renombrado por
# Colab, una con errores, un notebook que falta y un JSON roto (el que falla).
# Los workers de Dask lanzan nbgrader como subproceso (el pool local, con fork):
# la misma gradebook que la corrida en serie prueba que los dos caminos coinciden.
ON_DASK = {"errores_a", "josé_ñúñez", "sin_notebook", "corrupto"}


def test_a_dask_cluster_gives_the_same_gradebook(serial, tmp_path, dask_cluster) -> None:
    course = tmp_path / "dask"
    part_of_class(serial, course, ON_DASK)
    proc = grade(course, "--scheduler", dask_cluster, "--no-warm")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"clúster {dask_cluster}" in proc.stdout
    assert only(snapshot(course), ON_DASK) == only(serial["snapshot"], ON_DASK)


def _pool_workers(parent: int) -> list[int]:
    """Los procesos del pool local (``multiprocessing`` con *spawn*) de ``parent``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            status = (proc / "status").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, ValueError):
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        if ppid and int(ppid.group(1)) == parent and b"spawn_main" in cmdline:
            found.append(int(proc.name))
    return found


def _wait_for_results(coordinator, results: Path, n: int) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and coordinator.poll() is None:
        if len(list(results.glob("*.json"))) >= n:
            return
        time.sleep(0.2)


# Cinco entregas que se ejecutan (sin el bucle infinito, 20 s por corrida): se
# mata un worker tras la primera que termina y el coordinador tras la tercera.
KILLED = {"completo", "en_blanco", "errores_a", "excepcion", "renombrado"}


def test_kill_9_mid_run_and_resume(serial, tmp_path) -> None:
    """``kill -9`` de un worker del pool a mitad de un trabajo (el pool se rehace
    y lo pendiente se reenvía) y después del coordinador: la corrida siguiente,
    con dos trabajos en paralelo, da la gradebook de la corrida en serie."""
    course = tmp_path / "matado"
    part_of_class(serial, course, KILLED)
    n = len(KILLED)
    cmd = [sys.executable, "-m", "tools.grading", "--course", str(course), "--no-progress",
           "--jobs", "2", "--no-warm"]
    coordinator = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
    results = course / ".grading" / "results"
    _wait_for_results(coordinator, results, 1)
    assert coordinator.poll() is None, "terminó antes de poder matar un worker"
    workers = _pool_workers(coordinator.pid)
    assert workers, "no se encontraron los procesos del pool"
    os.kill(workers[0], signal.SIGKILL)
    _wait_for_results(coordinator, results, 3)
    assert coordinator.poll() is None, "terminó antes de poder matarlo"
    coordinator.send_signal(signal.SIGKILL)
    coordinator.wait()
    done = len(list(results.glob("*.json")))
    assert 3 <= done < n
    proc = grade(course, "--jobs", "2", "--no-warm")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 trabajo(s) en paralelo, 1 hilo(s) por kernel" in proc.stdout
    # Nada se corrige dos veces: lo guardado antes del kill -9 no se repite
    # (salvo que el código del curso haya cambiado entre las dos corridas).
    if not _code_changed(serial):
        assert f"{n} entrega(s): {done} sin cambios, {n - done} por corregir" in proc.stdout
        assert len(_graded_line(proc.stdout)) == n - done
    assert only(snapshot(course), KILLED) == only(serial["snapshot"], KILLED)
    assert not list((course / ".grading" / "tmp").iterdir())


def _code_changed(serial) -> bool:
    """¿Cambió el código que corre al corregir (helpers, preprocesadores) desde
    la corrida de la fixture? Entonces todo se vuelve a corregir, a propósito."""
    return jobs.environment_fingerprint() != serial["fingerprint"]


def test_second_run_grades_nothing_and_a_change_regrades_only_it(serial) -> None:
    course = serial["course"]
    started = time.monotonic()
    proc = grade(course, "--jobs", "2")
    if _code_changed(serial):
        assert "10 entrega(s): 0 sin cambios, 10 por corregir" in proc.stdout
        pytest.skip("el código del curso cambió durante la prueba: se corrigió todo de nuevo")
    assert "10 entrega(s): 10 sin cambios, 0 por corregir" in proc.stdout
    assert _graded_line(proc.stdout) == []
    assert time.monotonic() - started < 60
    assert snapshot(course) == serial["snapshot"]
    # Cambia una entrega (el estudiante sube otra versión): solo esa se corrige.
    path = course / "submitted" / "en_blanco" / A / NAME
    nb = nbformat.read(str(path), as_version=4)
    _cell(nb, "elman_step").source = _solution().cells[
        [c.get("id") for c in _solution().cells].index("elman_step")].source
    nbformat.write(nb, str(path))
    proc = grade(course, "--jobs", "2")
    assert "10 entrega(s): 9 sin cambios, 1 por corregir" in proc.stdout
    assert _graded_line(proc.stdout) == ["en_blanco"]
    rows = _rows(course)
    assert float(rows["en_blanco"]["score"]) > 0


def test_manual_grades_survive_a_regrade(serial) -> None:
    from nbgrader.api import Gradebook

    course = serial["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade_ = gb.find_grade("test_elman_step", LESSON.stem, A, "errores_a")
        grade_.manual_score = 1.5
        comment = gb.find_comment("elman_step", LESSON.stem, A, "errores_a")
        comment.manual_comment = "Casi: revisá la transpuesta."
        gb.db.commit()
    proc = grade(course, "--jobs", "1", "--regrade", "--student", "errores_a")
    assert "1 entrega(s): 0 sin cambios, 1 por corregir" in proc.stdout, proc.stdout
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_grade("test_elman_step", LESSON.stem, A, "errores_a").manual_score == 1.5
        assert gb.find_comment("elman_step", LESSON.stem, A,
                               "errores_a").manual_comment == "Casi: revisá la transpuesta."


def test_feedback_for_everyone(serial) -> None:
    course = serial["course"]
    proc = subprocess.run([sys.executable, "-m", "tools.grading", "--course", str(course),
                           "--feedback", "--jobs", "2", "--no-progress"],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pages = sorted(p.parent.parent.name for p in (course / "feedback").glob(f"*/{A}/*.html"))
    graded = sorted(p.parent.name for p in (course / "autograded").glob(f"*/{A}"))
    assert pages == graded and "completo" in pages
    page = (course / "feedback" / "completo" / A / f"{LESSON.stem}.html").read_text(encoding="utf-8")
    assert "pruebas ocultas: no se muestran" in page
    again = subprocess.run([sys.executable, "-m", "tools.grading", "--course", str(course),
                            "--feedback", "--no-progress"],
                           cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    if not _code_changed(serial):
        assert "0 devolución(es) por generar" in again.stdout
