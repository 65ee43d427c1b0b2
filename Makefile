# Curso «Redes neuronales recurrentes para PLN»: un comando por tarea.
#   make lab        abre el curso en JupyterLab (crea .venv e instala si hace falta)
#   make test       todas las pruebas (mismo set-up, modo rápido)
#   make release    regenera notebooks/ (versión del estudiante) desde solutions/
#   make new-lesson ASSIGNMENT=clase_rnn NAME=07_gru   esqueleto de una lección nueva
#   make fix-ids    id de cada celda de nbgrader = su grade_id (tras editar en JupyterLab)
#   make autograde  corrige todo lo que hay en submitted/ y muestra una tabla
#   make feedback   devoluciones HTML de lo corregido (feedback/)
#   make solutions  ejecuta las soluciones en modo completo (salidas reales)
#   make stats      estadísticas de la clase corregida (stats/: HTML, CSV)
#   make bench      benchmarks (cifras, no aserciones)

SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXTRAS := tf,lab,test,grading
STAMP  := $(VENV)/.installed

PORT   ?= 8888
TOKEN  ?=
IP     ?= 127.0.0.1
JOBS   ?= 2
# Procesos de pytest-xdist en `make test`: uno más que núcleos. Muchas pruebas
# esperan sin usar el procesador (un kernel que arranca, un timeout, el clúster
# de Dask, el kill -9): con uno por núcleo, 20 % de la CPU quedaba ociosa.
TEST_JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))

# Espejo local de los corpus (sin internet): ../shared/corpora si existe; otro
# con `make test MIRROR=/ruta/a/corpora` (vacío: sin espejo, se descarga).
MIRROR ?= $(wildcard $(abspath $(CURDIR)/../shared/corpora))
MIRROR_ENV := $(if $(MIRROR),COURSE_DATA_MIRROR=$(MIRROR),)

.PHONY: install lab test release autograde solutions bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[$(EXTRAS)]"
	@# rfc3987-syntax (extra format-nongpl de jsonschema, que pide jupyter-events)
	@# compila una gramática de lark al importarse: 2-4 s de CPU en cada proceso
	@# que importa nbformat (nbgrader, cada entrega que se corrige, JupyterLab).
	@# jsonschema funciona sin él (solo deja de validar el formato «iri», que
	@# nada del curso usa); tests/test_environment.py lo comprueba.
	$(BIN)/python -m pip uninstall --quiet --disable-pip-version-check -y rfc3987-syntax
	@touch $@

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/python -m tools.envs.lab --port $(PORT) --ip $(IP) --token "$(TOKEN)"

