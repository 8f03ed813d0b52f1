"""The book's data: MNIST and Fashion-MNIST as in-memory tensors, and one photograph.

The files are fetched by ``torchvision.datasets`` (which checks their MD5 sums)
into one data folder:

* ``$CNNBOOK_DATA`` when that environment variable is set,
* otherwise :data:`DEFAULT_DATA_DIR` (``~/.cache/cnnbook/data``, an absolute path,
  so every notebook finds the same copy whatever its working directory).

Offline, put the four original ``.gz`` files of a dataset in
``<data folder>/MNIST/raw/`` (or ``FashionMNIST/raw/``): nothing is downloaded then.
Each ``.gz`` that is present is checked against torchvision's MD5 before use.

:func:`sample_photo` is the photograph the chapters filter, shipped with matplotlib (no
download).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from matplotlib import cbook
from PIL import Image
from torchvision import datasets

from cnnbook._checks import check_bool, check_choice, check_int, check_tuple

DATA_ENV = "CNNBOOK_DATA"
DEFAULT_DATA_DIR = Path.home() / ".cache" / "cnnbook" / "data"


@dataclass(frozen=True)
class Info:
    """What the book needs to know about one dataset."""

    cls: type[datasets.MNIST]
    mean: float  # of the training pixels, scaled to [0, 1]
    std: float


DATASETS: dict[str, Info] = {
    "mnist": Info(datasets.MNIST, mean=0.1307, std=0.3081),
    "fashion-mnist": Info(datasets.FashionMNIST, mean=0.2860, std=0.3530),
}


class DataError(RuntimeError):
    """The data files are missing (and cannot be downloaded) or corrupt."""


@dataclass(frozen=True)
class Split:
    """One split of a dataset, held in memory.

    ``images`` is float32 of shape ``(N, 1, 28, 28)``: normalised with the training
    mean and std when the split was loaded with ``normalize=True``, else in [0, 1].
    ``labels`` is int64 of shape ``(N,)``.
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]
    mean: float
    std: float

    def __len__(self) -> int:
        return len(self.labels)

    def pixels(self) -> torch.Tensor:
        """The images back in [0, 1], whatever the normalisation (for plotting)."""
        return self.images * self.std + self.mean


def data_dir() -> Path:
    """The folder the datasets live in: ``$CNNBOOK_DATA`` or :data:`DEFAULT_DATA_DIR`."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser().resolve() if env else DEFAULT_DATA_DIR


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_files(name: str = "mnist", root: Path | None = None) -> list[str]:
    """Return the ``.gz`` files of ``name`` missing from ``root``; raise if one is corrupt.

    A file whose MD5 differs from the one torchvision knows is reported as corrupt
    (truncated downloads and damaged copies are never used silently).
    """
    info = DATASETS[check_choice("name", name, DATASETS)]
    raw = (root or data_dir()) / info.cls.__name__ / "raw"
    missing = []
    for filename, md5 in info.cls.resources:
        path = raw / filename
        if not path.exists():
            missing.append(filename)
        elif _md5(path) != md5:
            raise DataError(
                f"{path} is corrupt or truncated: its MD5 is {_md5(path)}, expected {md5}. "
                "Delete it and load again (or copy a good file there)."
            )
    return missing


def _missing_message(name: str, root: Path, missing: list[str], cause: BaseException) -> str:
    folder = root / DATASETS[name].cls.__name__ / "raw"
    files = "\n".join(f"  {folder / f}" for f in missing)
    return (
        f"The {name} files are not on this machine and could not be downloaded "
        f"({type(cause).__name__}: {cause}).\nMissing:\n{files}\n"
        f"Copy the original .gz files there, or set {DATA_ENV} to a folder that holds "
        f"{DATASETS[name].cls.__name__}/raw/ with them (now: {root})."
    )


@functools.cache
def _load(name: str, train: bool, root: Path, normalize: bool) -> Split:
    info = DATASETS[name]
    missing = check_files(name, root)
    try:
        ds = info.cls(str(root), train=train, download=True)
    except Exception as exc:  # urllib/http errors, or torchvision's "not found"
        if not missing:
            raise
        raise DataError(_missing_message(name, root, missing, exc)) from None
    images = ds.data.unsqueeze(1).to(torch.float32).div_(255.0)
    mean, std = (info.mean, info.std) if normalize else (0.0, 1.0)
    if normalize:
        images = images.sub_(mean).div_(std)
    return Split(images, ds.targets.to(torch.int64), tuple(ds.classes), mean, std)


def load(
    name: str = "mnist", train: bool = True, *, root: str | Path | None = None,
    normalize: bool = True,
) -> Split:
    """Load one split of ``"mnist"`` or ``"fashion-mnist"`` as tensors, once per process.

    Downloads the files through torchvision when they are missing and the network
    allows, else raises :class:`DataError` naming the missing files, the folder to put
    them in and the ``CNNBOOK_DATA`` variable. Repeated calls return the same tensors.
    """
    check_choice("name", name, DATASETS)
    train = check_bool("train", train)
    root = Path(root).expanduser().resolve() if root is not None else data_dir()
    return _load(name, train, root, bool(normalize))


#: The photograph the book convolves: Grace Hopper, shipped with matplotlib.
PHOTO = "grace_hopper.jpg"


def sample_photo(size: int | tuple[int, int] | None = None) -> np.ndarray:
    """A grayscale photograph as float64 in [0, 1], shape ``(height, width)``; no download.

    ``size`` resizes it (area-averaging, so small sizes stay smooth): an int is the
    longer side with the aspect ratio kept, a pair is ``(height, width)``.
    """
    with Image.open(cbook.get_sample_data(PHOTO, asfileobj=False)) as img:
        gray = img.convert("F")  # float luma (ITU-R 601): 0.299 R + 0.587 G + 0.114 B
        if size is not None:
            w, h = gray.size
            if isinstance(size, Sequence) and not isinstance(size, str):
                new_h, new_w = check_tuple("size", size, 2, minimum=1)
            else:
                side = check_int("size", size, minimum=1)
                scale = side / max(w, h)
                new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
            gray = gray.resize((new_w, new_h), Image.Resampling.BOX)
        return np.clip(np.asarray(gray, dtype=np.float64) / 255.0, 0.0, 1.0)
