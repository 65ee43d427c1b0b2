"""Genera la versión del estudiante (``notebooks/``) a partir de ``solutions/``.

Pasos:

1. Lee la URL pública del repositorio de ``pyproject.toml`` (``[project.urls]
   Repository``: la única fuente) y la escribe en la celda de instalación de
   Colab (id ``colab``) y en el badge «Abrir en Colab» de cada notebook fuente.
2. Corre ``nbgrader generate_assignment --force`` en una carpeta temporal.
3. Recién cuando todo salió bien, reemplaza ``notebooks/<tarea>`` de forma
   atómica (renombrar, no borrar primero): nunca queda una versión a medias.

Uso: ``python -m tools.authoring.release [--check]`` (``--check`` no escribe nada: sale con
código 1 si ``notebooks/`` o las URLs están desactualizadas).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat

from tools import ROOT, env_with_tools
from tools.authoring import estimate_time

SOURCE = "solutions"
RELEASE = "notebooks"
BADGE_PREFIX = "[![Abrir en Colab]"
COLAB_CELL_ID = "colab"


def repo_url(root: Path = ROOT) -> str:
    """La URL del repositorio declarada en ``pyproject.toml``."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    url = data["project"]["urls"]["Repository"].rstrip("/")
    if not re.match(r"^https://github\.com/[^/]+/[^/]+$", url):
        raise ValueError(f"La URL del repositorio debe ser https://github.com/DUEÑO/REPO: {url!r}")
    return url


def install_spec(url: str) -> str:
    """Lo que instala pip en Colab: solo los helpers, sin extras (sin TensorFlow)."""
    return f"rnn-nlp-curso @ git+{url}.git"


def colab_cell_source(url: str, spec: str | None = None) -> str:
    """La celda de instalación de Colab. Si pip falla (sin red, repositorio
    movido o privado), el estudiante ve un mensaje corto en castellano, sin
    traceback (``_render_traceback_``, que IPython y Colab usan en vez del
    traceback), y la celda queda en error: «Ejecutar todo» se detiene ahí.
    ``spec`` reemplaza lo que instala pip (solo para las pruebas)."""
    spec = spec or install_spec(url)
    return (
        "# Solo en Colab: instala los helpers del curso desde el repositorio público,\n"
        "# sin tocar el TensorFlow que Colab ya trae. En Jupyter local no hace nada.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import os\n"
        "    import subprocess\n"
        "\n"
        "    pip = subprocess.run(\n"
        f'        [sys.executable, "-m", "pip", "install", "-q", "{spec}"],\n'
        "        capture_output=True, text=True, stdin=subprocess.DEVNULL,\n"
        '        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # repositorio privado: sin esperar clave\n'
        "    )\n"
        "    if pip.returncode != 0:\n"
        "\n"
        "        class InstalacionFallida(Exception):\n"
        "            def _render_traceback_(self):  # solo el mensaje, sin traceback\n"
        "                return [str(self)]\n"
        "\n"
        "        lineas = [l.strip() for l in pip.stderr.splitlines() if l.strip()]\n"
        '        causa = [l for l in lineas if l.startswith(("fatal:", "ERROR:"))]\n'
        '        detalle = "\\n".join((causa or lineas)[:2])\n'
        "        raise InstalacionFallida(\n"
        f'            "No se pudieron instalar los helpers del curso desde {url}.\\n"\n'
        '            "Revisá la conexión a internet y volvé a ejecutar esta celda. Si sigue "\n'
        '            "fallando, el repositorio pudo haberse movido o ser privado: avisale a "\n'
        '            "tu docente y mandale este mensaje.\\n"\n'
        '            f"Lo que dijo pip:\\n{detalle}"\n'
        "        )"
    )


def colab_url(url: str, release_path: str) -> str:
    return "https://colab.research.google.com/github/" + url.removeprefix(
        "https://github.com/") + "/blob/main/" + release_path


def badge_line(url: str, release_path: str) -> str:
    return (f"{BADGE_PREFIX}(https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(url, release_path)})")


