"""Writes weights-converter/src/test/resources/headlens/convert/fixture/dtypes.safetensors, independently of our Java
writer, following the safetensors spec: u64 little-endian header length, JSON header, then the raw bytes.
Values are chosen to be exactly representable so the Java test can assert IEEE constants."""
import json, struct, pathlib
import numpy as np

out = pathlib.Path(__file__).resolve().parents[1] / "resources/headlens/convert/fixture/dtypes.safetensors"

f32 = np.array([[0.0, 1.0, -2.5], [3.4028235e38, 1e-45, -0.0]], dtype="<f4")
f16 = np.array([1.0, -2.5, 65504.0, 2.0**-24, 2.0**-14, np.inf], dtype="<f2")
# bfloat16 = upper half of a float32; these floats have zero low halves
bf = np.array([1.0, -2.5, 3.3895314e38, 2.0**-133], dtype="<f4")
assert np.all((bf.view("<u4") & 0xFFFF) == 0)
bf16 = (bf.view("<u4") >> 16).astype("<u2")
i64 = np.array([1, -2, 2**40], dtype="<i8")

# data laid out in a different order than the header lists them, to exercise offset handling
blobs = [("i64", "I64", i64), ("bf16", "BF16", bf16), ("f32", "F32", f32), ("f16", "F16", f16)]
header, data, off = {}, b"", 0
for name, dt, arr in blobs:
    b = arr.tobytes()
    header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
    data += b
    off += len(b)
ordered = {"__metadata__": {"format": "pt", "source": "numpy fixture"}}
for k in ["f32", "f16", "bf16", "i64"]:
    ordered[k] = header[k]
h = json.dumps(ordered).encode()
h += b" " * ((8 - len(h) % 8) % 8)
out.parent.mkdir(parents=True, exist_ok=True)
out.write_bytes(struct.pack("<Q", len(h)) + h + data)
print(out, out.stat().st_size)
