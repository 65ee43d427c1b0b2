"""Respuestas equivocadas plausibles de la lección 3 (RNN bidireccional)."""

import numpy as np

NOTEBOOK = "clase_rnn/03_rnn_bidireccional.ipynb"


# ---------------------------------------------------------------------------
# bidirectional_forward

def _run(X, W_hx, W_hh, b_h, h0=None, act=np.tanh, transpose=False):
    X = np.asarray(X, dtype=np.float64)
    batch, T, _ = X.shape
    h = np.zeros((batch, W_hh.shape[0])) if h0 is None else h0
    out = np.empty((batch, T, W_hh.shape[0]))
    Whh = W_hh.T if transpose else W_hh
    for t in range(T):
        h = act(X[:, t] @ W_hx + h @ Whh + b_h)
        out[:, t] = h
    return out


def _merge(h_fw, h_bw, merge_mode):
    if merge_mode == "concat":
        return np.concatenate([h_fw, h_bw], axis=-1)
    if merge_mode == "sum":
        return h_fw + h_bw
    if merge_mode == "ave":
        return (h_fw + h_bw) / 2
    if merge_mode == "mul":
        return h_fw * h_bw
    raise ValueError(merge_mode)


def bi_not_rereversed(X, fw, bw, merge_mode="concat"):
    """La salida hacia atrás no se vuelve a invertir: queda desalineada de x_t."""
    X = np.asarray(X, dtype=np.float64)
    return _merge(_run(X, *fw), _run(X[:, ::-1], *bw), merge_mode)


def bi_concat_backward_first(X, fw, bw, merge_mode="concat"):
    """En 'concat' pone primero la dirección hacia atrás y después la de adelante."""
    X = np.asarray(X, dtype=np.float64)
    h_fw, h_bw = _run(X, *fw), _run(X[:, ::-1], *bw)[:, ::-1]
    if merge_mode == "concat":
        return np.concatenate([h_bw, h_fw], axis=-1)
    return _merge(h_fw, h_bw, merge_mode)


def bi_reuses_forward_weights(X, fw, bw, merge_mode="concat"):
    """Usa los pesos de adelante también para la dirección hacia atrás."""
    X = np.asarray(X, dtype=np.float64)
    return _merge(_run(X, *fw), _run(X[:, ::-1], *fw)[:, ::-1], merge_mode)


def bi_backward_not_reversed(X, fw, bw, merge_mode="concat"):
    """La 'dirección hacia atrás' recorre la secuencia hacia adelante (solo cambia los pesos)."""
    X = np.asarray(X, dtype=np.float64)
    return _merge(_run(X, *fw), _run(X, *bw), merge_mode)


def bi_backward_starts_from_forward_state(X, fw, bw, merge_mode="concat"):
    """La dirección hacia atrás arranca del último estado de la de adelante, no de h0 = 0."""
    X = np.asarray(X, dtype=np.float64)
    h_fw = _run(X, *fw)
    h_bw = _run(X[:, ::-1], *bw, h0=h_fw[:, -1])[:, ::-1]
    return _merge(h_fw, h_bw, merge_mode)


def bi_ave_without_half(X, fw, bw, merge_mode="concat"):
    """'ave' suma las dos direcciones sin dividir por 2."""
    X = np.asarray(X, dtype=np.float64)
    h_fw, h_bw = _run(X, *fw), _run(X[:, ::-1], *bw)[:, ::-1]
    return _merge(h_fw, h_bw, "sum" if merge_mode == "ave" else merge_mode)


def bi_mul_as_sum(X, fw, bw, merge_mode="concat"):
    """'mul' suma en lugar de multiplicar elemento a elemento."""
    X = np.asarray(X, dtype=np.float64)
    h_fw, h_bw = _run(X, *fw), _run(X[:, ::-1], *bw)[:, ::-1]
    return _merge(h_fw, h_bw, "sum" if merge_mode == "mul" else merge_mode)


def bi_transposed_recurrent(X, fw, bw, merge_mode="concat"):
    """Usa la transpuesta de W_hh (h @ W_hh.T) en las dos direcciones."""
    X = np.asarray(X, dtype=np.float64)
    h_fw = _run(X, *fw, transpose=True)
    h_bw = _run(X[:, ::-1], *bw, transpose=True)[:, ::-1]
    return _merge(h_fw, h_bw, merge_mode)


