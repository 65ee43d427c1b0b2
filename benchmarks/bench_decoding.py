"""Benchmark de decodificación: tokens por segundo (cifras, no aserciones).

Compara, sobre **un** modelo y en **una** corrida:

* el bucle ingenuo del curso clásico: ``model.predict`` por token sobre la
  ventana entera (y la misma idea con ``predict_on_batch``);
* el decodificador de ``helpers.decoding`` (estado llevado paso a paso, bucle
  compilado con ``tf.function``): greedy, beam search (ancho 5) y muestreo
  (temperatura + top-p), con un prompt y con un lote;
* si ``keras_hub`` está instalado (extra opcional: trae el wheel completo de
  TensorFlow y ``tensorflow-text``), ``keras_hub.samplers.GreedySampler`` y
  ``BeamSampler`` con un ``next`` que usa la misma caché (el estado de la red)
  y el mismo paso, compilados con ``tf.function``;
* el costo por token después de prompts de 16 y 512 tokens: el del bucle
  ingenuo crece con el prompt; el del decodificador con estado, no.

El modelo es el de la lección 4 con su tamaño de la lección completa
(``LMConfig()``: LSTM de 128 unidades, embedding de 64) y el vocabulario de
*Martín Fierro* (827 tokens), con pesos al azar: la velocidad no depende del
entrenamiento. ``--lm`` usa el modelo entrenado de ``helpers.lm.load_or_train``.

Uso: ``python benchmarks/bench_decoding.py [--tokens 64] [--repeats 5] [--lm]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402


def _best_time(fn, repeats: int) -> float:
    """Mejor tiempo de ``repeats`` corridas (después de una de calentamiento)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def naive_generate(model, prompt: list[int], n_tokens: int, window: int,
                   use_predict: bool = True) -> list[int]:
    """El bucle clásico: en cada paso, el modelo sobre la ventana entera (relleno a la izquierda)."""
    seq = list(prompt)
    for _ in range(n_tokens):
        ctx = seq[-window:]
        x = np.zeros((1, window), np.int32)
        x[0, window - len(ctx):] = ctx
        logits = model.predict(x, verbose=0) if use_predict else model.predict_on_batch(x)
        seq.append(int(np.argmax(logits[0])))
    return seq[len(prompt):]


