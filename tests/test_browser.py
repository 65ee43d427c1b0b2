"""Cada lección se abre de verdad en un navegador (Chromium sin pantalla).

Levanta JupyterLab como ``make lab`` (``python -m tools.envs.lab --port P --token T``),
abre cada notebook del estudiante (``notebooks/<tarea>/*.ipynb``) en Chromium,
espera a que se vea el título de la lección, ejecuta la primera celda de código
(la de Colab: en Jupyter local no hace nada), espera su número de ejecución y
guarda una captura en ``test-artifacts/browser/<tarea>/<notebook>.png``.

Usa Selenium con el Chromium y el chromedriver de Debian (paquetes ``chromium`` y
``chromium-driver``; ``tools/envs/ci_setup.sh`` los instala). Si falta alguno, las
pruebas se saltean diciendo por qué. Variables para cambiar las rutas:
``COURSE_CHROMIUM`` y ``COURSE_CHROMEDRIVER`` (apuntarlas a una ruta inexistente
simula una máquina sin Chromium).

Un solo servidor y un solo navegador para todos los notebooks; todas las pruebas
van al mismo proceso de pytest-xdist (grupo ``browser``).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from tools.envs import lab

ROOT = lab.ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"
TOKEN = "prueba-navegador"

# Chromium como root en una máquina sin red: sin sandbox ni GPU, sin tráfico de
# fondo (actualizaciones, sincronización, QUIC) y sin resolver ningún nombre
# salvo localhost: la prueba solo habla con el JupyterLab local (el badge de
# Colab, que apunta a internet, queda como texto alternativo).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--window-size=1280,900",
]

# Ajustes de JupyterLab solo para esta prueba (carpeta temporal, no la del
# usuario): sin guardado automático (la prueba no debe escribir en notebooks/)
# y sin el aviso de noticias de Jupyter (pediría salir a internet).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}

SERVER_TIMEOUT = 90   # s hasta que JupyterLab responde
PAGE_TIMEOUT = 60     # s hasta que se ve el título
RUN_TIMEOUT = 60      # s hasta que la celda termina (incluye arrancar el kernel)

# Elementos de JupyterLab 4: la lista del explorador de archivos y el notebook visible.
_LISTING = ".jp-FileBrowser .jp-DirListing-content"
_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

pytestmark = pytest.mark.xdist_group("browser")


def _executable(env_var: str, *names: str) -> tuple[str | None, str]:
    """Ruta de un ejecutable (la variable de entorno manda) y de dónde salió."""
    override = os.environ.get(env_var)
    if override:
        ok = os.path.isfile(override) and os.access(override, os.X_OK)
        return (override if ok else None), f"{env_var}={override}"
    for name in names:
        found = shutil.which(name)
        if found:
            return found, f"PATH ({name})"
    return None, f"PATH ({', '.join(names)})"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lesson_title(path: Path) -> str:
    """El título de la lección como se lee en pantalla: la línea ``# ...`` de la
    primera celda, sin marcas de markdown (``*beam search*`` -> ``beam search``)."""
    import mistune  # lo trae nbconvert (JupyterLab)

    nb = nbformat.read(str(path), as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown", f"{path.name}: la primera celda no es markdown"
    for line in first.source.splitlines():
        if line.startswith("# "):
            return _plain(html.unescape(re.sub(r"<[^>]+>", "", mistune.html(line[2:]))))
    raise AssertionError(f"{path.name}: la primera celda no tiene un título '# ...'")


def _plain(text: str) -> str:
    """Texto sin el ancla «¶» que JupyterLab agrega a los encabezados ni espacios de más."""
    return " ".join(text.replace("¶", " ").split())


class Lab:
    """El JupyterLab de la prueba (lanzado como ``make lab``) y su API REST."""

    def __init__(self, tmp: Path) -> None:
        # Configuración propia de la prueba en carpetas temporales, no la del
        # usuario: ajustes de la interfaz, espacios de trabajo y los checkpoints
        # que JupyterLab crea al abrir un notebook (si no, aparecería
        # notebooks/<tarea>/.ipynb_checkpoints/ en el repositorio).
        settings, config = tmp / "settings", tmp / "config"
        for name, values in LAB_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values), encoding="utf-8")
        config.mkdir()
        (config / "jupyter_server_config.json").write_text(json.dumps(
            {"FileCheckpoints": {"root_dir": str(tmp / "checkpoints")}}), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTER_CONFIG_DIR=str(config),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
        self.port, self.token = _free_port(), TOKEN
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "jupyterlab.log"
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tools.envs.lab", "--port", str(self.port),
                 "--token", self.token],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab terminó con código {self.proc.returncode}:\n"
                            + self._log_tail())
            try:
                self.api("/api/status")
                return
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab no respondió en {SERVER_TIMEOUT} s:\n"
                                + self._log_tail())
                time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def api(self, path: str, method: str = "GET") -> object:
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def sessions_for(self, rel: str) -> list[dict]:
        return [s for s in self.api("/api/sessions") if s.get("path") == rel]  # type: ignore[union-attr]

    def home_url(self) -> str:
        """Como lo abre un estudiante: el explorador de archivos en notebooks/."""
        return f"{self.base}/lab/tree/notebooks?reset&token={urllib.parse.quote(self.token)}"


@pytest.fixture(scope="module")
def tools_found() -> tuple[str, str]:
    """Chromium, chromedriver y Selenium; si falta algo, se saltea con el motivo."""
    chromium, where = _executable("COURSE_CHROMIUM", "chromium", "chromium-browser")
    if chromium is None:
        pytest.skip(f"Chromium no encontrado en {where}: instalá el paquete "
                    "'chromium' (tools/envs/ci_setup.sh) o indicá la ruta con COURSE_CHROMIUM")
    driver, where = _executable("COURSE_CHROMEDRIVER", "chromedriver")
    if driver is None:
        pytest.skip(f"chromedriver no encontrado en {where}: instalá el paquete "
                    "'chromium-driver' (tools/envs/ci_setup.sh) o indicá la ruta con "
                    "COURSE_CHROMEDRIVER")
    pytest.importorskip("selenium", reason="falta el paquete de Python 'selenium' "
                        "(extra 'test' de pyproject.toml)")
    return chromium, driver


@pytest.fixture(scope="module")
def lab_server(tools_found, tmp_path_factory) -> Iterator[Lab]:
    """Arranca JupyterLab (sin esperarlo: el navegador arranca mientras tanto)."""
    server = Lab(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(tools_found, tmp_path_factory):
    """Un Chromium sin pantalla para todos los notebooks (perfil nuevo y vacío)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = tools_found
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    # Si una prueba falla a mitad de camino se recarga la página con un notebook
    # modificado: se acepta el «¿salir sin guardar?» (no se guarda nada).
    options.unhandled_prompt_behavior = "accept"
    service = Service(executable_path=driver_path,
                      log_output=str(tmp_path_factory.mktemp("chromedriver") / "log.txt"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


class Page:
    """El navegador con JupyterLab cargado, y la carpeta que muestra su explorador."""

    def __init__(self, driver, lab: Lab) -> None:
        self.driver, self.lab, self.folder = driver, lab, ""

    def load_home(self) -> None:
        from selenium.webdriver.common.by import By

        self.driver.get(self.lab.home_url())
        _wait(self.driver, PAGE_TIMEOUT,
              lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, _LISTING) if e.is_displayed()],
              "JupyterLab no mostró el explorador de archivos")
        self.folder = "notebooks"

    def open_from_file_browser(self, rel: str) -> None:
        """Abre ``rel`` como un estudiante: doble clic en cada carpeta y en el notebook."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        folder, _, name = rel.rpartition("/")
        if folder == self.folder or folder.startswith(self.folder + "/"):
            names = rel.removeprefix(self.folder).strip("/").split("/")
        else:
            self.driver.find_element(
                By.CSS_SELECTOR, ".jp-FileBrowser .jp-BreadCrumbs-home").click()
            names = rel.split("/")
        for item_name in names:
            def double_click(d, item_name=item_name):
                for item in d.find_elements(By.CSS_SELECTOR, f"{_LISTING} .jp-DirListing-item"):
                    text = item.find_element(By.CSS_SELECTOR, ".jp-DirListing-itemText").text
                    if text == item_name:
                        ActionChains(d).double_click(item).perform()
                        return True
                return False

            _wait(self.driver, PAGE_TIMEOUT, double_click,
                  f"el explorador de archivos no muestra {item_name!r} (camino {rel})")
        self.folder = folder


@pytest.fixture(scope="module")
def lab_page(lab_server: Lab, browser) -> Page:
    """JupyterLab cargado una vez en el navegador; cada prueba abre su notebook."""
    lab_server.wait_ready()
    page = Page(browser, lab_server)
    page.load_home()
    return page


def _wait(driver, seconds: float, condition, what: str):
    """Espera a que ``condition(driver)`` dé algo verdadero; si no, falla diciendo qué."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.1,
                             ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: condition(d))
    except TimeoutException:
        pass
    pytest.fail(f"Después de {seconds} s: {what}")