def sync_notebook(path: Path, url: str, release_path: str) -> bool:
    """Escribe URL, badge y celda de Colab en un notebook fuente; ``True`` si cambió."""
    nb = nbformat.read(str(path), as_version=4)
    before = nbformat.writes(nb)
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise ValueError(f"{path}: la primera celda debe ser el título (markdown)")
    lines = nb.cells[0].source.split("\n")
    badge = badge_line(url, release_path)
    idx = [i for i, line in enumerate(lines) if line.startswith(BADGE_PREFIX)]
    if idx:
        lines[idx[0]] = badge
    else:
        lines[1:1] = ["", badge]
    nb.cells[0].source = "\n".join(lines)
    colab = [c for c in nb.cells if c.get("id") == COLAB_CELL_ID]
    if len(colab) != 1 or colab[0].cell_type != "code":
        raise ValueError(f"{path}: falta la celda de código con id '{COLAB_CELL_ID}'")
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    if first_code is not colab[0]:
        raise ValueError(f"{path}: la celda '{COLAB_CELL_ID}' debe ser la primera de código")
    colab[0].source = colab_cell_source(url)
    after = nbformat.writes(nb)
    if after != before:
        nbformat.write(nb, str(path))
        return True
    return False


README_BEGIN = "<!-- lecciones: generado por `make release`, no editar a mano -->"
README_END = "<!-- fin de lecciones -->"


def binder_badge(url: str) -> str:
    slug = url.removeprefix("https://github.com/")
    return ("[![Abrir en Binder](https://mybinder.org/badge_logo.svg)]"
            f"(https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/notebooks)")


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return "sin medir"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


CHALLENGE_HOURS = re.compile(r"\*\*Tiempo estimado:\*\*\s*unas?\s+(\d+(?:[,.]\d+)?(?:\s*a\s*\d+)?)\s+horas")


def _student_minutes(path: Path) -> str:
    """Los minutos que dice el título de una lección (``tools/authoring/estimate_time.py``);
    el desafío, abierto, dice sus horas en el título («**Tiempo estimado:** unas N horas»)."""
    if not estimate_time.LESSON_NAME.match(path.name):
        found = CHALLENGE_HOURS.search(" ".join(
            nbformat.read(str(path), as_version=4).cells[0].source.split()))
        return f"unas {found.group(1)} h (abierto)" if found else "abierto"
    core, _exercises, optional = estimate_time.computed(path)
    return f"{core} min (+{optional} opcional)"


def readme_block(root: Path = ROOT) -> str:
    """La tabla de lecciones del README: título, badge de Colab, minutos de trabajo
    del estudiante (recorrido central y opcional, los del título) y tiempos de
    ejecución medidos (``docs/tiempos.json``, que escribe ``make solutions``)."""
    import json

    url = repo_url(root)
    times_file = root / "docs" / "tiempos.json"
    times = json.loads(times_file.read_text(encoding="utf-8")) if times_file.exists() else {}
    rows = ["| Notebook | Tema | Colab | Trabajo del estudiante | Modo rápido | Lección completa |",
            "|---|---|---|---|---|---|"]
    for path in source_notebooks(root):
        rel = path.relative_to(root / SOURCE).as_posix()
        nb = nbformat.read(str(path), as_version=4)
        title = nb.cells[0].source.split("\n", 1)[0].lstrip("# ").strip()
        release_path = f"{RELEASE}/{rel}"
        badge = (f"[![Abrir en Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
                 f"({colab_url(url, release_path)})")
        t = times.get(rel, {})
        rows.append(f"| [`{rel}`]({release_path}) | {title} | {badge} | {_student_minutes(path)} | "
                    f"{_fmt_seconds(t.get('rapido'))} | {_fmt_seconds(t.get('completo'))} |")
    lessons = [estimate_time.computed(p) for p in source_notebooks(root)
               if estimate_time.LESSON_NAME.match(p.name)]
    rows.append(f"| **Las {len(lessons)} lecciones** | | | **{sum(c for c, _, _ in lessons)} min** "
                f"(+{sum(o for _, _, o in lessons)} opcional) | | |")
    return "\n".join([README_BEGIN, binder_badge(url), "", *rows, README_END])


def sync_readme(root: Path = ROOT, *, write: bool = True) -> bool:
    """Reescribe la tabla de lecciones del README; ``True`` si estaba desactualizada."""
    path = root / "README.md"
    text = path.read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        raise ValueError("README.md: faltan los marcadores de la tabla de lecciones")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    new = head + readme_block(root) + tail
    if new != text and write:
        path.write_text(new, encoding="utf-8")
    return new != text


