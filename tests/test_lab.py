"""`make lab` levanta JupyterLab de verdad (sin navegador si no hay pantalla)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from tools.envs import lab


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_browser_without_display(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if sys.platform == "linux":
        assert not lab.has_display()
    argv = lab.lab_argv(9999, "127.0.0.1", "abc", browser=False)
    assert "--ServerApp.open_browser=False" in argv
    assert "--ServerApp.port=9999" in argv and "--IdentityProvider.token=abc" in argv


def test_lab_serves_the_course() -> None:
    port, token = _free_port(), "prueba-token"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.envs.lab", "--port", str(port), "--token", token],
        cwd=lab.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/lab?token={token}", timeout=5) as resp:
                    status = resp.status
                    body = resp.read().decode("utf-8", "replace")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, f"JupyterLab no respondió 200 en /lab (salió con {proc.poll()})"
        assert "JupyterLab" in body or "jupyter" in body.lower()
        # Sin token no hay acceso a la API.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents", timeout=5)
            raise AssertionError("la API respondió sin token")
        except urllib.error.HTTPError as err:
            assert err.code in (401, 403)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
