"""Trained triage objects as bytes, for the app to keep in its own database.

The bytes are a joblib pickle of scikit-learn objects behind a small header. Unpickling
runs code chosen by whoever wrote the bytes, so `load` must only ever be given bytes that
Pilothouse itself wrote to its own database (never an upload, an import file or anything
a user can send). A model written by another version of scikit-learn or of this format is
refused with `StaleModelError`: retrain it, which is cheap, rather than trust a pickle
across versions.
"""

from __future__ import annotations

import io
import json
from typing import Any

import joblib
import sklearn

MAGIC = b"pilothouse-triage\n"
FORMAT_VERSION = 1


class StaleModelError(ValueError):
    """The bytes were written by another format or scikit-learn version: retrain."""


def dump(obj: Any, *, kind: str) -> bytes:
    """Serialise `obj` (tagged with `kind`, e.g. "kind-model") to compressed bytes.

    Layout: the magic line, a one-line JSON header (kind and versions, read before any
    unpickling), then the joblib pickle.
    """
    header = {"kind": kind, "format_version": FORMAT_VERSION, "sklearn": sklearn.__version__}
    buffer = io.BytesIO()
    buffer.write(MAGIC)
    buffer.write(json.dumps(header).encode() + b"\n")
    joblib.dump(obj, buffer, compress=("zlib", 3))
    return buffer.getvalue()


def read_header(data: bytes) -> dict[str, Any]:
    """The header of saved bytes, without unpickling anything."""
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        raise ValueError("data: must be the non-empty bytes written by dump()")
    data = bytes(data)
    if not data.startswith(MAGIC):
        raise ValueError("data: not a saved triage object")
    end = data.find(b"\n", len(MAGIC))
    try:
        header = json.loads(data[len(MAGIC) : end]) if end > 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict):
        raise ValueError("data: the header of the saved triage object is damaged")
    return header


def load(data: bytes, *, kind: str) -> Any:
    """Load what `dump` wrote, checking the tag and the versions first. Trusted bytes only."""
    header = read_header(data)
    if header.get("kind") != kind:
        raise ValueError(f"data: holds a {header.get('kind')!r}, expected a {kind!r}")
    if header.get("format_version") != FORMAT_VERSION:
        raise StaleModelError(
            f"saved with format version {header.get('format_version')}, this is "
            f"{FORMAT_VERSION}: retrain"
        )
    if header.get("sklearn") != sklearn.__version__:
        raise StaleModelError(
            f"trained with scikit-learn {header.get('sklearn')}, running "
            f"{sklearn.__version__}: retrain"
        )
    body = bytes(data)[bytes(data).find(b"\n", len(MAGIC)) + 1 :]
    try:
        return joblib.load(io.BytesIO(body))
    except Exception as error:  # a truncated blob
        reason = type(error).__name__
        raise ValueError(f"data: the saved triage object is damaged ({reason})") from None
