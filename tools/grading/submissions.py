"""Entregas con nombres cambiados: llevarlas a los nombres de la tarea.

Los estudiantes no entregan siempre el archivo con el nombre que le dimos:

* Colab, con «Guardar una copia en Drive», lo llama ``Copia de X.ipynb``
  (interfaz en castellano) o ``Copy of X.ipynb``; con «Guardar una copia en
  GitHub», ``Copia_de_X.ipynb`` o ``Copy_of_X.ipynb``;
* una descarga repetida del navegador agrega `` (1)``, `` (2)``…: ``X (1).ipynb``;
* y las combinaciones (``Copia de Copia de X (2).ipynb``), con otras
  mayúsculas, espacios de más o Unicode en otra normalización (NFD de macOS).

:func:`canonical_notebook_name` decide a qué notebook de la tarea corresponde
un archivo; :func:`normalize_folder` ordena la carpeta de un estudiante
(``submitted/<estudiante>/<tarea>/``) y dice qué falta, qué sobra y qué está
repetido. Lo usan la importación de Moodle (:mod:`tools.lms`) y
``tools.grading`` antes de corregir.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# «Copia de », «Copy of », repetidos, al principio; también con «_» en lugar de
# espacios (``Copia_de_X.ipynb``: Colab al guardar una copia en GitHub).
_COPY_PREFIX = re.compile(r"^(?:(?:copia[\s_]+de|copy[\s_]+of)[\s_]+)+", re.IGNORECASE)
# « (1)», «(2)», « - copia», « - copy» (Windows), repetidos, al final.
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d+\)|\s*-\s*(?:copia|copy))+$", re.IGNORECASE)


def _key(stem: str) -> str:
    """Forma comparable de un nombre: NFC, sin mayúsculas, espacios colapsados."""
    text = unicodedata.normalize("NFKC", stem).casefold()
    return re.sub(r"[\s_]+", " ", text).strip()


def _strip_copies(stem: str) -> str:
    stem = unicodedata.normalize("NFKC", stem).strip()
    previous = None
    while previous != stem:
        previous = stem
        stem = _COPY_PREFIX.sub("", stem).strip()
        stem = _COPY_SUFFIX.sub("", stem).strip()
    return stem


def canonical_notebook_name(filename: str, expected: Iterable[str]) -> str | None:
    """El nombre de la tarea (uno de ``expected``, p. ej. ``01_celda_elman.ipynb``)
    al que corresponde ``filename``, o ``None`` si no corresponde a ninguno.

    >>> canonical_notebook_name("Copia de 01_celda_elman (1).ipynb", ["01_celda_elman.ipynb"])
    '01_celda_elman.ipynb'
    """
    expected = list(expected)
    name = Path(filename).name
    if name in expected:
        return name
    path = Path(unicodedata.normalize("NFKC", name))
    if path.suffix.casefold() != ".ipynb":
        return None
    by_key = {_key(Path(e).stem): e for e in expected}
    for candidate in (path.stem, _strip_copies(path.stem)):
        hit = by_key.get(_key(candidate))
        if hit is not None:
            return hit
    return None


@dataclass
class FolderReport:
    """Qué pasó al ordenar la carpeta de un estudiante."""

    renamed: dict[str, str] = field(default_factory=dict)   # archivo original -> nombre de la tarea
    missing: list[str] = field(default_factory=list)        # notebooks de la tarea que no están
    extra: list[str] = field(default_factory=list)          # archivos que no son de la tarea
    duplicates: dict[str, list[str]] = field(default_factory=dict)  # nombre -> descartados

    def notes(self) -> list[str]:
        """Observaciones en castellano, para la tabla y el CSV."""
        out = [f"«{old}» corregido como {new}" for old, new in sorted(self.renamed.items())]
        out += [f"falta {name}" for name in self.missing]
        out += [f"{name}: varias versiones ({', '.join(sorted(dropped))} sin corregir)"
                for name, dropped in sorted(self.duplicates.items())]
        out += [f"archivo de más: {name}" for name in self.extra]
        return out


def download_number(original: str) -> int:
    """El número de descarga del navegador (`` (2)`` → 2; sin número → 0)."""
    numbers = [int(n) for n in re.findall(r"\((\d+)\)", original)]
    return max(numbers) if numbers else 0


def _rank(original: str, canonical: str) -> tuple[int, int, str]:
    """El archivo que se corrige entre varios candidatos al mismo nombre: la
    última descarga del navegador (`` (2)`` es posterior a `` (1)``, y esta al
    nombre sin número: el navegador numera solo si el anterior ya estaba); a
    igual número, el nombre exacto."""
    exact = 0 if original == canonical else 1
    return -download_number(original), exact, original


def plan_names(filenames: Iterable[str], expected: Iterable[str]
               ) -> tuple[dict[str, str], FolderReport]:
    """Decide, sin tocar nada, qué archivo queda con cada nombre de la tarea.

    Devuelve ``{archivo elegido: nombre de la tarea}`` y el informe. Si varios
    archivos corresponden al mismo notebook, gana la copia con el número más
    alto (la última descarga); los demás quedan en ``duplicates`` (ninguno se
    borra: el docente los ve en el informe)."""
    expected = sorted(expected)
    report = FolderReport()
    candidates: dict[str, list[str]] = {}
    for name in sorted(filenames):
        canonical = canonical_notebook_name(name, expected)
        if canonical is None:
            report.extra.append(name)
        else:
            candidates.setdefault(canonical, []).append(name)
    chosen: dict[str, str] = {}
    for canonical, names in candidates.items():
        names.sort(key=lambda n: _rank(n, canonical))
        chosen[names[0]] = canonical
        if names[0] != canonical:
            report.renamed[names[0]] = canonical
        if len(names) > 1:
            report.duplicates[canonical] = names[1:]
    report.missing = [e for e in expected if e not in candidates]
    return chosen, report


def normalize_folder(folder: Path, expected: Iterable[str], *, dry_run: bool = False
                     ) -> FolderReport:
    """Renombra en su lugar los notebooks de ``folder`` a los nombres de la tarea.

    Los duplicados descartados y los archivos de más quedan donde están (nbgrader
    ignora los ``.ipynb`` que no son de la tarea, y copia los demás archivos a
    ``autograded/``): el docente los ve en el informe."""
    folder = Path(folder)
    files = [p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    chosen, report = plan_names(files, expected)
    if not dry_run:
        for original, canonical in chosen.items():
            if original == canonical:
                continue
            target = folder / canonical
            if target.exists():  # una descarga anterior con el nombre exacto: queda al lado
                aside = folder / older_name(canonical)
                while aside.exists():
                    aside = folder / older_name(aside.name)
                target.rename(aside)
            (folder / original).rename(target)
    return report


def older_name(canonical: str) -> str:
    """Dónde queda una descarga anterior que tenía el nombre exacto cuando gana
    una posterior: ``X (0).ipynb`` (sigue correspondiendo a ``X``, y pierde
    contra el nombre exacto)."""
    path = Path(canonical)
    return f"{path.stem} (0){path.suffix}"
