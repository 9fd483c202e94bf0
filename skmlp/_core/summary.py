"""A printable table of a network's layers and parameter counts.

The table walks the network's layer list generically: each row is one layer, with
its class, output width, activation (when it has one), parameter count (from the
shapes the layer declares in ``param_specs``) and, for layers other than plain dense
ones, the layer's own description. A layer with a ``describe()`` method (the
embedding) gets one indented row per part it returns, ``(name, width, n_params,
details)``, below its own. It imports no scikit-learn.
"""

import numpy as np

from .layers import Dense

_HEADER = ("#", "Layer", "Output shape", "Activation", "Params", "Details")


def layer_param_count(layer):
    """Number of learned parameters a layer declares.

    Parameters
    ----------
    layer : Layer

    Returns
    -------
    n_params : int
        For a dense layer ``n_out * (n_in + 1)``.
    """
    return int(sum(np.prod(shape) for _, shape, _ in layer.param_specs))


def summary_rows(network, n_features, out_activation):
    """One row of strings per layer, after an input row, in ``_HEADER``'s order.

    Parameters
    ----------
    network : Network
    n_features : int
        Width of the input.
    out_activation : str
        Name of the output link (the last dense layer's activation is fused into
        the loss, so the network itself holds the identity there).

    Returns
    -------
    rows : list of tuple of str
    """
    rows = [("0", "Input", f"(n, {n_features})", "", "0", "")]
    last_dense = network.dense_layers[-1]
    for i, layer in enumerate(network.layers, start=1):
        act_name = layer.activation.name if hasattr(layer, "activation") else ""
        if layer is last_dense:
            act_name = out_activation
        details = "" if type(layer) is Dense else repr(layer)
        rows.append((
            str(i),
            type(layer).__name__,
            f"(n, {layer.n_out})",
            act_name,
            f"{layer_param_count(layer):,}",
            details,
        ))
        # a layer made of parts (an embedding's tables) lists them below itself
        for name, width, n_params, part in getattr(layer, "describe", list)():
            rows.append(("", f"  {name}", f"(n, {width})", "", f"{n_params:,}", part))
    return rows


def format_summary(network, n_features, out_activation, title):
    """Render the network as a fixed-width text table.

    Parameters
    ----------
    network : Network
    n_features : int
    out_activation : str
    title : str
        First line of the table.

    Returns
    -------
    table : str
    """
    rows = summary_rows(network, n_features, out_activation)
    widths = [max(len(r[c]) for r in rows + [_HEADER]) for c in range(len(_HEADER))]

    def line(cells):
        return "  ".join(
            cell.rjust(w) if c in (0, 4) else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(cells, widths))
        ).rstrip()

    rule = "-" * len(line(_HEADER))
    body = [title, rule, line(_HEADER), rule] + [line(r) for r in rows] + [rule]
    body.append(f"Total params: {network.n_params:,} ({network.dtype.name})")
    return "\n".join(body)
