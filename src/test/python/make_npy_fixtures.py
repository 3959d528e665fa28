"""Writes the .npy files of NpyFilesTest: headers numpy writes (versions 2 and 3, big-endian,
trailing bytes) with what numpy reads from them, and lying headers that numpy refuses.

Run from the project folder: python src/test/python/make_npy_fixtures.py
"""
import io
import struct

import numpy as np

OUT = "src/test/resources/reference/npy/"
VALUES = np.arange(6, dtype=np.float64).reshape(2, 3) / 8 - 0.25


def write(name, array, version):
    with open(OUT + name, "wb") as f:
        np.lib.format.write_array(f, array, version=version)


def raw(name, header, data, version=1, length=None):
    h = header.encode("latin1")
    n = len(h) if length is None else length
    pre = b"\x93NUMPY" + bytes([version, 0]) + (struct.pack("<H", n) if version == 1 else struct.pack("<i", n))
    with open(OUT + name, "wb") as f:
        f.write(pre + h + data)


write("v2_float32.npy", VALUES.astype(np.float32), (2, 0))
write("v3_big_endian.npy", VALUES.astype(">f8"), (3, 0))
with open(OUT + "trailing_bytes.npy", "wb") as f:
    np.lib.format.write_array(f, VALUES, version=(1, 0))
    f.write(b"extra")
for name in ["v2_float32.npy", "v3_big_endian.npy", "trailing_bytes.npy"]:
    assert np.allclose(np.load(OUT + name), VALUES, atol=0), name

zeros = np.zeros(48).tobytes()
raw("lying_shape.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (12, 2305843009213693954, 2), }\n",
    zeros)
raw("negative_dimension.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (12, -2, 2), }\n", zeros)
raw("negative_header_length.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (12, 2, 2), }\n", zeros,
    version=2, length=-5)
raw("short_data.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (12, 3, 2), }\n", zeros)
for name in ["lying_shape.npy", "negative_dimension.npy", "negative_header_length.npy", "short_data.npy"]:
    try:
        np.load(OUT + name)
    except Exception as e:  # noqa: BLE001 - any refusal will do
        print(name, "numpy refuses:", type(e).__name__, str(e)[:100])
    else:
        raise AssertionError(name + " was accepted by numpy")
