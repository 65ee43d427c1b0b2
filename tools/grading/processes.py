"""Los procesos de un trabajo de corrección: ``nbgrader`` y sus kernels.

:func:`nbgrader` corre ``python -m nbgrader`` en la carpeta de un curso, con un
tiempo máximo (al pasarlo mata el árbol entero: nbgrader y el kernel, que
jupyter_client lanza en otra sesión) y, si se pide, midiendo el pico de memoria
del árbol. Los procesos del pool local (:func:`pool_initializer`) mueren con el
coordinador y se llevan lo que estén corriendo.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tools import env_with_tools

_PR_SET_PDEATHSIG = 1
_current: dict[str, int] = {}


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

    def on_term(signum, frame):  # noqa: ARG001
        pid = _current.get("pid")
        if pid:
            kill_tree(pid)
        os._exit(1)

    signal.signal(signal.SIGTERM, on_term)


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
    proc = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_die_with_parent)
    _current["pid"] = proc.pid
    sampler = _PeakMemory(proc.pid) if peak is not None else None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        out, err = proc.communicate()
        err += f"\n(nbgrader superó {timeout} s y se cortó)"
    finally:
        _current.pop("pid", None)
        if sampler is not None and peak is not None:
            peak.append(sampler.stop())
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