def source_notebooks(root: Path = ROOT) -> list[Path]:
    return sorted((root / SOURCE).glob("*/*.ipynb"))


def assignments(root: Path = ROOT) -> list[str]:
    return sorted(p.name for p in (root / SOURCE).iterdir() if p.is_dir()
                  and any(p.glob("*.ipynb")))


def sync_urls(root: Path = ROOT) -> list[Path]:
    url = repo_url(root)
    changed = []
    for path in source_notebooks(root):
        rel = path.relative_to(root / SOURCE)
        if sync_notebook(path, url, f"{RELEASE}/{rel.as_posix()}"):
            changed.append(path)
    return changed


def generate(root: Path, out: Path, assignment: str) -> Path:
    """Genera ``assignment`` con nbgrader en un curso temporal; devuelve la carpeta."""
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        course = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(root / SOURCE / assignment, course / SOURCE / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        proc = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
             "--force", "--no-db", "--log-level=WARN"],
            cwd=course, capture_output=True, text=True, env=env_with_tools(root=root),
        )
        generated = course / RELEASE / assignment
        if proc.returncode != 0 or not generated.is_dir():
            raise RuntimeError(
                f"nbgrader generate_assignment {assignment} falló:\n{proc.stdout}\n{proc.stderr}")
        target = out / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(generated, target)
        return target


def same_tree(a: Path, b: Path) -> list[str]:
    """Archivos que difieren (en bytes) entre dos carpetas; vacío si son iguales."""
    diffs: list[str] = []
    def files(root: Path) -> set[Path]:
        if not root.exists():
            return set()
        return {p.relative_to(root) for p in root.rglob("*") if p.is_file()
                and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}

    files_a, files_b = files(a), files(b)
    for rel in sorted(files_a ^ files_b):
        diffs.append(f"{rel}: está en una sola de las dos carpetas")
    for rel in sorted(files_a & files_b):
        if not filecmp.cmp(a / rel, b / rel, shallow=False):
            diffs.append(f"{rel}: contenido distinto")
    return diffs


def release(root: Path = ROOT) -> None:
    changed = sync_urls(root)
    for path in changed:
        print(f"URL de Colab actualizada en {path.relative_to(root)}")
    if sync_readme(root):
        print("README.md: tabla de lecciones actualizada")
    with tempfile.TemporaryDirectory(prefix=".release-notebooks-", dir=root) as staging:
        staging_dir = Path(staging)
        for a in assignments(root):
            generate(root, staging_dir, a)
        # Todo se generó bien: recién ahora se reemplaza, carpeta por carpeta,
        # renombrando (atómico dentro del mismo sistema de archivos).
        (root / RELEASE).mkdir(exist_ok=True)
        for a in assignments(root):
            target = root / RELEASE / a
            old = root / RELEASE / f".{a}.old"
            if old.exists():
                shutil.rmtree(old)
            if target.exists():
                os.rename(target, old)
            os.rename(staging_dir / a, target)
            if old.exists():
                shutil.rmtree(old)
            print(f"{RELEASE}/{a}: {len(list(target.glob('*.ipynb')))} notebooks generados")


def check(root: Path = ROOT) -> list[str]:
    """Problemas de sincronía (sin escribir nada en el repositorio)."""
    problems: list[str] = []
    url = repo_url(root)
    for path in source_notebooks(root):
        rel = path.relative_to(root / SOURCE).as_posix()
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / path.name
            shutil.copy(path, copy)
            if sync_notebook(copy, url, f"{RELEASE}/{rel}"):
                problems.append(f"{SOURCE}/{rel}: URL de Colab desactualizada (make release)")
    if sync_readme(root, write=False):
        problems.append("README.md: tabla de lecciones desactualizada (make release)")
    with tempfile.TemporaryDirectory() as tmp:
        for a in assignments(root):
            generated = generate(root, Path(tmp), a)
            problems += [f"{RELEASE}/{a}/{d}" for d in same_tree(generated, root / RELEASE / a)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="no escribe: informa si notebooks/ está desactualizado")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p)
        print("notebooks/ al día" if not problems else "Corré `make release`.")
        return 1 if problems else 0
    release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
