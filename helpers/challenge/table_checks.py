"""Comprobaciones de la tabla de estrategias del desafío (estructura, métricas y modelo)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from helpers.arrays import left_pad, log_softmax
from helpers.challenge.common import MIN_PROMPTS, _is_number, _lm_parts, _number, _rel_diff, _special_ids
from helpers.challenge.metrics import (
    METRICS,
    MIN_SEEDS,
    PARAMS,
    PROMPTS_KEY,
    SAMPLING,
    SPREAD,
    STRATEGIES,
    aggregate,
    text_metrics,
)
from helpers.checks import _fmt

__all__ = ["check_table", "check_table_model"]

_NEVER_GENERATED = ("<pad>", "<unk>", "<s>")

_RANGES: dict[str, tuple[float, float]] = {
    "perplejidad": (1.0, math.inf),
    "distinct_1": (0.0, 1.0),
    "distinct_2": (0.0, 1.0),
    "repeticion": (0.0, 1.0),
    "largo": (0.0, math.inf),
    "terminan": (0.0, 1.0),
}

_PARAM_CHECKS: dict[str, tuple[Callable[[float], bool], str]] = {
    "ancho": (lambda v: v == int(v) and v >= 2, "un entero >= 2 (ancho 1 es greedy)"),
    "alpha": (lambda v: v >= 0, "un número >= 0"),
    "T": (lambda v: v > 0, "un número > 0"),
    "k": (lambda v: v == int(v) and v >= 2, "un entero >= 2 (k = 1 es greedy)"),
    "p": (lambda v: 0 < v < 1, "un número entre 0 y 1 (sin incluirlos)"),
}


def _label(i: int, row: Mapping[str, Any]) -> str:
    params = row.get("parametros", {})
    extra = (", ".join(f"{k}={v:g}" if _is_number(v) else f"{k}={v!r}" for k, v in params.items())
             if isinstance(params, Mapping) else "")
    return f"tabla[{i}] ({row.get('estrategia')}{', ' + extra if extra else ''})"


def _check_params(label: str, strategy: str, params: Any) -> dict[str, float]:
    if not isinstance(params, Mapping):
        raise AssertionError(f"{label}: 'parametros' tiene que ser un diccionario y es "
                             f"{type(params).__name__}.")
    missing = [k for k in PARAMS[strategy] if k not in params]
    if missing:
        raise AssertionError(
            f"{label}: se esperaban los parámetros {list(PARAMS[strategy])} para "
            f"'{strategy}' y faltan {missing}.")
    out = {k: _number(v, f"{label}, parámetro '{k}'") for k, v in params.items() if _is_number(v)}
    for k in PARAMS[strategy]:
        if k not in out:
            raise AssertionError(f"{label}: el parámetro '{k}' tiene que ser un número y es "
                                 f"{params[k]!r}.")
    for k, v in out.items():
        if k in _PARAM_CHECKS and not _PARAM_CHECKS[k][0](v):
            raise AssertionError(
                f"{label}: se esperaba que '{k}' sea {_PARAM_CHECKS[k][1]} y es {_fmt(v)}.")
    return out


def _is_token_lists(texts: Any) -> bool:
    return isinstance(texts, (list, tuple)) and all(
        isinstance(t, (list, tuple)) and all(isinstance(w, str) for w in t) for t in texts)


def _check_texts(label: str, prompts: Any, generated: Any, min_prompts: int,
                 n_runs: int = 1) -> None:
    for key, texts in ((PROMPTS_KEY, prompts), ("generados", generated)):
        if not _is_token_lists(texts):
            raise AssertionError(f"{label}: '{key}' tiene que ser una lista de listas de "
                                 "tokens (str).")
    if n_runs * len(prompts) != len(generated):
        per = "" if n_runs == 1 else f" y semilla ({n_runs} semillas)"
        raise AssertionError(
            f"{label}: se esperaba un texto generado por texto inicial{per}: "
            f"{n_runs * len(prompts)}, y hay {len(prompts)} textos iniciales y "
            f"{len(generated)} generados.")
    if len(prompts) < min_prompts:
        raise AssertionError(
            f"{label}: se esperaban al menos {min_prompts} textos iniciales y hay {len(prompts)}.")
    if any(len(p) == 0 for p in prompts):
        raise AssertionError(f"{label}: hay un texto inicial vacío (tiene que empezar con '<s>').")


def _check_metrics(label: str, row: Mapping[str, Any]) -> dict[str, float]:
    metrics = {}
    for m in METRICS:
        s = row[m + SPREAD]
        if not _is_number(s) or not 0 <= float(s) < math.inf:
            raise AssertionError(f"{label}: '{m + SPREAD}' (desvío entre semillas) tiene que ser "
                                 f"un número >= 0 y finito y es {s!r}.")
        metrics[m + SPREAD] = float(s)
        v = row[m]
        if not _is_number(v):
            raise AssertionError(f"{label}: '{m}' tiene que ser un número y es {v!r}.")
        lo, hi = _RANGES[m]
        v = float(v)
        if not lo <= v <= hi or (hi == math.inf and not math.isfinite(v)):
            rango = f"al menos {lo:g}" if hi == math.inf else f"entre {lo:g} y {hi:g}"
            raise AssertionError(f"{label}: se esperaba '{m}' {rango} (y finito) y es "
                                 f"{_fmt(v)}.")
        metrics[m] = v
    return metrics


def _row(i: int, row: Any, min_prompts: int, min_seeds: int = MIN_SEEDS) -> dict[str, Any]:
    """Valida una fila (estructura y rangos) y la devuelve normalizada."""
    if not isinstance(row, Mapping):
        raise AssertionError(f"tabla[{i}]: se esperaba un diccionario y se obtuvo "
                             f"{type(row).__name__}.")
    missing = [k for k in ("estrategia", "parametros", PROMPTS_KEY, "generados", *METRICS,
                           *(m + SPREAD for m in METRICS)) if k not in row]
    if missing:
        raise AssertionError(f"{_label(i, row)}: faltan las claves {missing} "
                             "(helpers.challenge.table_row las arma todas).")
    strategy = row["estrategia"]
    if strategy not in STRATEGIES:
        raise AssertionError(
            f"tabla[{i}]: 'estrategia' tiene que ser una de {list(STRATEGIES)} y es "
            f"{strategy!r}.")
    label = _label(i, row)
    params = _check_params(label, strategy, row["parametros"])
    seeds = _check_seeds(label, strategy, row.get("semillas", []), min_seeds)
    prompts, generated = row[PROMPTS_KEY], row["generados"]
    _check_texts(label, prompts, generated, min_prompts, max(1, len(seeds)))
    metrics = _check_metrics(label, row)
    return {"i": i, "label": label, "estrategia": strategy, "parametros": params,
            "semillas": seeds, PROMPTS_KEY: [list(p) for p in prompts],
            "generados": [list(g) for g in generated], **metrics}


def _check_seeds(label: str, strategy: str, seeds: Any, min_seeds: int = MIN_SEEDS) -> list[int]:
    if not isinstance(seeds, (list, tuple)) or not all(
            _is_number(s) and float(s) == int(s) for s in seeds):
        raise AssertionError(f"{label}: 'semillas' tiene que ser una lista de enteros y es "
                             f"{seeds!r:.60}.")
    seeds = [int(s) for s in seeds]
    if strategy in SAMPLING and len(set(seeds)) < min_seeds:
        raise AssertionError(
            f"{label}: una estrategia que muestrea cambia con la semilla: se esperaban al menos "
            f"{min_seeds} semillas distintas (media ± desvío entre ellas) y hay "
            f"{len(set(seeds))} ({seeds}). Pasá seeds=[...] a table_row.")
    if strategy not in SAMPLING and len(seeds) > 1:
        raise AssertionError(f"{label}: '{strategy}' no muestrea: se esperaba una sola corrida "
                             f"y hay {len(seeds)} semillas.")
    return seeds


def _runs(r: Mapping[str, Any]) -> list[tuple[list[list[str]], list[list[str]]]]:
    """(textos iniciales, generados) de cada corrida (semilla) de una fila normalizada."""
    n = len(r[PROMPTS_KEY])
    gen = r["generados"]
    return [(r[PROMPTS_KEY], gen[k:k + n]) for k in range(0, len(gen), n)]


def _rows(table: Any, min_prompts: int, min_seeds: int = MIN_SEEDS) -> list[dict[str, Any]]:
    """Valida la estructura y los rangos de cada fila; devuelve filas normalizadas."""
    if not isinstance(table, (list, tuple)):
        raise AssertionError(
            f"tabla: se esperaba una lista de filas (diccionarios) y se obtuvo "
            f"{type(table).__name__}.")
    if not table:
        raise AssertionError("tabla: se esperaba al menos una fila y está vacía.")
    return [_row(i, row, min_prompts, min_seeds) for i, row in enumerate(table)]


def _check_coverage(rows: list[dict[str, Any]]) -> None:
    by = {s: [r for r in rows if r["estrategia"] == s] for s in STRATEGIES}
    for s in ("greedy", "top-k", "top-p", "texto real"):
        if not by[s]:
            raise AssertionError(f"tabla: se esperaba al menos una fila '{s}' y no hay ninguna.")
    widths: dict[int, set[bool]] = {}
    for r in by["beam"]:
        widths.setdefault(int(r["parametros"]["ancho"]), set()).add(r["parametros"]["alpha"] > 0)
    complete = sorted(w for w, a in widths.items() if a == {False, True})
    if len(complete) < 2:
        found = {w: sorted("alpha > 0" if a else "alpha = 0" for a in s) for w, s in widths.items()}
        raise AssertionError(
            "tabla: se esperaba beam search con al menos dos anchos distintos, cada uno sin "
            "normalizar por largo (alpha = 0) y normalizado (alpha > 0); se encontró "
            f"{found or 'ninguna fila beam'}.")
    temps = sorted({r["parametros"]["T"] for r in by["temperatura"]})
    if len(temps) < 3 or not (temps[0] < 1 < temps[-1]):
        raise AssertionError(
            "tabla: se esperaban al menos tres temperaturas distintas, alguna menor que 1 y "
            f"alguna mayor que 1, y se encontraron {temps}.")


def check_table(table: Any, *, min_prompts: int = MIN_PROMPTS, recompute: bool = False,
                atol: float = 1e-9) -> None:
    """``tabla`` del desafío: estructura, rangos, estrategias y (``recompute``) métricas.

    Cada fila es un diccionario con ``estrategia`` (:data:`STRATEGIES`),
    ``parametros`` (:data:`PARAMS`), ``textos_iniciales`` y ``generados`` (listas de
    listas de tokens, una por texto inicial, al menos ``min_prompts``) y las
    :data:`METRICS`. Tiene que haber greedy; beam con dos anchos, cada uno con
    ``alpha = 0`` y ``alpha > 0``; tres temperaturas (alguna < 1 y alguna > 1);
    top-k y top-p. Con ``recompute`` las métricas de texto se recalculan desde
    ``generados`` (:func:`text_metrics`) y tienen que coincidir.
    """
    rows = _rows(table, min_prompts)
    _check_coverage(rows)
    for r in rows:
        if r["estrategia"] == "texto real":
            continue
        bad = [t for g in r["generados"] for t in g if t in _NEVER_GENERATED]
        if bad:
            raise AssertionError(
                f"{r['label']}: se generó {bad[0]!r}, que la generación prohíbe (<pad>, <unk> y "
                "<s> no son palabras que se puedan escribir): se esperaba que next_log_probs "
                "y el Decoder (banned_ids) los excluyan.")
    if recompute:
        for r in rows:
            runs = [{"perplejidad": 1.0, **text_metrics(g)} for _, g in _runs(r)]
            for m, expected in aggregate(runs).items():
                if m.startswith("perplejidad"):
                    continue
                if abs(r[m] - expected) > atol:
                    raise AssertionError(
                        f"{r['label']}: se esperaba '{m}' = {_fmt(expected)} (recalculado desde "
                        f"'generados' con helpers.challenge.text_metrics, media y desvío entre "
                        f"semillas) y se obtuvo {_fmt(r[m])}.")


# ---------------------------------------------------------------------------
# Contra el modelo
# ---------------------------------------------------------------------------
def _encode(vocab: Any, tokens: Sequence[str], where: str) -> list[int]:
    ids = []
    for t in tokens:
        if t not in vocab.stoi:
            raise AssertionError(f"{where}: el token {t!r} no está en el vocabulario del modelo "
                                 "(¿otro modelo u otro vocabulario?).")
        ids.append(int(vocab.stoi[t]))
    return ids


def _scan_row(model: Any, prefixes: list[list[int]], targets: list[int],
              inspect: Callable[[np.ndarray, np.ndarray, int], None] | None,
              batch_size: int = 256) -> np.ndarray:
    """``log P(objetivo | prefijo)`` de cada par con el modelo completo (prefijo
    entero, rellenado a la izquierda); ``inspect(logp, objetivos, inicio)`` ve
    las log-probabilidades completas de cada lote."""
    width = max(len(p) for p in prefixes)
    out = np.empty(len(prefixes), dtype=np.float64)
    for start in range(0, len(prefixes), batch_size):
        chunk = prefixes[start:start + batch_size]
        X = left_pad(chunk, width=width)
        logp = log_softmax(np.asarray(model(X, training=False), dtype=np.float64))
        y = np.asarray(targets[start:start + len(chunk)])
        out[start:start + len(chunk)] = logp[np.arange(len(chunk)), y]
        if inspect is not None:
            inspect(logp, y, start)
    return out


def _violations(strategy: str, params: Mapping[str, float], logp: np.ndarray, y: np.ndarray,
                allowed: np.ndarray, pad: int) -> tuple[np.ndarray, str]:
    """Qué pasos de un lote no pudo haber elegido la estrategia, y por qué."""
    rows_ = np.arange(len(y))
    lp_t = logp[rows_, y]
    masked = np.where(allowed[None, :], logp, -np.inf)
    if strategy == "greedy":
        return ((y == pad) | (lp_t < masked.max(axis=1) - 1e-4),
                "no era la palabra más probable")
    if strategy == "top-k":
        above = (masked > lp_t[:, None] + 1e-6).sum(axis=1)
        return ((y == pad) | (above >= params["k"]),
                f"no estaba entre las k = {int(params['k'])} más probables")
    if strategy == "top-p":
        z = logp / params.get("T", 1.0)
        q = np.exp(z - z.max(axis=1, keepdims=True))
        q /= q.sum(axis=1, keepdims=True)
        q_t = q[rows_, y]
        before = np.where(allowed[None, :] & (q > q_t[:, None] * (1 + 1e-6)), q, 0).sum(1)
        return ((y == pad) | (before >= params["p"] + 1e-6),
                f"quedaba fuera del núcleo de masa p = {params['p']:g}")
    return y == pad, "es <pad>, que nunca se genera"


def _row_pairs(r: Mapping[str, Any], vocab: Any) -> tuple[list[list[int]], list[int],
                                                          list[tuple[int, int, int]]]:
    """(prefijo, objetivo) de cada token generado de la fila, sin los ``<unk>`` (la
    generación no puede producirlos), y de dónde sale (corrida, texto inicial, paso)."""
    label = r["label"]
    unk = _special_ids(vocab)[1]
    prefixes, targets, where = [], [], []
    for k, (prompts, gens) in enumerate(_runs(r)):
        for s, (prompt, gen) in enumerate(zip(prompts, gens, strict=True)):
            p_ids = _encode(vocab, prompt, f"{label}, texto inicial {s}")
            g_ids = _encode(vocab, gen, f"{label}, texto generado {s}")
            for t in range(len(g_ids)):
                if g_ids[t] == unk:
                    continue
                prefixes.append(p_ids + g_ids[:t])
                targets.append(g_ids[t])
                where.append((k, s, t))
    if not targets:
        raise AssertionError(f"{label}: no hay ningún token generado.")
    return prefixes, targets, where


def _check_row_model(r: Mapping[str, Any], model: Any, vocab: Any, allowed: np.ndarray,
                     rtol: float, check_strategies: bool) -> None:
    label = r["label"]
    pad = _special_ids(vocab)[0]
    prefixes, targets, where = _row_pairs(r, vocab)
    problems: list[str] = []

    def inspect(logp: np.ndarray, y: np.ndarray, start: int) -> None:
        if problems:
            return
        bad, why = _violations(r["estrategia"], r["parametros"], logp, y, allowed, pad)
        if np.any(bad):
            j = int(np.argmax(bad))
            _, s, t = where[start + j]
            masked = np.where(allowed, logp[j], -np.inf)
            best = int(np.argmax(masked))
            problems.append(
                f"{label}: en el texto inicial {s}, paso {t}, se generó {vocab.itos[int(y[j])]!r} "
                f"(log-prob {logp[j, int(y[j])]:.3f}), que {why} según el modelo (la más "
                f"probable era {vocab.itos[best]!r}, {masked[best]:.3f}). ¿Esta fila salió de "
                "esta estrategia y de este modelo?")

    logp = _scan_row(model, prefixes, targets, inspect if check_strategies else None)
    run_of = np.array([w[0] for w in where])
    n_runs = len(_runs(r))
    per_run = [math.exp(-float(logp[run_of == k].sum()) / max(1, int((run_of == k).sum())))
               for k in range(n_runs)]
    expected = float(np.mean(per_run))
    spread = float(np.std(per_run, ddof=1)) if n_runs > 1 else 0.0
    n = len(targets)
    if _rel_diff(r["perplejidad"], expected) > rtol:
        unk_hint = (" Los <unk> del texto no cuentan: la generación no puede producirlos."
                    if r["estrategia"] == "texto real" else "")
        raise AssertionError(
            f"{label}: se esperaba la perplejidad que el modelo le da a lo generado "
            f"(condicionado en cada texto inicial y en lo ya generado, {n} tokens sin <unk>"
            f"{', media entre semillas' if n_runs > 1 else ''}), "
            f"{_fmt(expected)}, y se obtuvo {_fmt(r['perplejidad'])} (error relativo "
            f"{_rel_diff(r['perplejidad'], expected):.2g}, tolerancia {rtol:g}). ¿La "
            f"escribiste a mano, o la calculaste con otro modelo o sin el texto inicial?{unk_hint}")
    if abs(r["perplejidad" + SPREAD] - spread) > rtol * max(expected, 1.0):
        raise AssertionError(
            f"{label}: se esperaba el desvío de la perplejidad entre semillas "
            f"{_fmt(spread)} (recalculado con el modelo) y se obtuvo "
            f"{_fmt(r['perplejidad' + SPREAD])}.")
    if problems:
        raise AssertionError(problems[0])


def check_table_model(table: Any, lm: Any, *, rtol: float = 1e-2,
                      check_strategies: bool = False, min_prompts: int = 1) -> None:
    """Las filas de ``tabla`` contra el modelo ``lm``.

    * la ``perplejidad`` de cada fila coincide (error relativo ``<= rtol``) con
      la que el modelo le da a ``generados`` condicionado en cada texto inicial y en lo
      ya generado (como :class:`helpers.decoding.Decoder` y :func:`table_row`);
    * ``check_strategies``: en cada paso, el token de una fila greedy es el más
      probable, el de una fila top-k está entre los ``k`` más probables y el de
      una fila top-p está en el núcleo de masa ``p`` (con la temperatura ``T`` de
      la fila, si la declara). Sin contar ``<pad>``, ``<unk>`` ni ``<s>``, que el
      estudiante puede haber prohibido o no: la comprobación acepta las dos cosas.
    """
    model, vocab, _ = _lm_parts(lm)
    rows = _rows(table, min_prompts, min_seeds=1)  # cuántas semillas lo comprueba check_table
    pad, unk, _eos, bos = _special_ids(vocab)
    allowed = np.ones(len(vocab.itos), dtype=bool)
    allowed[[pad, unk, bos]] = False
    for r in rows:
        _check_row_model(r, model, vocab, allowed, rtol, check_strategies)
