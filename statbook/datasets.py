"""Data sets of the book, downloaded once and verified by their SHA-256 hash.

The vegetables data (section 6.3) come from the repository of Niels Richard
Hansen's *Computational Statistics with R* (CSwR), pinned to one commit so the
file can never change under us.  Where the file is looked for:

1. ``STATBOOK_DATA_DIR`` (environment variable) or the ``data_dir`` argument:
   a folder that already holds ``vegetables.csv``.  It is only read, never
   written, and nothing is downloaded (CI and the tests use this).
2. Otherwise the user cache (``pooch.os_cache("statbook")`` or ``cache_dir``):
   the file is downloaded there on first use with :mod:`pooch`.

Either way the file's SHA-256 hash is checked before it is used; a file with
the wrong hash is rejected with :class:`DataHashError` and never parsed.
Without a network and without a copy, :class:`DataUnavailableError` says where
to put the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pooch

from statbook.exceptions import DataError

DATA_DIR_ENV = "STATBOOK_DATA_DIR"
VEGETABLES_FILE = "vegetables.csv"
VEGETABLES_URL = (
    "https://raw.githubusercontent.com/nielsrhansen/CSwR/"
    "b4cb8811dabe5085bf9c9f58029a9c76a9526eb7/data/vegetables.csv"
)
VEGETABLES_SHA256 = "46ec0481f70ac53e54543940a7f97afc9352aca21f5009d0bcdc0244d4023ed9"


class DataHashError(DataError):
    """A data file is present but its SHA-256 hash is not the pinned one."""


class DataUnavailableError(OSError):
    """A data file is neither present locally nor downloadable right now."""


def _check_hash(path: Path) -> Path:
    actual = pooch.file_hash(str(path), alg="sha256")
    if actual != VEGETABLES_SHA256:
        raise DataHashError(
            f"{path} is not the pinned vegetables data: its SHA-256 is {actual}, expected "
            f"{VEGETABLES_SHA256}. The file was not used. Replace it with the file from "
            f"{VEGETABLES_URL}"
        )
    return path


def _unavailable(cache: Path, err: Exception) -> DataUnavailableError:
    """The error for a download that failed for any reason but a wrong hash."""
    return DataUnavailableError(
        f"could not download {VEGETABLES_FILE} ({type(err).__name__}: {err}). "
        f"Without a network, download {VEGETABLES_URL} elsewhere and either put it "
        f"in {cache} or put it in a folder and set {DATA_DIR_ENV} to that folder."
    )


def vegetables_path(
    *,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    downloader: Callable | None = None,
) -> Path:
    """Path of a verified copy of ``vegetables.csv`` (see the module docstring for where).

    ``downloader`` is handed to :func:`pooch.retrieve` (the tests pass a fake one
    so they never touch the network).
    """
    folder = data_dir if data_dir is not None else os.environ.get(DATA_DIR_ENV)
    if folder:
        path = Path(folder) / VEGETABLES_FILE
        if not path.is_file():
            raise DataUnavailableError(
                f"{DATA_DIR_ENV} (or data_dir) names {folder}, which holds no {VEGETABLES_FILE}. "
                f"Put the file from {VEGETABLES_URL} there, or unset {DATA_DIR_ENV} to download "
                "it into the user cache."
            )
        return _check_hash(path)

    cache = Path(cache_dir) if cache_dir is not None else Path(pooch.os_cache("statbook"))
    try:
        fetched = pooch.retrieve(
            VEGETABLES_URL,
            known_hash=f"sha256:{VEGETABLES_SHA256}",
            fname=VEGETABLES_FILE,
            path=cache,
            downloader=downloader,
        )
    except ValueError as err:
        if "does not match the known hash" not in str(err):  # not pooch's hash check
            raise _unavailable(cache, err) from err
        raise DataHashError(
            f"the downloaded {VEGETABLES_FILE} does not have the pinned SHA-256 "
            f"{VEGETABLES_SHA256}; it was discarded and not used ({err})"
        ) from err
    except Exception as err:  # no network, proxy, HTTP error: say what to do instead
        raise _unavailable(cache, err) from err
    return _check_hash(Path(fetched))


def load_vegetables(**where) -> pd.DataFrame:
    """The vegetables data: weekly campaign sales of frozen vegetables in 352 stores.

    Columns: ``sale`` (int, bags sold in the campaign week), ``normalSale``
    (float, the predicted sale in a normal week) and ``store`` (categorical;
    the store ids are kept as strings, categories sorted as strings, "1",
    "10", "100", ... as R sorts factor levels).  Keyword arguments are those
    of :func:`vegetables_path`.
    """
    data = pd.read_csv(
        vegetables_path(**where), dtype={"sale": "int64", "normalSale": "float64", "store": str}
    )
    data["store"] = pd.Categorical(data["store"], categories=sorted(data["store"].unique()))
    return data
