"""Respuestas equivocadas plausibles de la lección 3 (RNN bidireccional).

``backward_rnn`` es la recurrencia hacia atrás de la diapositiva (el ciclo desde t = T);
``bidirectional_forward`` trae las dos direcciones y el estudiante escribe "concat" y "ave".
Sus celdas de evaluación usan una ``backward_rnn`` de referencia al corregir
(``checks.graded_alone``): un error en la recurrencia cuesta solo los puntos de ``backward_rnn``.
"""

import numpy as np

NOTEBOOK = "clase_rnn/03_rnn_bidireccional.ipynb"


def _forward(X, W_hx, W_hh, b_h, h0=None, act=np.tanh, transpose=False, bias=True):
    X = np.asarray(X, dtype=np.float64)
    batch, T, _ = X.shape
    h = np.zeros((batch, W_hh.shape[0])) if h0 is None else h0
    out = np.zeros((batch, T, W_hh.shape[0]))
    Whh = W_hh.T if transpose else W_hh
    for t in range(T):
        h = act(X[:, t] @ W_hx + h @ Whh + (b_h if bias else 0))
        out[:, t] = h
    return out


# ---------------------------------------------------------------------------
# backward_rnn

def bw_forward_order(X, W_hx, W_hh, b_h):
    """Recorre t = 1…T y usa h2_{t-1}: es la dirección hacia adelante con los pesos de atrás."""
    return _forward(X, W_hx, W_hh, b_h)


def bw_starts_one_early(X, W_hx, W_hh, b_h):
    """Corrido un paso: el ciclo arranca en T-1 (range(T - 2, -1, -1)) y el último paso queda en 0."""
    X = np.asarray(X, dtype=np.float64)
    batch, T, _ = X.shape
    h = np.zeros((batch, W_hh.shape[0]))
    H = np.zeros((batch, T, W_hh.shape[0]))
    for t in range(T - 2, -1, -1):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
        H[:, t] = h
    return H


def bw_stores_before_update(X, W_hx, W_hh, b_h):
    """Guarda el estado antes de actualizarlo: en la posición t queda h2_{t+1} (corrido un paso)."""
    X = np.asarray(X, dtype=np.float64)
    batch, T, _ = X.shape
    h = np.zeros((batch, W_hh.shape[0]))
    H = np.zeros((batch, T, W_hh.shape[0]))
    for t in range(T - 1, -1, -1):
        H[:, t] = h
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
    return H


def bw_stores_shifted(X, W_hx, W_hh, b_h):
    """Guarda h2_t en la posición t-1 (corrido un lugar; el primero pisa la última posición)."""
    X = np.asarray(X, dtype=np.float64)
    batch, T, _ = X.shape
    h = np.zeros((batch, W_hh.shape[0]))
    H = np.zeros((batch, T, W_hh.shape[0]))
    for t in range(T - 1, -1, -1):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
        H[:, t - 1] = h
    return H


def bw_one_based_range(X, W_hx, W_hh, b_h):
    """Copia t = T…1 literal, range(T, 0, -1), e indexa X[:, t]: se sale del arreglo en t = T."""
    X = np.asarray(X, dtype=np.float64)
    batch, T, _ = X.shape
    h = np.zeros((batch, W_hh.shape[0]))
    H = np.zeros((batch, T, W_hh.shape[0]))
    for t in range(T, 0, -1):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
        H[:, t] = h
    return H


def bw_stored_in_computation_order(X, W_hx, W_hh, b_h):
    """Recorre desde el final pero guarda en el orden en que calcula (H[:, k] en el paso k del
    ciclo): la salida queda invertida respecto de x_t."""
    X = np.asarray(X, dtype=np.float64)
    batch, T, _ = X.shape
    h = np.zeros((batch, W_hh.shape[0]))
    H = np.zeros((batch, T, W_hh.shape[0]))
    for k, t in enumerate(range(T - 1, -1, -1)):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
        H[:, k] = h
    return H


def bw_not_rereversed(X, W_hx, W_hh, b_h):
    """Invierte la entrada y corre hacia adelante, pero no vuelve a invertir la salida."""
    return _forward(np.asarray(X)[:, ::-1], W_hx, W_hh, b_h)


def bw_reverses_only_output(X, W_hx, W_hh, b_h):
    """Corre hacia adelante sobre la entrada sin invertir y solo invierte la salida."""
    return _forward(X, W_hx, W_hh, b_h)[:, ::-1]


