"""Lo que la corrección de una clase guarda en ``<curso>/.grading``: un
resultado por clave de trabajo, escrito de forma atómica (el JSON es la marca
de «terminado»), carpetas puestas en su lugar de una vez, y el candado que
deja un solo coordinador por curso."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from pathlib import Path

from tools.grading import jobs

STATE_DIR = ".grading"


class Store:
    """``<curso>/.grading``: resultados por clave, escritos de forma atómica."""

    def __init__(self, course: Path) -> None:
        self.root = course / STATE_DIR
        self.results = self.root / "results"
        self.tmp = self.root / "tmp"
        self.results.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def _atomic(self, path: Path, data: bytes) -> None:
        tmp = self.tmp / f"{path.name}.{uuid.uuid4().hex}"
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def has(self, key: str) -> bool:
        return (self.results / f"{key}.json").exists()

    def load(self, key: str) -> dict:
        return json.loads((self.results / f"{key}.json").read_text(encoding="utf-8"))

    def autograded(self, key: str) -> bytes | None:
        path = self.results / f"{key}.tar.gz"
        return path.read_bytes() if path.exists() else None

    def save(self, result: dict) -> None:
        """Primero el paquete de ``autograded/``, después el JSON: el JSON es la
        marca de «terminado»."""
        key = result["key"]
        meta = {k: v for k, v in result.items() if k != "autograded"}
        if result.get("autograded") is not None:
            self._atomic(self.results / f"{key}.tar.gz", result["autograded"])
        self._atomic(self.results / f"{key}.json",
                     json.dumps(meta, ensure_ascii=False, sort_keys=True).encode())
        self.fsync_dir(self.results)

    def replace_dir(self, final: Path, data: bytes | None) -> None:
        """Pone en ``final`` la carpeta empaquetada en ``data`` (``None``: la quita)
        de una vez: se arma al lado (en ``.grading/tmp``, mismo sistema de
        archivos) y se renombra; nunca queda una carpeta a medio escribir."""
        staging = self.tmp / f"place-{uuid.uuid4().hex}"
        if data is not None:
            jobs.unpack(data, staging)
        final.parent.mkdir(parents=True, exist_ok=True)
        old = None
        if final.exists():
            old = self.tmp / f"old-{uuid.uuid4().hex}"
            os.rename(final, old)
        if data is not None:
            os.rename(staging, final)
        self.fsync_dir(final.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def fsync_dir(path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def course_lock(course: Path):
    """Un solo coordinador por curso a la vez."""
    path = course / STATE_DIR / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"Ya hay una corrección en curso en {course} ({path}).") from None
        yield
