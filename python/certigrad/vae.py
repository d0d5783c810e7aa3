"""Certigrad's AEVB (variational autoencoder) written with the Python DSL.

The model is the one of the Certigrad paper (``naive_aevb``), no biases::

    x      : input,  n_in x bs               (pixels in [0, 1], one column per image)
    h      = softplus(W_enc2 softplus(W_enc1 x))            hidden x bs
    mu     = W_mu h                                          latent x bs
    sigma  = sqrt(exp(W_logsigma2 h))                        latent x bs
    eps    ~ mvn_std (latent x bs)                           the reparameterization noise
    z      = mul_add(sigma, eps, mu)                         sigma * eps + mu
    p      = sigmoid(W_p softplus(W_dec2 softplus(W_dec1 z)))   n_in x bs
    costs  : mvn_kl(mu, sigma) + bernoulli_neglogpdf(p, x)   (sums over the batch)

This is the graph ``certigrad train-vae`` trains (:func:`build_graph`); the
naive form it comes from, z ~ N(mu, sigma^2) with the empirical KL
``mvn_empirical_kl(mu, sigma, z)`` as a cost, is :func:`build_naive_graph`.
Coq proves (:data:`THEOREM`) that the mean of the former's sampled gradients
is the gradient of the latter's expected cost.

Defaults: n_in 784, hidden 1000, latent 30, batch size 250. Every
intermediate value is a named node, so per-node values (and timings, where the
runtime reports them) read like the formulas above.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

import certigrad as cg

__all__ = [
    "PARAM_NAMES",
    "THEOREM",
    "VaeConfig",
    "build_decoder_graph",
    "build_graph",
    "build_naive_graph",
    "init_params",
    "param_shapes",
]

#: The Coq theorem about the graph :func:`build_graph` builds, for every size,
#: with the estimator ``train-vae`` runs (cg.Runtime's default, "downstream",
#: any baselines): the expectation of its sampled gradient is the gradient of
#: the expected cost of Certigrad's naive AEVB (sampled z, empirical KL).  For
#: Certigrad's estimator ("certigrad") it is ``Certigrad.aevb.AevbUnbiased.aevb_unbiased``.
#: tests/test_aevb_link.py checks, through the extracted oracle, that this
#: graph is node for node ``aevb_graph`` of theories/aevb/AevbGraph.v.
THEOREM = "Certigrad.aevb.AevbDownstream.aevb_downstream_unbiased"

#: Parameter names, in the order of the formulas (encoder, then decoder).
PARAM_NAMES = ("W_enc1", "W_enc2", "W_mu", "W_logsigma2", "W_dec1", "W_dec2", "W_p")


@dataclass(frozen=True)
class VaeConfig:
    n_in: int = 784
    hidden: int = 1000
    latent: int = 30
    batch_size: int = 250

    def to_dict(self) -> dict:
        return asdict(self)


def param_shapes(cfg: VaeConfig) -> dict[str, tuple[int, int]]:
    """Shape (rows = fan_out, columns = fan_in) of each weight matrix."""
    H, L, D = cfg.hidden, cfg.latent, cfg.n_in
    return {
        "W_enc1": (H, D),
        "W_enc2": (H, H),
        "W_mu": (L, H),
        "W_logsigma2": (L, H),
        "W_dec1": (H, L),
        "W_dec2": (H, H),
        "W_p": (D, H),
    }


def build_graph(cfg: VaeConfig = VaeConfig()) -> "cg.Graph":
    """The AEVB training graph: input ``x``, the seven weights as parameters,
    random node ``eps``, costs ``kl`` and ``nll`` (both summed over the batch).
    It is ``aevb_graph`` of theories/aevb/AevbGraph.v, the graph :data:`THEOREM`
    is about."""
    g, W, x, mu, sigma = _encoder(cfg)
    eps = g.sample("eps", cg.mvn_std((cfg.latent, cfg.batch_size)))
    z = g.det("z", cg.mul_add(sigma, eps, mu))
    p = _decoder(g, W, z)
    g.cost(g.det("kl", cg.mvn_kl(mu, sigma)))
    g.cost(g.det("nll", cg.bernoulli_neglogpdf(p, x)))
    return g


def build_naive_graph(cfg: VaeConfig = VaeConfig()) -> "cg.Graph":
    """Certigrad's naive AEVB (``naive_aevb`` of theories/aevb/AevbGraph.v): ``z``
    drawn from N(mu, sigma^2) (its gradient goes through the score function)
    and the empirical KL ``log N(z; mu, sigma^2) - log N(z; 0, I)`` as a cost.
    Its expected cost is that of :func:`build_graph`'s graph (the two
    certified transformations of theories/aevb/Transform.v turn one into the
    other); its sampled gradients are unbiased too, with a larger variance."""
    g, W, x, mu, sigma = _encoder(cfg)
    z = g.sample("z", cg.mvn(mu, sigma))
    p = _decoder(g, W, z)
    g.cost(g.det("kl", cg.mvn_empirical_kl(mu, sigma, z)))
    g.cost(g.det("nll", cg.bernoulli_neglogpdf(p, x)))
    return g


def _encoder(cfg: VaeConfig):
    g = cg.Graph()
    x = g.input("x", (cfg.n_in, cfg.batch_size))
    W = {name: g.param(name, shape) for name, shape in param_shapes(cfg).items()}
    a1 = g.det("enc1_pre", cg.gemm(W["W_enc1"], x))
    h1 = g.det("enc1", cg.softplus(a1))
    a2 = g.det("enc2_pre", cg.gemm(W["W_enc2"], h1))
    h = g.det("h", cg.softplus(a2))
    mu = g.det("mu", cg.gemm(W["W_mu"], h))
    logsigma2 = g.det("logsigma2", cg.gemm(W["W_logsigma2"], h))
    sigma2 = g.det("sigma2", cg.exp(logsigma2))
    sigma = g.det("sigma", cg.sqrt(sigma2))
    return g, W, x, mu, sigma


def _decoder(g, W, z):
    d1 = g.det("dec1_pre", cg.gemm(W["W_dec1"], z))
    e1 = g.det("dec1", cg.softplus(d1))
    d2 = g.det("dec2_pre", cg.gemm(W["W_dec2"], e1))
    e2 = g.det("dec2", cg.softplus(d2))
    logits = g.det("p_pre", cg.gemm(W["W_p"], e2))
    return g.det("p", cg.sigmoid(logits))


def build_decoder_graph(cfg: VaeConfig, n: int) -> "cg.Graph":
    """The decoder alone, for drawing samples: input ``z`` (latent x n), the
    three decoder weights as parameters, node ``p`` (n_in x n). Its cost
    (``sum(p)``) is only there so the graph has one."""
    g = cg.Graph()
    z = g.input("z", (cfg.latent, n))
    shapes = param_shapes(cfg)
    W = {name: g.param(name, shapes[name]) for name in ("W_dec1", "W_dec2", "W_p")}
    p = _decoder(g, W, z)
    g.cost(g.det("p_sum", cg.sum(p)))
    return g


def init_params(cfg: VaeConfig, rng: np.random.Generator, dtype="float32", init: str = "glorot") -> dict[str, np.ndarray]:
    """Initial weights drawn from ``rng``, in :data:`PARAM_NAMES` order.

    ``glorot``: Glorot/Xavier uniform, U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
    ``normal``: N(0, 1/fan_in) (the initialization of the PyTorch reference
    run quoted in the issue).
    Values are drawn in float64 and rounded to ``dtype``, so the float32 and
    float64 runs of one seed start from the same point up to rounding.
    """
    shapes = param_shapes(cfg)
    out = {}
    for name in PARAM_NAMES:
        fan_out, fan_in = shapes[name]
        if init == "glorot":
            a = np.sqrt(6.0 / (fan_in + fan_out))
            w = rng.uniform(-a, a, size=(fan_out, fan_in))
        elif init == "normal":
            w = rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)
        else:
            raise ValueError(f"unknown init {init!r} (glorot or normal)")
        out[name] = np.ascontiguousarray(w, dtype=dtype)
    return out