def bw_double_reversal(X, W_hx, W_hh, b_h):
    """Invierte la entrada y además recorre desde el final: las dos inversiones se cancelan."""
    Xr = np.asarray(X, dtype=np.float64)[:, ::-1]
    batch, T, _ = Xr.shape
    h = np.zeros((batch, W_hh.shape[0]))
    H = np.zeros((batch, T, W_hh.shape[0]))
    for t in range(T - 1, -1, -1):
        h = np.tanh(Xr[:, t] @ W_hx + h @ W_hh + b_h)
        H[:, t] = h
    return H


def bw_reverses_feature_axis(X, W_hx, W_hh, b_h):
    """Invierte el eje de las características (X[..., ::-1]) en lugar del eje del tiempo."""
    X = np.asarray(X, dtype=np.float64)
    return _forward(X[..., ::-1], W_hx, W_hh, b_h)


def bw_transposed_recurrent(X, W_hx, W_hh, b_h):
    """Usa h @ W_hh.T en lugar de h @ W_hh."""
    return _forward(np.asarray(X)[:, ::-1], W_hx, W_hh, b_h, transpose=True)[:, ::-1]


def bw_no_bias(X, W_hx, W_hh, b_h):
    """Olvida el sesgo."""
    return _forward(np.asarray(X)[:, ::-1], W_hx, W_hh, b_h, bias=False)[:, ::-1]


def bw_np_stack_sin_caso_vacio(X, W_hx, W_hh, b_h):
    """Junta los estados en una lista y usa np.stack: con T = 0 la lista está vacía y falla."""
    X = np.asarray(X, dtype=np.float64)
    h, estados = np.zeros((X.shape[0], W_hh.shape[0])), []
    for t in range(X.shape[1] - 1, -1, -1):
        h = np.tanh(X[:, t] @ W_hx + h @ W_hh + b_h)
        estados.append(h)
    return np.stack(estados[::-1], axis=1)


def bw_reverses_X_in_place(X, W_hx, W_hh, b_h):
    """Invierte X en el lugar (X[:] = X[:, ::-1]), corre hacia adelante y vuelve a invertir la
    salida: el resultado es correcto, pero quien llama se queda con X invertido."""
    X = np.asarray(X, dtype=np.float64)
    X[:] = X[:, ::-1].copy()
    return _forward(X, W_hx, W_hh, b_h)[:, ::-1]


def bw_last_state_repeated(X, W_hx, W_hh, b_h):
    """Devuelve en todas las posiciones el estado final h2_1 (el resumen de toda la oración)."""
    H = _forward(np.asarray(X)[:, ::-1], W_hx, W_hh, b_h)[:, ::-1]
    return np.repeat(H[:, :1], H.shape[1], axis=1)


# ---------------------------------------------------------------------------
# bidirectional_forward (las dos direcciones vienen dadas; el estudiante escribe concat y ave)

def _merge(h_fw, h_bw, merge_mode):
    if merge_mode not in ("concat", "sum", "ave", "mul"):
        raise ValueError(merge_mode)
    if merge_mode == "concat":
        return np.concatenate([h_fw, h_bw], axis=-1)
    if merge_mode == "sum":
        return h_fw + h_bw
    if merge_mode == "ave":
        return (h_fw + h_bw) / 2
    return h_fw * h_bw


def _both(X, fw, bw):
    X = np.asarray(X, dtype=np.float64)
    return _forward(X, *fw), _forward(X[:, ::-1], *bw)[:, ::-1]


def bi_concat_backward_first(X, fw, bw, merge_mode="concat"):
    """En 'concat' pone primero la dirección hacia atrás y después la de adelante."""
    h_fw, h_bw = _both(X, fw, bw)
    if merge_mode == "concat":
        return np.concatenate([h_bw, h_fw], axis=-1)
    return _merge(h_fw, h_bw, merge_mode)


def bi_concat_on_time_axis(X, fw, bw, merge_mode="concat"):
    """En 'concat' concatena en el eje del tiempo (axis=1) en lugar del último eje."""
    h_fw, h_bw = _both(X, fw, bw)
    if merge_mode == "concat":
        return np.concatenate([h_fw, h_bw], axis=1)
    return _merge(h_fw, h_bw, merge_mode)


def bi_concat_stacks_new_axis(X, fw, bw, merge_mode="concat"):
    """En 'concat' usa np.stack: agrega un eje (batch, T, units, 2) en lugar de unir las dos mitades."""
    h_fw, h_bw = _both(X, fw, bw)
    if merge_mode == "concat":
        return np.stack([h_fw, h_bw], axis=-1)
    return _merge(h_fw, h_bw, merge_mode)