def _close_current_notebook(driver) -> None:
    """Cierra la pestaña del notebook sin guardar (se ejecutó una celda: pregunta)."""
    from selenium.webdriver.common.by import By

    driver.find_element(
        By.CSS_SELECTOR,
        ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").click()

    def closed(d):
        # «Guardar los cambios?» -> el botón de advertencia es «No guardar».
        for button in d.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-Dialog-button.jp-mod-warn"):
            button.click()
        return not d.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel")

    _wait(driver, PAGE_TIMEOUT, closed, "no se pudo cerrar la pestaña del notebook")


# Estado de la primera celda de código (JavaScript en la página): qué dice su
# indicador «[n]:» y si mostró un error.
_FIRST_CODE_CELL_JS = """
const cell = document.querySelector('%s .jp-Notebook .jp-CodeCell');
const prompt = cell && cell.querySelector('.jp-InputArea-prompt');
if (!prompt) return null;
return {
  prompt: prompt.textContent.trim(),
  errors: Array.from(cell.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
      + ' .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'))
      .map(e => e.textContent),
};
""" % _PANEL


_SCROLL_TOP_JS = """
document.querySelectorAll('%s .jp-WindowedPanel-outer, %s .jp-Notebook')
    .forEach(e => { e.scrollTop = 0; });
""" % (_PANEL, _PANEL)

_TITLE_IN_VIEW_JS = """
const h1 = document.querySelector('%s .jp-RenderedMarkdown h1');
if (!h1) return false;
const r = h1.getBoundingClientRect();
return r.top >= 0 && r.bottom <= window.innerHeight;
""" % _PANEL


def _files_under(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _digest(p)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "path",
    NOTEBOOKS or [pytest.param(None, marks=pytest.mark.skip(
        reason="no hay notebooks del estudiante en notebooks/<tarea>/ (make release)"))],
    ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix() if p else "sin-notebooks",
)
def test_lesson_opens_and_runs_first_cell(path: Path, lab_page: Page) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser, lab_server = lab_page.driver, lab_page.lab
    rel = path.relative_to(ROOT).as_posix()
    title = _lesson_title(path)
    files_before = _files_under(ROOT / "notebooks")
    if browser.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel"):
        lab_page.load_home()  # quedó algo abierto de una prueba que falló

    lab_page.open_from_file_browser(rel)

    # 1. El notebook está abierto en su pestaña y el título de la lección se ve
    #    como encabezado renderizado (no como markdown crudo).
    def title_rendered(d):
        for h1 in d.find_elements(By.CSS_SELECTOR, f"{_PANEL} .jp-RenderedMarkdown h1"):
            if _plain(h1.text) == title and h1.is_displayed():
                return h1
        return None

    _wait(browser, PAGE_TIMEOUT, title_rendered,
          f"no se ve el título {title!r} de {rel} renderizado en JupyterLab")
    tabs = [t.text for t in browser.find_elements(
        By.CSS_SELECTOR, ".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")]
    assert tabs == [path.name], f"la pestaña activa debería ser {path.name}: {tabs}"

    state = _wait(browser, PAGE_TIMEOUT, lambda d: d.execute_script(_FIRST_CODE_CELL_JS),
                  f"{rel}: no aparece ninguna celda de código")
    assert state["prompt"] == "[ ]:", (
        f"{rel}: la primera celda de código debería estar sin ejecutar ('[ ]:'), "
        f"dice {state['prompt']!r}")

    # 2. El kernel arrancó (API del servidor) antes de ejecutar.
    def kernel_idle(_):
        sessions = lab_server.sessions_for(rel)
        return bool(sessions) and sessions[0]["kernel"]["execution_state"] == "idle"

    _wait(browser, RUN_TIMEOUT, kernel_idle, f"el kernel de {rel} no quedó listo")

    # 3. Como un estudiante: clic en la primera celda de código y Mayús+Enter.
    prompt = browser.find_element(
        By.CSS_SELECTOR, f"{_PANEL} .jp-Notebook .jp-CodeCell .jp-InputArea-prompt")
    prompt.click()
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()

    def finished(d):
        s = d.execute_script(_FIRST_CODE_CELL_JS)
        return s if s and s["prompt"] == "[1]:" else None

    done = _wait(browser, RUN_TIMEOUT, finished,
                 f"la primera celda de código de {rel} no terminó (no apareció '[1]:')")
    assert not done["errors"], f"{rel}: la celda de Colab dio error:\n" + "\n".join(done["errors"])

    # 4. Captura: test-artifacts/browser/<tarea>/<notebook>.png, con el notebook
    #    arriba de todo (Mayús+Enter lo desplazó): título y celda con «[1]:».
    shot = ARTIFACTS / path.parent.name / f"{path.stem}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    browser.execute_script(_SCROLL_TOP_JS)
    _wait(browser, PAGE_TIMEOUT, lambda d: d.execute_script(_TITLE_IN_VIEW_JS),
          f"{rel}: el título no quedó a la vista para la captura")
    assert browser.save_screenshot(str(shot)), f"no se pudo guardar {shot}"
    assert shot.stat().st_size > 10_000, f"{shot}: captura sospechosamente chica"

    # 5. Se cierra sin guardar y se apaga el kernel (un servidor para todos).
    #    Abrir y ejecutar en el navegador no escribió nada en notebooks/.
    _close_current_notebook(browser)
    for session in lab_server.sessions_for(rel):
        lab_server.api(f"/api/sessions/{session['id']}", method="DELETE")
    assert _files_under(ROOT / "notebooks") == files_before, (
        f"{rel}: abrirlo en JupyterLab cambió archivos de notebooks/")