# Pruebas: modo rápido, caché de datos y modelos nueva en cada corrida (como un
# clon recién hecho), todos los núcleos con pytest-xdist (TEST_JOBS). En segundo plano, mientras
# tanto, tools.envs.colab_env arma el entorno con las versiones de Colab
# (constraints/colab.txt; en caché en .cache/colab-runtime mientras no cambie) e
# instala el curso como la celda de Colab. nbval corre cada notebook de solutions/
# ahí, en un kernel de ese entorno (--nbval-kernel-name colab-runtime,
# tests/colab_kernel.py), cuando esté listo; en el entorno del docente cada
# solución corre entera al corregirla (tests/test_autograde.py).
#
# El entorno de Colab se arma con el Python del sistema (tools.envs.colab_env
# solo usa la biblioteca estándar) desde el principio: en un clon nuevo, a la
# par de la instalación de .venv (pip usa un núcleo), no de las pruebas.
# ruff y mypy (make lint) corren a la par de las pruebas; su salida va al final.
test:
	@cache=$$(mktemp -d); colab_log=$$(mktemp); lint_log=$$(mktemp); \
	$(PYTHON) -m tools.envs.colab_env >"$$colab_log" 2>&1 & colab_pid=$$!; \
	trap 'rm -rf "$$cache" "$$colab_log" "$$lint_log"' EXIT; \
	$(MAKE) --no-print-directory install || { wait $$colab_pid; exit 1; }; \
	$(MAKE) --no-print-directory lint >"$$lint_log" 2>&1 & lint_pid=$$!; \
	env PATH="$(abspath $(BIN)):$$PATH" COURSE_FAST=1 COURSE_DATA_DIR="$$cache" $(MIRROR_ENV) MPLBACKEND=Agg \
	    TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=0 \
	    $(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadgroup \
	    tests solutions --nbval-lax --nbval-kernel-name=colab-runtime --nbval-cell-timeout=180 \
	    -p no:cacheprovider -rs $(PYTEST_ARGS); status=$$?; \
	wait $$lint_pid; lint_status=$$?; cat "$$lint_log"; \
	wait $$colab_pid; grep -v '^WARNING: Location' "$$colab_log" | tail -n 3; \
	if [ $$status -eq 0 ]; then status=$$lint_status; fi; exit $$status

# Estilo, errores comunes y complejidad (ruff) y tipos (mypy) de helpers/ y tools/;
# la configuración está en pyproject.toml. make test la corre a la par de las pruebas.
.PHONY: lint test-unit
lint: $(STAMP)
	$(BIN)/ruff check helpers tools
	$(BIN)/mypy helpers tools

# Para el día a día: las pruebas de helpers que no entrenan modelos (marca
# `unit and not slow`, ver conftest.py), en menos de un minuto. Las que entrenan:
# make test-unit UNIT=unit. make test sigue siendo lo que corre CI.
UNIT ?= unit and not slow
test-unit: $(STAMP)
	@cache=$$(mktemp -d); trap 'rm -rf "$$cache"' EXIT; \
	env COURSE_FAST=1 COURSE_DATA_DIR="$$cache" $(MIRROR_ENV) MPLBACKEND=Agg \
	    TF_CPP_MIN_LOG_LEVEL=2 PYTHONHASHSEED=0 \
	    $(BIN)/python -m pytest tests -m "$(UNIT)" -q -p no:cacheprovider $(PYTEST_ARGS)

release: $(STAMP) fix-ids
	$(BIN)/python -m tools.authoring.release

# Lección nueva con la anatomía completa y su módulo de respuestas equivocadas
# (tools/authoring/new_lesson.py). TITLE es opcional. Nunca pisa una lección existente.
.PHONY: new-lesson fix-ids
new-lesson: $(STAMP)
	@if [ -z "$(ASSIGNMENT)" ] || [ -z "$(NAME)" ]; then \
	    echo "Uso: make new-lesson ASSIGNMENT=clase_rnn NAME=07_gru [TITLE='Celdas GRU']" >&2; exit 2; fi
	$(BIN)/python -m tools.authoring.new_lesson "$(ASSIGNMENT)" "$(NAME)" $(if $(TITLE),--title "$(TITLE)",)

# JupyterLab no deja elegir el id de una celda: esto lo iguala al grade_id de
# nbgrader en solutions/*/*.ipynb (la corrección restaura celdas por id).
fix-ids: $(STAMP)
	$(BIN)/python -m tools.authoring.nb fix-ids

# Corrección de la clase (ver README, «Corregir una clase»): JOBS=N trabajos en
# paralelo (por omisión, uno por núcleo), SCHEDULER=tcp://HOST:8786 en un clúster
# de Dask, STUDENT=id uno solo, REGRADE=1 todo de nuevo, SANDBOX=1 aislado.
GRADING_ARGS = $(if $(filter command line environment,$(origin JOBS)),--jobs $(JOBS),) \
	$(if $(SCHEDULER),--scheduler $(SCHEDULER),) $(if $(STUDENT),--student $(STUDENT),) \
	$(if $(REGRADE),--regrade,) $(if $(SANDBOX),--sandbox,) $(if $(FULL),--full,)

.PHONY: feedback
autograde: $(STAMP)
	$(MIRROR_ENV) $(BIN)/python -m tools.grading $(GRADING_ARGS)

# Devoluciones HTML (feedback/) de todo lo corregido, en paralelo.
feedback: $(STAMP)
	$(MIRROR_ENV) $(BIN)/python -m tools.grading --feedback $(GRADING_ARGS)

# Ejecuta las soluciones en modo completo (salidas reales en GitHub), mide también
# el modo rápido, y regenera notebooks/ y la tabla de tiempos del README.
# Sin MPLBACKEND ni TF_CPP_MIN_LOG_LEVEL: los kernels ven lo mismo que en
# JupyterLab o Colab (gráficos inline, que quedan guardados).
solutions: $(STAMP)
	env -u COURSE_FAST -u MPLBACKEND -u TF_CPP_MIN_LOG_LEVEL $(MIRROR_ENV) \
	    $(BIN)/python -m tools.authoring.run_solutions
	env -u MPLBACKEND -u TF_CPP_MIN_LOG_LEVEL $(MIRROR_ENV) \
	    $(BIN)/python -m tools.authoring.run_solutions --measure-fast
	$(BIN)/python -m tools.authoring.release

# Estadísticas de la clase ya corregida (README, «Estadísticas de la clase»): sin
# volver a corregir, desde la gradebook y los resultados guardados en .grading/.
.PHONY: stats
stats: $(STAMP)
	$(BIN)/python -m tools.stats --course . $(STATS_ARGS)

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(MIRROR_ENV) $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache gradebook.db autograded feedback