def bi_ave_without_half(X, fw, bw, merge_mode="concat"):
    """'ave' suma las dos direcciones sin dividir por 2 (como 'sum')."""
    h_fw, h_bw = _both(X, fw, bw)
    return _merge(h_fw, h_bw, "sum" if merge_mode == "ave" else merge_mode)


def bi_ave_over_time(X, fw, bw, merge_mode="concat"):
    """'ave' promedia cada dirección sobre el tiempo (eje 1) en lugar de promediar las dos."""
    h_fw, h_bw = _both(X, fw, bw)
    if merge_mode == "ave":
        return np.repeat(((h_fw + h_bw) / 2).mean(axis=1, keepdims=True), h_fw.shape[1], axis=1)
    return _merge(h_fw, h_bw, merge_mode)


def bi_ave_integer_half(X, fw, bw, merge_mode="concat"):
    """'ave' divide solo la dirección hacia atrás: h_fw + h_bw / 2 (precedencia de operadores)."""
    h_fw, h_bw = _both(X, fw, bw)
    if merge_mode == "ave":
        return h_fw + h_bw / 2
    return _merge(h_fw, h_bw, merge_mode)


def bi_reuses_forward_weights(X, fw, bw, merge_mode="concat"):
    """Usa los pesos de adelante también para la dirección hacia atrás (backward_rnn(X, *fw))."""
    return _merge(*_both(X, fw, fw), merge_mode)


def bi_backward_on_reversed_input(X, fw, bw, merge_mode="concat"):
    """Aplica la receta vieja encima de backward_rnn: backward_rnn(X[:, ::-1])[:, ::-1] deja la
    dirección hacia adelante con los pesos de atrás."""
    X = np.asarray(X, dtype=np.float64)
    return _merge(_forward(X, *fw), _forward(X, *bw), merge_mode)


def bi_backward_starts_from_forward_state(X, fw, bw, merge_mode="concat"):
    """La dirección hacia atrás arranca del último estado de la de adelante, no de h0 = 0."""
    X = np.asarray(X, dtype=np.float64)
    h_fw = _forward(X, *fw)
    h_bw = _forward(X[:, ::-1], *bw, h0=h_fw[:, -1])[:, ::-1]
    return _merge(h_fw, h_bw, merge_mode)


def bi_last_state_broadcast(X, fw, bw, merge_mode="concat"):
    """Combina en cada paso solo el estado final de cada dirección (no las salidas por paso)."""
    h_fw, h_bw = _both(X, fw, bw)
    T = h_fw.shape[1]
    return _merge(np.repeat(h_fw[:, -1:], T, axis=1), np.repeat(h_bw[:, :1], T, axis=1), merge_mode)


def bi_mul_as_sum(X, fw, bw, merge_mode="concat"):
    """'mul' suma en lugar de multiplicar elemento a elemento."""
    h_fw, h_bw = _both(X, fw, bw)
    return _merge(h_fw, h_bw, "sum" if merge_mode == "mul" else merge_mode)


def bi_unknown_mode_as_concat(X, fw, bw, merge_mode="concat"):
    """Con un merge_mode desconocido concatena en silencio en lugar de lanzar ValueError."""
    h_fw, h_bw = _both(X, fw, bw)
    if merge_mode in ("sum", "ave", "mul"):
        return _merge(h_fw, h_bw, merge_mode)
    return np.concatenate([h_fw, h_bw], axis=-1)


def bi_unknown_mode_keyerror(X, fw, bw, merge_mode="concat"):
    """Elige la combinación con un diccionario: un modo desconocido da KeyError, no ValueError."""
    h_fw, h_bw = _both(X, fw, bw)
    combinar = {"concat": lambda a, b: np.concatenate([a, b], axis=-1), "sum": np.add,
                "ave": lambda a, b: (a + b) / 2, "mul": np.multiply}
    return combinar[merge_mode](h_fw, h_bw)


def bi_np_stack_sin_caso_vacio(X, fw, bw, merge_mode="concat"):
    """Recalcula las direcciones con listas y np.stack: con T = 0 la lista está vacía y falla."""
    X = np.asarray(X, dtype=np.float64)

    def run(seq, W_hx, W_hh, b_h):
        h, estados = np.zeros((seq.shape[0], W_hh.shape[0])), []
        for t in range(seq.shape[1]):
            h = np.tanh(seq[:, t] @ W_hx + h @ W_hh + b_h)
            estados.append(h)
        return np.stack(estados, axis=1)

    return _merge(run(X, *fw), run(X[:, ::-1], *bw)[:, ::-1], merge_mode)


