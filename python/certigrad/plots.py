"""The end-of-training figure: loss curves, reconstructions and samples (PNG).

matplotlib is imported here only, with the Agg backend (no display needed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["image_grid", "save_report"]


def image_grid(images: np.ndarray, rows: int, cols: int, side: int = 28, pad: int = 1) -> np.ndarray:
    """Tile ``rows * cols`` images (each ``side*side`` values, flattened or not)
    into one 2-D array with ``pad`` pixels of background between them."""
    images = np.asarray(images, dtype=np.float64).reshape(-1, side, side)
    grid = np.ones((rows * (side + pad) + pad, cols * (side + pad) + pad))
    for k in range(min(len(images), rows * cols)):
        r, c = divmod(k, cols)
        y, x = pad + r * (side + pad), pad + c * (side + pad)
        grid[y : y + side, x : x + side] = images[k]
    return grid


def save_report(path, history: list[dict], originals: np.ndarray, reconstructions: np.ndarray,
                samples: np.ndarray, title: str = "") -> Path:
    """Write the figure to ``path``.

    ``history``: one dict per epoch with ``epoch``, ``train_loss`` and
    ``test_loss`` (and optionally ``val_loss``), in nats per example.
    ``originals`` / ``reconstructions``: ``(n, 784)``, shown as pairs of rows.
    ``samples``: ``(m, 784)``, decoder means for z ~ N(0, I).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, axes = plt.subplots(1, 3, figsize=(15, 5), gridspec_kw={"width_ratios": [1.2, 1, 1]})
    ax = axes[0]
    epochs = [h["epoch"] for h in history]
    for key, label, style in (("train_loss", "train", "o-"), ("val_loss", "validation", "s--"),
                              ("test_loss", "test", "^-")):
        ys = [h.get(key) for h in history]
        if any(y is not None for y in ys):
            ax.plot(epochs, [np.nan if y is None else y for y in ys], style, label=label)
    ax.set_xlabel("epoch")
    if 0 < len(epochs) <= 20:
        ax.set_xticks(epochs)
    else:
        ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("negative ELBO (nats / example)")
    ax.set_title("loss")
    ax.grid(True, alpha=0.3)
    if history:
        ax.legend()

    n = min(len(originals), len(reconstructions))
    cols = min(n, 10)
    if cols:
        rows = max(1, min(n // cols, 4))
        pairs = []
        for r in range(rows):
            pairs.append(originals[r * cols : (r + 1) * cols])
            pairs.append(reconstructions[r * cols : (r + 1) * cols])
        axes[1].imshow(image_grid(np.concatenate(pairs), 2 * rows, cols), cmap="gray_r", vmin=0, vmax=1)
        axes[1].set_title("test images / reconstructions\n(alternating rows)")
    axes[1].axis("off")

    m = len(samples)
    if m:
        cols = min(m, 10)
        rows = max(1, min(m // cols, 8))
        axes[2].imshow(image_grid(samples[: rows * cols], rows, cols), cmap="gray_r", vmin=0, vmax=1)
        axes[2].set_title("samples\n(decoder mean, z ~ N(0, I))")
    axes[2].axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
