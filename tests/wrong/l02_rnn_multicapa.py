"""Respuestas equivocadas plausibles de la lección 2 (RNN multicapa)."""

import numpy as np

NOTEBOOK = "clase_rnn/02_rnn_multicapa.ipynb"


# ---------------------------------------------------------------------------
# simple_rnn_param_count

def pc_no_bias(input_dim, units):
    """Olvida el sesgo."""
    return input_dim * units + units * units


def pc_no_recurrent(input_dim, units):
    """Olvida el kernel recurrente (cuenta una capa densa)."""
    return input_dim * units + units


def pc_bias_per_input(input_dim, units):
    """Cuenta un sesgo por cada entrada en lugar de uno por unidad."""
    return input_dim * units + units * units + input_dim


def pc_scalar_bias(input_dim, units):
    """Cuenta un único sesgo escalar para toda la capa."""
    return input_dim * units + units * units + 1


def pc_lstm(input_dim, units):
    """Cuenta como una LSTM (cuatro compuertas)."""
    return 4 * (input_dim * units + units * units + units)


def pc_recurrent_input_sized(input_dim, units):
    """Toma el kernel recurrente como input_dim × input_dim."""
    return input_dim * units + input_dim * input_dim + units


def pc_float(input_dim, units):
    """Devuelve un float en lugar de un int."""
    return float(input_dim * units + units * units + units)


# ---------------------------------------------------------------------------
# stacked_rnn_forward

def _layer(H, W_hx, W_hh, b_h, h0=None, act=np.tanh, transpose=False, bias=True):
    batch, T, _ = H.shape
    h = np.zeros((batch, W_hh.shape[0])) if h0 is None else h0
    out = np.empty((batch, T, W_hh.shape[0]))
    Whh = W_hh.T if transpose else W_hh
    for t in range(T):
        h = act(H[:, t] @ W_hx + h @ Whh + (b_h if bias else 0))
        out[:, t] = h
    return out


def st_carry_state_between_layers(X, layers, return_sequences=False):
    """Cada capa arranca del último estado de la capa de abajo en lugar de h0 = 0."""
    H = np.asarray(X, dtype=np.float64)
    h0 = None
    for W_hx, W_hh, b_h in layers:
        if h0 is not None and h0.shape[1] != W_hh.shape[0]:
            h0 = None  # si los anchos no coinciden, no hay estado que pasar
        H = _layer(H, W_hx, W_hh, b_h, h0=h0)
        h0 = H[:, -1]
    return H if return_sequences else H[:, -1]


def st_last_state_repeated(X, layers, return_sequences=False):
    """Pasa a la capa de arriba solo el último estado de la de abajo, repetido T veces."""
    H = np.asarray(X, dtype=np.float64)
    T = H.shape[1]
    for i, (W_hx, W_hh, b_h) in enumerate(layers):
        H = _layer(H, W_hx, W_hh, b_h)
        if i < len(layers) - 1:
            H = np.repeat(H[:, -1:], T, axis=1)
    return H if return_sequences else H[:, -1]


def st_only_first_layer(X, layers, return_sequences=False):
    """Devuelve la salida de la primera capa (el ciclo sobre capas termina antes de tiempo)."""
    H = _layer(np.asarray(X, dtype=np.float64), *layers[0])
    return H if return_sequences else H[:, -1]


def st_first_step(X, layers, return_sequences=False):
    """Con return_sequences=False devuelve el primer paso en lugar del último."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        H = _layer(H, W_hx, W_hh, b_h)
    return H if return_sequences else H[:, 0]


def st_ignores_return_sequences(X, layers, return_sequences=False):
    """Devuelve siempre la secuencia entera."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        H = _layer(H, W_hx, W_hh, b_h)
    return H


def st_transposed_recurrent(X, layers, return_sequences=False):
    """Usa h @ W_hh.T en lugar de h @ W_hh."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        H = _layer(H, W_hx, W_hh, b_h, transpose=True)
    return H if return_sequences else H[:, -1]


def st_no_bias(X, layers, return_sequences=False):
    """Olvida el sesgo."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        H = _layer(H, W_hx, W_hh, b_h, bias=False)
    return H if return_sequences else H[:, -1]


