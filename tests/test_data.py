"""cnnbook.data: offline loading from seeded files, the errors a reader can meet, the photograph."""

import gzip
import shutil
import urllib.request
from pathlib import Path
from urllib.error import URLError

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib import cbook

from cnnbook import data

HERE = Path(__file__).resolve().parent


def _seed_source() -> Path:
    """A folder that holds MNIST/raw/*.gz: the configured data folder, else ../shared/data."""
    files = [name for name, _ in data.DATASETS["mnist"].cls.resources]
    for root in (data.data_dir(), HERE.parent.parent / "shared" / "data"):
        if all((root / "MNIST" / "raw" / name).exists() for name in files):
            return root
    pytest.skip("no seeded MNIST .gz files (set CNNBOOK_DATA or run .ci/run)")


@pytest.fixture
def no_network(monkeypatch):
    """Any download attempt fails as it does on a machine without a network."""

    def refuse(*args, **kwargs):
        raise URLError("network disabled in this test")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def seeded(tmp_path) -> Path:
    """A fresh data folder holding only the four original MNIST .gz files."""
    src = _seed_source() / "MNIST" / "raw"
    dst = tmp_path / "MNIST" / "raw"
    dst.mkdir(parents=True)
    for name, _ in data.DATASETS["mnist"].cls.resources:
        shutil.copy(src / name, dst / name)
    return tmp_path


def _read_idx_labels(path: Path) -> np.ndarray:
    raw = gzip.decompress(path.read_bytes())
    assert int.from_bytes(raw[:4], "big") == 2049
    return np.frombuffer(raw, dtype=np.uint8, offset=8)


def test_offline_load_from_seeded_gz_files(seeded, no_network):
    test = data.load("mnist", train=False, root=seeded)
    assert test.images.shape == (10_000, 1, 28, 28)
    assert test.images.dtype == torch.float32 and test.labels.dtype == torch.int64
    expected = _read_idx_labels(seeded / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz")
    np.testing.assert_array_equal(test.labels.numpy(), expected)
    assert test.classes[7].startswith("7")
    # normalised with the training statistics, and back to [0, 1] for plotting
    pixels = test.pixels()
    assert float(pixels.min()) == pytest.approx(0, abs=1e-6)
    assert float(pixels.max()) == pytest.approx(1, abs=1e-6)


def test_training_statistics_match_the_constants():
    train = data.load("mnist", train=True, root=_seed_source(), normalize=False)
    info = data.DATASETS["mnist"]
    assert float(train.images.mean()) == pytest.approx(info.mean, abs=1e-4)
    assert float(train.images.std()) == pytest.approx(info.std, abs=1e-4)
    normalised = data.load("mnist", train=True, root=_seed_source())
    assert float(normalised.images.mean()) == pytest.approx(0, abs=1e-3)
    assert float(normalised.images.std()) == pytest.approx(1, abs=1e-3)


def test_loaded_once_per_process(seeded, no_network):
    assert data.load("mnist", train=False, root=seeded) is data.load("mnist", False, root=seeded)


def test_missing_folder_gives_one_clear_error(tmp_path, no_network):
    with pytest.raises(data.DataError) as info:
        data.load("mnist", train=False, root=tmp_path / "nowhere")
    message = str(info.value)
    for filename, _ in data.DATASETS["mnist"].cls.resources:
        assert filename in message
    assert str(tmp_path / "nowhere" / "MNIST" / "raw") in message
    assert data.DATA_ENV in message


def test_corrupt_file_is_reported_not_used(seeded, no_network):
    victim = seeded / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz"
    victim.write_bytes(victim.read_bytes()[:-100])  # a truncated download
    with pytest.raises(data.DataError, match="t10k-labels-idx1-ubyte.gz is corrupt or truncated"):
        data.load("mnist", train=False, root=seeded)


def test_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    assert data.data_dir() == tmp_path.resolve()
    monkeypatch.delenv(data.DATA_ENV)
    assert data.data_dir() == data.DEFAULT_DATA_DIR
    assert data.DEFAULT_DATA_DIR.is_absolute()


def test_bad_arguments_name_the_allowed_values(seeded):
    with pytest.raises(ValueError, match="name must be one of 'mnist', 'fashion-mnist'"):
        data.load("cifar10", root=seeded)
    with pytest.raises(TypeError, match="train must be True or False"):
        data.load("mnist", train="yes", root=seeded)


def test_sample_photo_is_the_luma_of_matplotlibs_photograph():
    rgb = plt.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) / 255.0
    luma = rgb @ np.array([0.299, 0.587, 0.114])
    photo = data.sample_photo()
    assert photo.dtype == np.float64 and photo.shape == (600, 512)
    np.testing.assert_allclose(photo, luma, rtol=0, atol=1e-6)
    assert 0.0 <= photo.min() and photo.max() <= 1.0


def test_sample_photo_downsamples_by_block_averaging():
    full = data.sample_photo()
    small = data.sample_photo((75, 64))  # exactly 8 × 8 blocks
    np.testing.assert_allclose(small, full.reshape(75, 8, 64, 8).mean(axis=(1, 3)), atol=1e-6)
    assert data.sample_photo(100).shape == (100, 85)  # longer side 100, aspect 600:512 kept


def test_sample_photo_rejects_bad_sizes():
    with pytest.raises(ValueError, match="size must be an integer >= 1, got 0"):
        data.sample_photo(0)
    with pytest.raises(ValueError, match="size must be an integer or a sequence of 2"):
        data.sample_photo((1, 2, 3))
    with pytest.raises(TypeError, match="size must be an integer"):
        data.sample_photo(2.5)