def bi_last_state_broadcast(X, fw, bw, merge_mode="concat"):
    """Combina en cada paso solo el estado final de cada dirección (no las salidas por paso)."""
    X = np.asarray(X, dtype=np.float64)
    h_fw, h_bw = _run(X, *fw), _run(X[:, ::-1], *bw)[:, ::-1]
    T = X.shape[1]
    h_fw = np.repeat(h_fw[:, -1:], T, axis=1)
    h_bw = np.repeat(h_bw[:, :1], T, axis=1)
    return _merge(h_fw, h_bw, merge_mode)


# ---------------------------------------------------------------------------
# reverse_valid

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


WRONG = {
    "bidirectional_forward": [
        bi_not_rereversed,
        bi_concat_backward_first,
        bi_reuses_forward_weights,
        bi_backward_not_reversed,
        bi_backward_starts_from_forward_state,
        bi_ave_without_half,
        bi_mul_as_sum,
        bi_transposed_recurrent,
        bi_last_state_broadcast,
    ],
    "reverse_valid": [
        rv_reverse_everything,
        rv_naive_slice,
        rv_off_by_one,
        rv_in_place,
        rv_first_length_for_all,
        rv_feature_axis,
        rv_padding_to_front,
    ],
}


# ------------------------------------------ merge_mode desconocido y casos límite

def bi_unknown_mode_as_concat(X, fw, bw, merge_mode="concat"):
    """Con un merge_mode desconocido concatena en silencio en lugar de lanzar ValueError."""
    X = np.asarray(X, dtype=np.float64)
    h_fw, h_bw = _run(X, *fw), _run(X[:, ::-1], *bw)[:, ::-1]
    if merge_mode in ("sum", "ave", "mul"):
        return _merge(h_fw, h_bw, merge_mode)
    return np.concatenate([h_fw, h_bw], axis=-1)


def bi_unknown_mode_keyerror(X, fw, bw, merge_mode="concat"):
    """Elige la combinación con un diccionario: un modo desconocido da KeyError, no ValueError."""
    X = np.asarray(X, dtype=np.float64)
    h_fw, h_bw = _run(X, *fw), _run(X[:, ::-1], *bw)[:, ::-1]
    combinar = {"concat": lambda a, b: np.concatenate([a, b], axis=-1), "sum": np.add,
                "ave": lambda a, b: (a + b) / 2, "mul": np.multiply}
    return combinar[merge_mode](h_fw, h_bw)


def bi_np_stack_sin_caso_vacio(X, fw, bw, merge_mode="concat"):
    """Apila los estados con np.stack: con T = 0 la lista está vacía y falla."""
    X = np.asarray(X, dtype=np.float64)

    def run(seq, W_hx, W_hh, b_h):
        h, estados = np.zeros((seq.shape[0], W_hh.shape[0])), []
        for t in range(seq.shape[1]):
            h = np.tanh(seq[:, t] @ W_hx + h @ W_hh + b_h)
            estados.append(h)
        return np.stack(estados, axis=1)

    return _merge(run(X, *fw), run(X[:, ::-1], *bw)[:, ::-1], merge_mode)


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


WRONG["bidirectional_forward"] += [bi_unknown_mode_as_concat, bi_unknown_mode_keyerror,
                                   bi_np_stack_sin_caso_vacio]
WRONG["reverse_valid"] += [rv_cut_to_max_length, rv_out_of_place_but_same_rows]


# ------------------------------- errores en lo que completa el estudiante (el esqueleto trae run)

def bi_reverses_only_output(X, fw, bw, merge_mode="concat"):
    """Corre la dirección hacia atrás sobre la entrada sin invertir y solo invierte la salida."""
    X = np.asarray(X, dtype=np.float64)
    return _merge(_run(X, *fw), _run(X, *bw)[:, ::-1], merge_mode)


def bi_reverses_feature_axis(X, fw, bw, merge_mode="concat"):
    """Invierte el eje de las características (X[..., ::-1]) en lugar del eje del tiempo."""
    X = np.asarray(X, dtype=np.float64)
    return _merge(_run(X, *fw), _run(X[..., ::-1], *bw)[..., ::-1], merge_mode)


def bi_concat_on_time_axis(X, fw, bw, merge_mode="concat"):
    """En 'concat' concatena en el eje del tiempo (axis=1) en lugar del último eje."""
    X = np.asarray(X, dtype=np.float64)
    h_fw, h_bw = _run(X, *fw), _run(X[:, ::-1], *bw)[:, ::-1]
    if merge_mode == "concat":
        return np.concatenate([h_fw, h_bw], axis=1)
    return _merge(h_fw, h_bw, merge_mode)


WRONG["bidirectional_forward"] += [bi_reverses_only_output, bi_reverses_feature_axis,
                                   bi_concat_on_time_axis]