def st_relu(X, layers, return_sequences=False):
    """Usa ReLU en lugar de tanh."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        H = _layer(H, W_hx, W_hh, b_h, act=lambda z: np.maximum(z, 0))
    return H if return_sequences else H[:, -1]


def st_tanh_only_last_layer(X, layers, return_sequences=False):
    """Aplica tanh solo en la última capa (las de abajo quedan lineales)."""
    H = np.asarray(X, dtype=np.float64)
    for i, (W_hx, W_hh, b_h) in enumerate(layers):
        act = np.tanh if i == len(layers) - 1 else (lambda z: z)
        H = _layer(H, W_hx, W_hh, b_h, act=act)
    return H if return_sequences else H[:, -1]


def st_shifted_input(X, layers, return_sequences=False):
    """Corrido un paso: en el paso t usa la entrada t-1 (y ceros en t = 0)."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        shifted = np.concatenate([np.zeros_like(H[:, :1]), H[:, :-1]], axis=1)
        H = _layer(shifted, W_hx, W_hh, b_h)
    return H if return_sequences else H[:, -1]


WRONG = {
    "simple_rnn_param_count": [
        pc_no_bias,
        pc_no_recurrent,
        pc_bias_per_input,
        pc_scalar_bias,
        pc_lstm,
        pc_recurrent_input_sized,
        pc_float,
    ],
    "stacked_rnn_forward": [
        st_carry_state_between_layers,
        st_last_state_repeated,
        st_only_first_layer,
        st_first_step,
        st_ignores_return_sequences,
        st_transposed_recurrent,
        st_no_bias,
        st_relu,
        st_tanh_only_last_layer,
        st_shifted_input,
    ],
}


# ------------------------------------------------------ casos límite (T = 0, lote 1)

def st_np_stack_sin_caso_vacio(X, layers, return_sequences=False):
    """Apila los estados de cada capa con np.stack: con T = 0 la lista está vacía y falla."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        h, estados = np.zeros((H.shape[0], W_hh.shape[0])), []
        for t in range(H.shape[1]):
            h = np.tanh(H[:, t] @ W_hx + h @ W_hh + b_h)
            estados.append(h)
        H = np.stack(estados, axis=1)
    return H if return_sequences else H[:, -1]


def st_ultimo_de_la_secuencia(X, layers, return_sequences=False):
    """Toma el último estado como H[:, -1]: con T = 0 no hay último paso (IndexError)."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        H = _layer(H, W_hx, W_hh, b_h)
    return H if return_sequences else H[:, -1]


def st_squeeze(X, layers, return_sequences=False):
    """Aplica np.squeeze a la salida: con lote 1 o ancho 1 pierde ejes."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        h = np.zeros((H.shape[0], W_hh.shape[0]))
        salidas = np.zeros(H.shape[:2] + (W_hh.shape[0],))
        for t in range(H.shape[1]):
            h = np.tanh(H[:, t] @ W_hx + h @ W_hh + b_h)
            salidas[:, t] = h
        H = salidas
    return np.squeeze(H if return_sequences else h)


def st_estado_solo_en_el_ciclo(X, layers, return_sequences=False):
    """Crea h recién dentro del ciclo sobre el tiempo: con T = 0 no hay último estado (error)."""
    H = np.asarray(X, dtype=np.float64)
    for W_hx, W_hh, b_h in layers:
        salidas = np.zeros(H.shape[:2] + (W_hh.shape[0],))
        for t in range(H.shape[1]):
            previo = h if t > 0 else np.zeros((H.shape[0], W_hh.shape[0]))  # noqa: F821
            h = np.tanh(H[:, t] @ W_hx + previo @ W_hh + b_h)
            salidas[:, t] = h
        H = salidas
    return H if return_sequences else h  # noqa: F821


def st_en_el_lugar(X, layers, return_sequences=False):
    """Reutiliza X como búfer de salida cuando los anchos coinciden: modifica la entrada."""
    H = np.asarray(X)
    for W_hx, W_hh, b_h in layers:
        out = H if H.shape[-1] == W_hh.shape[0] else np.empty(H.shape[:2] + (W_hh.shape[0],))
        h = np.zeros((H.shape[0], W_hh.shape[0]))
        for t in range(H.shape[1]):
            h = np.tanh(H[:, t] @ W_hx + h @ W_hh + b_h)
            out[:, t] = h
        H = out
    return H if return_sequences else h


WRONG["stacked_rnn_forward"] += [st_np_stack_sin_caso_vacio, st_ultimo_de_la_secuencia, st_squeeze,
                                 st_en_el_lugar, st_estado_solo_en_el_ciclo]
