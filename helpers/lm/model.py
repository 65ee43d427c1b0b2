"""La arquitectura del modelo de lenguaje (:func:`build_lm`)."""

from __future__ import annotations

import keras

from helpers.lm.configuration import LMConfig, default_config

__all__ = ["CELLS", "build_lm"]

#: Capa de Keras de cada tipo de celda de :class:`LMConfig` (``cell``).
CELLS: dict[str, type] = {
    "simple_rnn": keras.layers.SimpleRNN,
    "gru": keras.layers.GRU,
    "lstm": keras.layers.LSTM,
}


def build_lm(vocab_size: int, config: LMConfig | None = None) -> keras.Model:
    """Embedding → capas recurrentes → Dense(V) con logits; compilado.

    Pérdida: entropía cruzada categórica dispersa ``from_logits=True``;
    optimizador Adam con ``config.learning_rate``.
    """
    config = config or default_config()
    cell = CELLS[config.cell]
    layers: list[keras.layers.Layer] = [
        keras.Input(shape=(None,), dtype="int32", name="ids"),
        keras.layers.Embedding(vocab_size, config.embed_dim, mask_zero=True, name="embedding"),
    ]
    for i, units in enumerate(config.units):
        last = i == len(config.units) - 1
        layers.append(cell(units, return_sequences=not last, name=f"{config.cell}_{i}"))
        if config.dropout:
            layers.append(keras.layers.Dropout(config.dropout, name=f"dropout_{i}"))
    layers.append(keras.layers.Dense(vocab_size, name="logits"))
    model = keras.Sequential(layers, name=f"lm_{config.cell}")
    model.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model
