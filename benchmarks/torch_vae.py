"""The AEVB of certigrad.vae written in PyTorch, for benchmarks and learning
comparisons only (PyTorch is never a dependency of certigrad).

Same layout (x is 784 x bs, one column per image), same weights (copied from
the NumPy arrays certigrad starts from), same costs computed the same way:
``mvn_kl`` in closed form, ``bernoulli_neglogpdf`` as
``-sum(x log p + (1 - x) log(1 - p))`` summed over entries (not
``F.binary_cross_entropy``, which clamps the logs). The gradient of the summed
batch cost is scaled by 1/bs (backward of ``total / bs``), Adam as certigrad's.
The noise ``eps`` is drawn by torch from the same per-iteration seed (so the
two frameworks see the same data order, but not the same noise values).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from certigrad.vae import PARAM_NAMES

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def costs(P: dict, x: torch.Tensor, eps: torch.Tensor):
    """(kl, nll, p) exactly as the certigrad graph defines them."""
    h = F.softplus(P["W_enc2"] @ F.softplus(P["W_enc1"] @ x))
    mu = P["W_mu"] @ h
    sigma = torch.sqrt(torch.exp(P["W_logsigma2"] @ h))
    z = torch.addcmul(mu, sigma, eps)  # mul_add(sigma, eps, mu)
    p = torch.sigmoid(P["W_p"] @ F.softplus(P["W_dec2"] @ F.softplus(P["W_dec1"] @ z)))
    kl = ((mu * mu + sigma * sigma - 1) / 2 - torch.log(sigma)).sum()
    nll = -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum()
    return kl, nll, p


class TorchVae:
    def __init__(self, init: dict[str, np.ndarray], dtype: str, latent: int, batch_size: int,
                 lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.dtype = TORCH_DTYPES[dtype]
        self.latent, self.bs = latent, batch_size
        self.P = {k: torch.tensor(np.asarray(init[k]), dtype=self.dtype, requires_grad=True) for k in PARAM_NAMES}
        self.opt = torch.optim.Adam(list(self.P.values()), lr=lr, betas=(beta1, beta2), eps=eps)
        self.gen = torch.Generator()

    def _eps(self, seed: int) -> torch.Tensor:
        self.gen.manual_seed(int(seed))
        return torch.randn(self.latent, self.bs, generator=self.gen, dtype=self.dtype)

    def step(self, xb: np.ndarray, seed: int) -> float:
        """One iteration (forward, backward, Adam); returns the batch's total cost."""
        x = torch.from_numpy(xb)
        self.opt.zero_grad(set_to_none=True)
        kl, nll, _ = costs(self.P, x, self._eps(seed))
        total = kl + nll
        (total / self.bs).backward()
        self.opt.step()
        return float(total.detach())

    @torch.no_grad()
    def evaluate(self, X: np.ndarray, seed: int) -> float:
        """Mean cost per example over the full batches of X (rows = images)."""
        nb = len(X) // self.bs
        total = 0.0
        for i in range(nb):
            x = torch.from_numpy(np.ascontiguousarray(X[i * self.bs : (i + 1) * self.bs].T))
            kl, nll, _ = costs(self.P, x, self._eps(seed + i))
            total += float(kl + nll)
        return total / (nb * self.bs)

    def params(self) -> dict[str, np.ndarray]:
        return {k: v.detach().numpy().copy() for k, v in self.P.items()}