WRONG = {
    "backward_rnn": [
        bw_forward_order,
        bw_starts_one_early,
        bw_stores_before_update,
        bw_stores_shifted,
        bw_one_based_range,
        bw_stored_in_computation_order,
        bw_not_rereversed,
        bw_reverses_only_output,
        bw_double_reversal,
        bw_reverses_feature_axis,
        bw_transposed_recurrent,
        bw_no_bias,
        bw_np_stack_sin_caso_vacio,
        bw_reverses_X_in_place,
        bw_last_state_repeated,
    ],
    "bidirectional_forward": [
        bi_concat_backward_first,
        bi_concat_on_time_axis,
        bi_concat_stacks_new_axis,
        bi_ave_without_half,
        bi_ave_over_time,
        bi_ave_integer_half,
        bi_reuses_forward_weights,
        bi_backward_on_reversed_input,
        bi_backward_starts_from_forward_state,
        bi_last_state_broadcast,
        bi_mul_as_sum,
        bi_unknown_mode_as_concat,
        bi_unknown_mode_keyerror,
        bi_np_stack_sin_caso_vacio,
    ],
}


# ---------------------------------------------------------------------------
# reverse_valid (ejercicio opcional, sin puntos)

def rv_reverse_everything(X, lengths):
    """Invierte la fila entera, relleno incluido (el relleno queda al principio)."""
    return np.asarray(X)[:, ::-1].copy()


def rv_naive_slice(X, lengths):
    """Arma cada fila con X[i, L-1::-1] + X[i, L:]: con L = 0 el corte L-1 = -1 invierte la fila entera."""
    X = np.asarray(X)
    out = X.copy()
    T = X.shape[1]
    for i, L in enumerate(np.asarray(lengths, dtype=int)):
        out[i] = np.concatenate([X[i, L - 1::-1], X[i, L:]])[:T]
    return out


def rv_off_by_one(X, lengths):
    """Invierte un paso de más (incluye el primer paso de relleno)."""
    X = np.asarray(X)
    out = X.copy()
    T = X.shape[1]
    for i, L in enumerate(np.asarray(lengths, dtype=int)):
        L = min(L + 1, T)
        out[i, :L] = X[i, :L][::-1]
    return out


def rv_in_place(X, lengths):
    """Modifica X en el lugar y lo devuelve (quien llama pierde la secuencia original)."""
    X = np.asarray(X)
    for i, L in enumerate(np.asarray(lengths, dtype=int)):
        X[i, :L] = X[i, :L][::-1].copy()
    return X


def rv_first_length_for_all(X, lengths):
    """Usa el largo de la primera fila para todas las filas."""
    X = np.asarray(X)
    out = X.copy()
    L = int(np.asarray(lengths)[0])
    out[:, :L] = X[:, :L][:, ::-1]
    return out


def rv_feature_axis(X, lengths):
    """Invierte el eje de características en lugar del eje del tiempo."""
    X = np.asarray(X)
    out = X.copy()
    for i, L in enumerate(np.asarray(lengths, dtype=int)):
        out[i, :L] = X[i, :L, ::-1]
    return out


def rv_padding_to_front(X, lengths):
    """Invierte lo válido pero lo alinea a la derecha (el relleno pasa adelante)."""
    X = np.asarray(X)
    out = np.zeros_like(X)
    T = X.shape[1]
    for i, L in enumerate(np.asarray(lengths, dtype=int)):
        out[i, T - L:] = X[i, :L][::-1]
        out[i, :T - L] = X[i, L:]
    return out


def rv_cut_to_max_length(X, lengths):
    """Recorta el lote al largo máximo de las filas: si ninguna fila llena T, devuelve menos pasos."""
    X = np.asarray(X)
    lengths = np.asarray(lengths, dtype=int)
    T = int(lengths.max()) if lengths.size else 0
    out = X[:, :T].copy()
    for i, L in enumerate(lengths):
        out[i, :L] = X[i, :L][::-1]
    return out


def rv_out_of_place_but_same_rows(X, lengths):
    """Copia el lote pero escribe la inversión en X (el resultado es correcto, X queda invertido)."""
    X = np.asarray(X)
    for i, L in enumerate(np.asarray(lengths, dtype=int)):
        X[i, :L] = X[i, :L][::-1].copy()
    return X.copy()


WRONG["reverse_valid"] = [
    rv_reverse_everything,
    rv_naive_slice,
    rv_off_by_one,
    rv_in_place,
    rv_first_length_for_all,
    rv_feature_axis,
    rv_padding_to_front,
    rv_cut_to_max_length,
    rv_out_of_place_but_same_rows,
]
