"""Los procesos de un trabajo de corrección: ``nbgrader`` y sus kernels.

:func:`nbgrader` corre ``python -m nbgrader`` en la carpeta de un curso, con un
tiempo máximo (al pasarlo mata el árbol entero: nbgrader y el kernel, que
jupyter_client lanza en otra sesión) y, si se pide, midiendo el pico de memoria
del árbol. Los procesos del pool local (:func:`pool_initializer`) mueren con el
coordinador y se llevan lo que estén corriendo.

En un proceso del pool local, nbgrader no arranca un intérprete nuevo: corre en
un hijo de ese proceso (``fork``, ver :func:`_run_forked`), que ya tiene
nbgrader importado. Importarlo cuesta unos 2 s de CPU (nbconvert, SQLAlchemy,
las extensiones de servidor que importa su ``__init__``): así se paga una vez
por proceso del pool y no una por entrega ni por devolución. En los demás
procesos (el coordinador, un worker de Dask, que tiene varios hilos y donde
``fork`` no es seguro) sigue siendo un subproceso ``python -m nbgrader``; también
en el pool con ``RNN_NBGRADER_SUBPROCESS=1`` en el entorno (para comparar, ver
``benchmarks/bench_grading.py``, o si ``fork`` diera problemas en otra plataforma).
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import NoReturn

from tools import env_with_tools

_PR_SET_PDEATHSIG = 1
_current: dict[str, int] = {}
# Lo prende pool_initializer: en este proceso nbgrader corre en un hijo con fork.
_fork: dict[str, bool] = {"nbgrader": False}
SUBPROCESS_ENV = "RNN_NBGRADER_SUBPROCESS"


def _die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Linux: este proceso recibe ``sig`` si muere su padre (un coordinador
    matado con ``kill -9`` no deja trabajos huérfanos consumiendo núcleos)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        except (OSError, AttributeError):
            pass


def kill_tree(pid: int) -> None:
    """Mata un proceso y todos sus descendientes (nbgrader y sus kernels, que
    jupyter_client lanza en otra sesión)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=5)


def pool_initializer() -> None:
    """Para los procesos del pool local: mueren con el coordinador y, al morir,
    se llevan el nbgrader y el kernel que estén corriendo."""
    _die_with_parent(signal.SIGTERM)
    _fork["nbgrader"] = _pidfd_works() and not os.environ.get(SUBPROCESS_ENV)

    def on_term(signum, frame):  # noqa: ARG001
        pid = _current.get("pid")
        if pid:
            kill_tree(pid)
        os._exit(1)

    signal.signal(signal.SIGTERM, on_term)


def _pidfd_works() -> bool:
    """¿Se puede esperar a un hijo con tiempo máximo por su pidfd (Linux ≥ 5.3)?"""
    if not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


class _PeakMemory:
    """Muestrea la memoria residente de un árbol de procesos (pico, en bytes)."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        import psutil

        self.peak = 0
        self._stop = threading.Event()
        self._proc = psutil.Process(pid)
        self._every = every
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self._every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def nbgrader(course: Path, *args: str, timeout: float | None = None,
             env_extra: dict[str, str] | None = None,
             peak: list[int] | None = None) -> subprocess.CompletedProcess[str]:
    """Corre ``python -m nbgrader`` en ``course`` (donde está su configuración)."""
    # nbgrader llama al ejecutable `alembic` del mismo entorno: va primero en el PATH.
    env = {**os.environ, **(env_extra or {})}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    # nbgrader_config.py importa tools.autograding (la maquinaria del docente,
    # que no se instala con los helpers): la raíz del repositorio, al path.
    env = env_with_tools(env)
    # fork solo con un único hilo: el hijo no hereda cerrojos tomados por otros.
    if _fork["nbgrader"] and threading.active_count() == 1:
        return _run_forked(course, args, env, timeout, peak)
    proc = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_die_with_parent)
    _current["pid"] = proc.pid
    sampler = _PeakMemory(proc.pid) if peak is not None else None
    code: int | None = None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        out, err = proc.communicate()
        err += _timeout_note(timeout)
        # psutil ya lo recogió al matarlo y Popen, sin nada que esperar, diría 0.
        code = -signal.SIGKILL
    finally:
        _current.pop("pid", None)
        if sampler is not None and peak is not None:
            peak.append(sampler.stop())
    return subprocess.CompletedProcess(proc.args, proc.returncode if code is None else code,
                                       out, err)


def _timeout_note(timeout: float | None) -> str:
    return f"\n(nbgrader superó {timeout} s y se cortó)"


def _run_forked(course: Path, args: tuple[str, ...], env: dict[str, str],
                timeout: float | None,
                peak: list[int] | None) -> subprocess.CompletedProcess[str]:
    """Lo mismo que el subproceso, en un hijo de este proceso: la misma carpeta,
    el mismo entorno, la salida aparte (la de los kernels incluida), el mismo
    tiempo máximo (mata el árbol) y muere con su padre. El hijo se descarta al
    terminar: la configuración y las instancias de nbgrader no pasan de un
    trabajo a otro, y este proceso nunca las crea."""
    import nbgrader.apps.nbgraderapp  # noqa: F401 - una vez: lo heredan todos los hijos

    argv = [sys.executable, "-m", "nbgrader", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - corre en el hijo (lo miden las pruebas de punta a punta)
            _child(course, list(args), env, out.fileno(), err.fileno())
        _current["pid"] = pid
        sampler = _PeakMemory(pid) if peak is not None else None
        note = ""
        try:
            code = _wait(pid, timeout)
            if code is None:
                kill_tree(pid)
                _reap(pid)
                code = -signal.SIGKILL
                note = _timeout_note(timeout)
        finally:
            _current.pop("pid", None)
            if sampler is not None and peak is not None:
                peak.append(sampler.stop())
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            argv, code, out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace") + note)


def _child(course: Path, args: list[str], env: dict[str, str], out: int, err: int) -> NoReturn:
    """El hijo: ``python -m nbgrader *args`` sin intérprete nuevo; sale con su código."""
    code = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # el manejador del pool es del padre
        _die_with_parent()
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.chdir(course)
        os.environ.clear()
        os.environ.update(env)
        from nbgrader.apps import nbgraderapp

        sys.argv = [str(Path(nbgraderapp.__file__).parent.parent / "__main__.py"), *args]
        nbgraderapp.main()
        code = 0
    except SystemExit as exc:  # como el intérprete: None → 0, un texto → a stderr y 1
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - como el intérprete: la traza a stderr y 1
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001, S110 - salir igual
                pass
        os._exit(code)


def _wait(pid: int, timeout: float | None) -> int | None:
    """El código de salida del hijo ``pid``, o ``None`` si pasa ``timeout`` antes."""
    fd = os.pidfd_open(pid)
    try:
        if not select.select([fd], [], [], timeout)[0]:
            return None
    finally:
        os.close(fd)
    return _reap(pid)


def _reap(pid: int) -> int:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # ya lo recogió kill_tree (psutil) al matarlo
        return -signal.SIGKILL
    return os.waitstatus_to_exitcode(status)