def keras_hub_runners(dec, prompt_ids: list[int], n_tokens: int):
    """GreedySampler y BeamSampler(5) de keras_hub con un ``next`` con caché (el estado)."""
    try:
        import keras_hub
    except ImportError:
        return None
    import tensorflow as tf

    P = len(prompt_ids)
    total = P + n_tokens

    def next_fn(prompt, cache, index):
        # cache = estado después de prompt[:, :index - 1]; se alimenta el token index - 1.
        logits, cache = dec.stepper.step(prompt[:, index - 1], cache)
        return logits, None, cache

    def make(sampler):
        @tf.function
        def run(prompt):
            _, state = dec.stepper.prefill(prompt[:, : P - 1])
            return sampler(next_fn, prompt, cache=state, index=P)

        def call():
            x = np.zeros((1, total), np.int32)
            x[0, :P] = prompt_ids
            return run(tf.constant(x))

        return call

    return {
        "keras_hub GreedySampler": make(keras_hub.samplers.GreedySampler()),
        "keras_hub BeamSampler (5)": make(keras_hub.samplers.BeamSampler(num_beams=5)),
    }, keras_hub.__version__


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", type=int, default=64, help="tokens generados por corrida")
    ap.add_argument("--naive-tokens", type=int, default=20, help="tokens del bucle ingenuo")
    ap.add_argument("--repeats", type=int, default=5, help="rondas (se toma el mejor tiempo)")
    ap.add_argument("--batch", type=int, default=64, help="lote para el muestreo en lote")
    ap.add_argument("--lm", action="store_true", help="usar el modelo entrenado de helpers.lm")
    args = ap.parse_args(argv)

    import keras
    import tensorflow as tf

    from helpers.decoding import Decoder
    from helpers.lm import LMConfig, build_lm

    if args.lm:
        from helpers.lm import load_or_train

        lm = load_or_train(verbose=0)
        model, V, window = lm.model, len(lm.vocab), lm.config.context_len
        origen = f"entrenado ({lm.config.cell} {lm.config.units})"
    else:
        config = LMConfig()
        keras.utils.set_random_seed(0)
        V, window = 827, config.context_len
        model = build_lm(V, config)
        origen = f"pesos al azar, {config.cell} {config.units}, embedding {config.embed_dim}"
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} CPU")
    print(f"Modelo: V = {V}, ventana = {window}, {origen}")
    print(f"{args.tokens} tokens por corrida (ingenuo: {args.naive_tokens}), mejor de {args.repeats}\n")

    dec = Decoder(model, eos_id=None)   # sin fin de secuencia: largo fijo, comparable
    rng = np.random.default_rng(0)
    prompt = [3] + rng.integers(4, V, size=3).tolist()
    n = args.tokens
    rows: list[tuple[str, float]] = []

    # (nombre, función, tokens que produce una llamada)
    cases = [
        ("ingenuo: model.predict por token",
         lambda: naive_generate(model, prompt, args.naive_tokens, window), args.naive_tokens),
        ("ingenuo: predict_on_batch por token",
         lambda: naive_generate(model, prompt, args.naive_tokens, window, False), args.naive_tokens),
        ("helpers greedy", lambda: dec.greedy([prompt], n), n),
        ("helpers beam (ancho 5)", lambda: dec.beam([prompt], n, beam_width=5), n),
        ("helpers muestreo (T=0.8, top-p 0.9)",
         lambda: dec.sample([prompt], n, temperature=0.8, top_p=0.9, seed=1), n),
        (f"helpers muestreo, lote de {args.batch}",
         lambda: dec.sample([prompt] * args.batch, n, temperature=0.8, seed=1), args.batch * n),
    ]
    hub = keras_hub_runners(dec, prompt, n)
    if hub is None:
        print("keras_hub no está instalado: se omiten sus samplers "
              "(pip install keras-hub; trae el TensorFlow completo)\n")
    else:
        runners, version = hub
        print(f"keras_hub {version}: samplers con el mismo paso y la misma caché, "
              "compilados con tf.function (sin XLA, igual que helpers)\n")
        cases += [(name, fn, n) for name, fn in runners.items()]

    # Rondas intercaladas (mejor tiempo de cada caso): con la CPU compartida,
    # una ráfaga de carga no castiga a un solo decodificador.
    for _, fn, _ in cases:
        fn()                                   # calentar: compilar y trazar
    best = [float("inf")] * len(cases)
    for _ in range(args.repeats):
        for i, (_, fn, _) in enumerate(cases):
            t0 = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t0)
    rows = [(name, k / t) for (name, _, k), t in zip(cases, best)]

    base = rows[0][1]
    print(f"{'decodificador':44s} {'tokens/s':>12s} {'× ingenuo':>11s}")
    for name, tps in rows:
        print(f"{name:44s} {tps:12.1f} {tps / base:11.1f}")
    byname = dict(rows)
    print()
    print(f"objetivo greedy >= 200× ingenuo: {byname['helpers greedy'] / base:.0f}×")
    for ours, theirs in (("helpers greedy", "keras_hub GreedySampler"),
                         ("helpers beam (ancho 5)", "keras_hub BeamSampler (5)")):
        if theirs in byname:
            print(f"{ours} / {theirs}: {byname[ours] / byname[theirs]:.2f}×")

    # Costo por token según el largo del prompt.
    m = 4 * n
    print("\nCosto por token generado (ms) después de un prompt de L tokens")
    print(f"{'L':>5s} {'ingenuo (ventana = todo)':>26s} {'helpers: leer el prompt':>25s} "
          f"{'helpers: por token':>20s}")
    for L in (16, 512):
        long_prompt = [3] + rng.integers(4, V, size=L - 1).tolist()
        k = 8
        t_naive = _best_time(lambda: naive_generate(model, long_prompt, k, len(long_prompt) + k,
                                                    False), 2) / k
        t_prefill = _best_time(lambda: dec.greedy([long_prompt], 1), args.repeats)
        t_total = _best_time(lambda: dec.greedy([long_prompt], m + 1), args.repeats)
        per_token = (t_total - t_prefill) / m
        print(f"{L:5d} {1e3 * t_naive:26.2f} {1e3 * t_prefill:25.2f} {1e3 * per_token:20.3f}")
    print(f"(ingenuo: predict_on_batch sobre todo el texto en cada paso; helpers: el prompt se "
          f"lee una vez y cada token cuesta un paso: (tiempo con {m} tokens - tiempo con 1) / {m})")


if __name__ == "__main__":
    main()
