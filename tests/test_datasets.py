"""statbook.datasets: the pinned, hash-checked vegetables data, without touching the network.

Downloads are replaced by fake pooch downloaders (``downloader=``), so every path
(a good download, a corrupted one, no network, a corrupted cache) runs offline.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import requests

from statbook import datasets
from tests.conftest import ROOT

SHARED = Path(os.environ.get(datasets.DATA_DIR_ENV) or ROOT.parent / "shared" / "data")
REAL_FILE = SHARED / datasets.VEGETABLES_FILE


def copy_real_file(url, output_file, pooch):
    """A fake downloader that 'downloads' the real file from the shared folder."""
    shutil.copyfile(REAL_FILE, output_file)


def corrupted_download(url, output_file, pooch):
    Path(output_file).write_text("sale,normalSale,store\n1,1.0,1\n")


def no_network(url, output_file, pooch):
    raise requests.exceptions.ConnectionError("Failed to resolve 'raw.githubusercontent.com'")


@pytest.fixture
def no_data_env(monkeypatch):
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)


def test_real_file_is_available_for_the_tests():
    assert REAL_FILE.is_file(), f"set {datasets.DATA_DIR_ENV} to a folder with vegetables.csv"


def test_vegetables_summary_matches_the_seed():
    data = datasets.load_vegetables(data_dir=SHARED)
    assert list(data.columns) == ["sale", "normalSale", "store"]
    assert data.shape == (1066, 3)
    assert data["sale"].dtype == np.int64
    assert data["normalSale"].dtype == np.float64
    assert isinstance(data["store"].dtype, pd.CategoricalDtype)
    assert data["store"].nunique() == 352
    assert list(data["store"].cat.categories[:4]) == ["1", "10", "100", "101"]
    sale, normal = data["sale"], data["normalSale"]
    assert (sale.min(), sale.median(), sale.max()) == (1, 21, 571)
    assert round(sale.mean(), 2) == 40.29
    assert (sale.quantile(0.25), sale.quantile(0.75)) == (12, 40)
    assert (normal.min(), normal.median(), normal.max()) == (0.2, 7.25, 102.0)
    assert round(normal.mean(), 2) == 11.72
    assert (normal.quantile(0.25), normal.quantile(0.75)) == (4.2, 12.25)


def test_environment_variable_names_the_folder(monkeypatch):
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(SHARED))
    assert datasets.vegetables_path() == REAL_FILE


def test_wrong_hash_in_data_dir_is_rejected(tmp_path):
    (tmp_path / "vegetables.csv").write_text("sale,normalSale,store\n5,1.0,1\n")
    with pytest.raises(datasets.DataHashError, match="SHA-256") as info:
        datasets.load_vegetables(data_dir=tmp_path)
    assert str(tmp_path) in str(info.value)
    assert datasets.VEGETABLES_URL in str(info.value)


def test_data_dir_without_the_file_says_what_to_do(tmp_path):
    with pytest.raises(datasets.DataUnavailableError, match=datasets.DATA_DIR_ENV) as info:
        datasets.load_vegetables(data_dir=tmp_path)
    assert datasets.VEGETABLES_URL in str(info.value)


def test_download_into_the_cache_then_reuse_it_offline(tmp_path, no_data_env):
    path = datasets.vegetables_path(cache_dir=tmp_path, downloader=copy_real_file)
    assert path == tmp_path / "vegetables.csv"
    # second time: the verified cached copy is used, nothing is downloaded
    data = datasets.load_vegetables(cache_dir=tmp_path, downloader=no_network)
    assert data.shape == (1066, 3)


def test_corrupted_download_is_discarded(tmp_path, no_data_env):
    with pytest.raises(datasets.DataHashError, match="discarded"):
        datasets.vegetables_path(cache_dir=tmp_path, downloader=corrupted_download)
    assert not (tmp_path / "vegetables.csv").exists()


def test_offline_without_a_copy_gives_an_actionable_message(tmp_path, no_data_env):
    with pytest.raises(datasets.DataUnavailableError) as info:
        datasets.load_vegetables(cache_dir=tmp_path, downloader=no_network)
    message = str(info.value)
    assert datasets.VEGETABLES_URL in message
    assert str(tmp_path) in message
    assert datasets.DATA_DIR_ENV in message


def test_corrupted_cache_is_not_used_offline(tmp_path, no_data_env):
    (tmp_path / "vegetables.csv").write_text("sale,normalSale,store\n5,1.0,1\n")
    with pytest.raises(datasets.DataUnavailableError):
        datasets.load_vegetables(cache_dir=tmp_path, downloader=no_network)


def test_corrupted_cache_is_replaced_by_a_good_download(tmp_path, no_data_env):
    (tmp_path / "vegetables.csv").write_text("sale,normalSale,store\n5,1.0,1\n")
    data = datasets.load_vegetables(cache_dir=tmp_path, downloader=copy_real_file)
    assert data.shape == (1066, 3)
