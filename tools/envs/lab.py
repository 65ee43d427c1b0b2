"""Abre el curso en JupyterLab (lo usa ``make lab``).

* Sin pantalla (sin ``DISPLAY``/``WAYLAND_DISPLAY`` en Linux) no intenta abrir
  un navegador: imprime la URL con el token para copiarla.
* Puerto, IP y token se pueden cambiar: ``make lab PORT=9999 TOKEN=secreto``.
  Sin token, Jupyter genera uno al azar (y lo muestra en la URL).
"""

from __future__ import annotations

import argparse
import os
import sys

from tools import ROOT


def has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def lab_argv(port: int, ip: str, token: str | None, *, browser: bool) -> list[str]:
    argv = [
        sys.executable, "-m", "jupyter", "lab",
        f"--ServerApp.root_dir={ROOT}",
        f"--ServerApp.port={port}",
        f"--ServerApp.ip={ip}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={browser}",
        "--LabApp.default_url=/lab/tree/notebooks",
    ]
    if token:
        argv.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--token", default="", help="vacío: Jupyter genera uno")
    parser.add_argument("--browser", choices=["auto", "yes", "no"], default="auto")
    args = parser.parse_args(argv)
    browser = has_display() if args.browser == "auto" else args.browser == "yes"
    cmd = lab_argv(args.port, args.ip, args.token or None, browser=browser)
    os.chdir(ROOT)
    # Sin los mensajes de C++ de TensorFlow en cada notebook, también en uno
    # que importe tensorflow antes que helpers (helpers hace lo mismo y además
    # filtra los de arranque: helpers.config.quiet_tensorflow).
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
