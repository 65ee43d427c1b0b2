#!/usr/bin/env bash
# Instala lo que necesita la prueba del navegador (tests/test_browser.py):
# Chromium y chromedriver de Debian (paquetes `chromium` y `chromium-driver`).
#
# Uso (como root, en Debian; CI lo llama antes de `make test`):
#     bash tools/envs/ci_setup.sh
#
# - Idempotente: si ya están los dos, no hace nada (ni `apt-get update`).
# - Nunca hace fallar a CI: si no puede instalar (no es Debian, no es root,
#   apt sin red...), dice por qué y sale con 0; la prueba del navegador se
#   saltea mostrando el motivo.
# - El paquete de Python `selenium` no se instala acá: viene con el extra
#   `test` de pyproject.toml (lo instala `make`).

set -u

say() { echo "ci_setup: $*"; }

have() { command -v "$1" >/dev/null 2>&1; }

report() {
    say "chromium: $(chromium --version 2>/dev/null | head -n 1)"
    say "chromedriver: $(chromedriver --version 2>/dev/null | head -n 1)"
}

if have chromium && have chromedriver; then
    say "Chromium y chromedriver ya están instalados."
    report
    exit 0
fi

if ! have apt-get; then
    say "no hay apt-get (¿no es Debian?): no instalo Chromium; la prueba del navegador se saltea."
    exit 0
fi

SUDO=()
if [ "${EUID:-$(id -u)}" -ne 0 ]; then
    if have sudo && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    else
        say "no soy root y no hay sudo sin contraseña: no instalo Chromium; la prueba del navegador se saltea."
        exit 0
    fi
fi

log="$(mktemp "${TMPDIR:-/tmp}/ci_setup.XXXXXX.log")"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o Acquire::Retries=2 -o Acquire::http::Timeout=60 -o Dpkg::Use-Pty=0)

say "apt-get update..."
if ! "${SUDO[@]}" apt-get "${apt_opts[@]}" update >"$log" 2>&1; then
    say "apt-get update falló (¿sin acceso al repositorio de Debian?); la prueba del navegador se saltea. Últimas líneas:"
    tail -n 5 "$log"
    exit 0
fi

say "apt-get install chromium chromium-driver..."
if ! "${SUDO[@]}" apt-get "${apt_opts[@]}" install -y chromium chromium-driver >>"$log" 2>&1; then
    say "apt-get install falló; la prueba del navegador se saltea. Últimas líneas:"
    tail -n 5 "$log"
    exit 0
fi
rm -f "$log"

if have chromium && have chromedriver; then
    say "instalados."
    report
else
    say "apt-get terminó pero chromium/chromedriver no están en PATH; la prueba del navegador se saltea."
fi
exit 0
