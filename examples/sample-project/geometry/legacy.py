"""Old pickle-based storage, kept for reading files written by version 0.1."""

import pickle


def load_legacy(path):
    """Read shapes pickled by geometry-kit 0.1."""
    with open(path, "rb") as handle:
        return pickle.load(handle)
