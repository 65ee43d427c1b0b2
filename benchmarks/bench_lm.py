"""Cifras del modelo de lenguaje de la lección 04 (*Martín Fierro*): tiempos y perplejidades.

Imprime, para el modo rápido y el completo: segundos por época de entrenamiento,
épocas hasta la parada temprana, y la perplejidad de validación y de prueba de
cada modelo (LSTM, SimpleRNN) y de cada baseline (uniforme, unigrama,
Kneser-Ney de bigramas y trigramas con el descuento ajustado en validación, y
el trigrama con el descuento por omisión de nltk), todos con el mismo
vocabulario y los mismos objetivos. Son cifras, no aserciones.

Uso (desde la raíz del repositorio)::

    COURSE_DATA_MIRROR=../shared/corpora python benchmarks/bench_lm.py [--modes fast full] [--use-cache]

Cada modo corre en un proceso aparte (``COURSE_FAST`` se lee al importar la
configuración). Sin ``--use-cache`` entrena en una caché de modelos temporal,
para medir el entrenamiento de verdad.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any


def worker() -> dict[str, Any]:
    import dataclasses

    import numpy as np

    from helpers import fast_mode, ngram
    from helpers.lm import default_config, load_or_train

    def ppl(p: np.ndarray) -> float:
        return float(np.exp(-np.log(p).mean()))

    out: dict[str, Any] = {"mode": "fast" if fast_mode() else "full", "models": {}, "baselines": {}}
    config = default_config()
    out["config"] = config.to_dict()
    for name, cell in [("LSTM", "lstm"), ("SimpleRNN", "simple_rnn")]:
        t0 = time.perf_counter()
        lm = load_or_train(dataclasses.replace(config, cell=cell), verbose=0)
        total = time.perf_counter() - t0
        h = lm.history
        out["models"][name] = {
            "from_cache": lm.from_cache,
            "seconds_total": total,
            "epochs": len(h["val_perplexity"]),
            "best_epoch": h["best_epoch"] + 1,
            "seconds_per_epoch": float(np.mean(h["epoch_seconds"])),
            "val": lm.perplexity("val"),
            "test": lm.perplexity("test"),
            "params": lm.model.count_params(),
        }
    vocab, splits = lm.vocab, lm.splits
    out["V"] = len(vocab)
    out["targets"] = {k: sum(len(d) + 1 for d in splits[k]) for k in ("train", "val", "test")}
    b = out["baselines"]
    b["uniforme"] = {k: ppl(ngram.uniform_target_probs(splits[k], vocab)) for k in ("val", "test")}
    b["unigrama"] = {k: ppl(ngram.unigram_target_probs(splits.train, splits[k], vocab))
                     for k in ("val", "test")}
    for order, name in [(2, "KN bigrama"), (3, "KN trigrama")]:
        t0 = time.perf_counter()
        kn = ngram.fit_kneser_ney(splits.train, vocab, order)
        if order == 3:
            kn.estimator.discount = 0.1
            b["KN trigrama d=0.1 (nltk)"] = {k: ngram.ngram_perplexity(kn, splits[k], vocab)
                                              for k in ("val", "test")}
        best, _ = ngram.tune_discount(kn, splits.val, vocab)
        b[name] = {k: ngram.ngram_perplexity(kn, splits[k], vocab) for k in ("val", "test")}
        b[name]["discount"] = best
        b[name]["seconds_fit_tune_score"] = time.perf_counter() - t0
    return out


def _run_mode(mode: str, use_cache: bool) -> dict[str, Any]:
    env = dict(os.environ)
    env["COURSE_FAST"] = "1" if mode == "fast" else "0"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="bench_lm_") as tmp:
        if not use_cache:
            env["COURSE_MODEL_DIR"] = tmp
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, __file__, "--worker"], env=env,
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"falló el modo {mode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    return result


def _report(r: dict[str, Any]) -> None:
    t = r["targets"]
    print(f"\n## Modo {'rápido' if r['mode'] == 'fast' else 'completo'} · V = {r['V']} · "
          f"objetivos: {t['train']} entrenamiento, {t['val']} validación, {t['test']} prueba · "
          f"proceso completo {r['wall_seconds']:.0f} s (CPU: {os.cpu_count()} núcleos)")
    c = r["config"]
    print(f"config: embed {c['embed_dim']}, units {c['units']}, dropout {c['dropout']}, "
          f"batch {c['batch_size']}, lr {c['learning_rate']}, epochs ≤ {c['epochs']}, "
          f"patience {c['patience']}, context_len {c['context_len']}, min_count {c['min_count']}")
    print(f"\n| {'modelo':<26} | {'validación':>10} | {'prueba':>8} | notas")
    print(f"|{'-' * 28}|{'-' * 12}|{'-' * 10}|------")
    rows = []
    for name, m in r["models"].items():
        note = (f"{m['epochs']} épocas (mejor {m['best_epoch']}), {m['seconds_per_epoch']:.1f} s/época, "
                f"{m['seconds_total']:.0f} s en total, {m['params']:,} parámetros"
                + (" [de la caché]" if m["from_cache"] else ""))
        rows.append((name, m["val"], m["test"], note))
    for name, b in r["baselines"].items():
        note = f"descuento {b['discount']}" if "discount" in b else ""
        rows.append((name, b["val"], b["test"], note))
    for name, v, te, note in sorted(rows, key=lambda x: x[2]):
        print(f"| {name:<26} | {v:>10.2f} | {te:>8.2f} | {note}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", nargs="+", default=["fast", "full"], choices=["fast", "full"])
    ap.add_argument("--use-cache", action="store_true",
                    help="usar la caché de modelos del usuario (no mide el entrenamiento)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker()))
        return
    print("# Modelo de lenguaje de la lección 04 sobre Martín Fierro")
    for mode in args.modes:
        _report(_run_mode(mode, args.use_cache))


if __name__ == "__main__":
    main()
