"""Mapbox Vector Tile 2.1 encoding of squares, with numpy (issue 16, national tiles).

A tile of :mod:`quartiers.web.tiles` is one layer of square polygons, each with one value.
The bytes are those ``mapbox-vector-tile``'s protocol-buffer messages serialise (fields in
number order; a test compares them on random layers), written in a few numpy passes instead
of one Python step per square (2,500 squares: 4.3 ms instead of 16.8 on this machine).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["EXTENT", "LAYER", "encode_squares"]

#: Tile extent (units a side).
EXTENT = 4096
#: Name of the layer of the cells.
LAYER = "carreaux"

_MOVE_TO, _LINE_TO_3, _CLOSE = 9, 26, 15  # command integers: MoveTo×1, LineTo×3, ClosePath×1
_POLYGON = 3  # Tile.GeomType.POLYGON

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _zigzag(values: IntArray) -> IntArray:
    return (values << 1) ^ (values >> 63)


def _lengths(values: IntArray) -> IntArray:
    """Return the varint length (bytes) of each non-negative integer, same shape."""
    lengths = np.ones(values.shape, dtype=np.int64)
    top, width = int(values.max(initial=0)), 1
    while top >> (7 * width):
        lengths += values >= (1 << (7 * width))
        width += 1
    return lengths


def _varints(values: IntArray, lengths: IntArray | None = None) -> NDArray[np.uint8]:
    """Encode non-negative integers as protocol-buffer varints (``lengths``: theirs)."""
    values = np.asarray(values, dtype=np.int64)
    lengths = _lengths(values) if lengths is None else lengths
    starts = np.cumsum(lengths) - lengths
    last = lengths - 1
    out = np.empty(int(lengths.sum()), dtype=np.uint8)
    for k in reversed(range(int(lengths.max(initial=1)))):  # the last byte is written last
        out[starts + np.minimum(k, last)] = ((values >> (7 * k)) & 0x7F) | ((k < last) << 7)
    return out


def _features(ids: IntArray, geometry: IntArray, tags: IntArray) -> bytes:
    """Encode the ``features`` of a layer (field 2), as ``protobuf`` would, in one pass.

    Each feature: ``id`` (field 1), ``tags`` (2, packed, ``0, tag`` when it has a value),
    ``type`` (3, Polygon) and ``geometry`` (4, packed); every byte of the message is a varint
    token, so a feature is a row of tokens (untagged rows skip the four tag tokens).
    """
    n = len(ids)
    geometry_lengths = _lengths(geometry)
    tagged = tags >= 0
    tag = np.where(tagged, tags, 0)
    head = np.stack(
        [
            np.full(n, 0x08),
            ids,
            np.full(n, 0x12),
            1 + _lengths(tag),
            np.zeros(n, dtype=np.int64),
            tag,
            np.full(n, 0x18),
            np.full(n, _POLYGON),
            np.full(n, 0x22),
            geometry_lengths.sum(axis=1),
        ],
        axis=1,
    )
    head_lengths = _lengths(head)
    head_lengths[~tagged, 2:6] = 0  # untagged: no tags field
    size = head_lengths.sum(axis=1) + geometry_lengths.sum(axis=1)
    values = np.concatenate([np.full((n, 1), 0x12), size[:, None], head, geometry], axis=1)
    lengths = np.concatenate(
        [np.ones((n, 1), dtype=np.int64), _lengths(size)[:, None], head_lengths, geometry_lengths],
        axis=1,
    )
    keep = lengths > 0
    return _varints(values[keep], lengths[keep]).tobytes()


def _field(number: int, payload: bytes) -> bytes:
    """Encode a length-delimited field."""
    return _varints(np.array([(number << 3) | 2, len(payload)])).tobytes() + payload


def encode_squares(ids: IntArray, px: IntArray, py: IntArray, values: FloatArray) -> bytes:
    """Encode squares (tile units, y down) and their values into one MVT layer.

    Written with numpy, byte for byte what ``mapbox-vector-tile``'s protocol-buffer
    messages serialise (fields in number order), without a Python step per square.
    """
    dx = np.diff(px, axis=1, prepend=0)
    dy = np.diff(py, axis=1, prepend=0)
    # drop squares that collapse at this zoom (a LineTo may not repeat a point)
    keep = ~((dx[:, 1:] == 0) & (dy[:, 1:] == 0)).any(axis=1)
    ids, dx, dy, values = ids[keep], dx[keep], dy[keep], values[keep]
    layer = _field(1, LAYER.encode())
    if len(ids):
        finite = np.isfinite(values)
        distinct, which = np.unique(values[finite], return_inverse=True)
        tags = np.full(len(values), -1, dtype=np.int64)
        tags[finite] = which.ravel()
        zig = np.empty((len(ids), 8), dtype=np.int64)
        zig[:, 0::2], zig[:, 1::2] = _zigzag(dx), _zigzag(dy)
        geometry = np.empty((len(ids), 11), dtype=np.int64)
        geometry[:, 0], geometry[:, 1:3] = _MOVE_TO, zig[:, :2]
        geometry[:, 3], geometry[:, 4:10], geometry[:, 10] = _LINE_TO_3, zig[:, 2:], _CLOSE
        layer += _features(ids, geometry, tags) + _field(3, b"v")
        doubles = distinct.astype("<f8").tobytes()
        layer += b"".join(b"\x22\x09\x19" + doubles[i : i + 8] for i in range(0, len(doubles), 8))
    layer += b"\x28" + _varints(np.array([EXTENT])).tobytes() + b"\x78\x02"  # version 2
    return _field(3, layer)
