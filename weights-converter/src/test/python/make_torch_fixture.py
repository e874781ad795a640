"""Writes a PyTorch-style zip checkpoint (pytorch_model.bin) and its safetensors twin without torch, following the
layout of torch.save (zip: archive/data.pkl pickled with protocol 2 whose storages are persistent ids
('storage', torch.FloatStorage, key, 'cpu', numel); archive/data/<key> raw little-endian bytes; archive/version;
archive/byteorder). Stand-in modules named `torch` / `torch._utils` make Python's own pickle module emit the same
GLOBAL opcodes torch does. Includes a transposed (strided) view and a storage shared by two tensors (tied weights).
Output: src/test/resources/headlens/convert/fixture/torch-bin/ and fixture/torch-twin/."""
import collections, io, json, pathlib, pickle, struct, sys, types, zipfile
import numpy as np

root = pathlib.Path(__file__).resolve().parents[1] / "resources/headlens/convert/fixture"

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
def _rebuild_tensor_v2(*args): raise RuntimeError("never called")
_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
torch._utils = utils
for n in ["FloatStorage", "LongStorage"]:
    c = type(n, (), {}); c.__module__ = "torch"; setattr(torch, n, c)
sys.modules["torch"] = torch; sys.modules["torch._utils"] = utils

class Storage:
    def __init__(self, key, arr):
        self.key, self.arr = key, arr
        self.cls = torch.FloatStorage if arr.dtype == np.float32 else torch.LongStorage

class FakeTensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))

class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", obj.cls, obj.key, "cpu", obj.arr.size)
        return None

cfg = {"architectures": ["BertForMaskedLM"], "model_type": "bert", "vocab_size": 11, "hidden_size": 8,
       "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 16, "hidden_act": "gelu",
       "max_position_embeddings": 12, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0}
H, I, V, P = 8, 16, 11, 12
shapes = {"embeddings.word_embeddings.weight": (V, H), "embeddings.position_embeddings.weight": (P, H),
          "embeddings.token_type_embeddings.weight": (2, H), "embeddings.LayerNorm.weight": (H,), "embeddings.LayerNorm.bias": (H,)}
for l in range(2):
    p = f"encoder.layer.{l}."
    for q in ["query", "key", "value"]:
        shapes[p + f"attention.self.{q}.weight"] = (H, H); shapes[p + f"attention.self.{q}.bias"] = (H,)
    shapes.update({p + "attention.output.dense.weight": (H, H), p + "attention.output.dense.bias": (H,),
                   p + "attention.output.LayerNorm.weight": (H,), p + "attention.output.LayerNorm.bias": (H,),
                   p + "intermediate.dense.weight": (I, H), p + "intermediate.dense.bias": (I,),
                   p + "output.dense.weight": (H, I), p + "output.dense.bias": (H,),
                   p + "output.LayerNorm.weight": (H,), p + "output.LayerNorm.bias": (H,)})
rng = np.random.default_rng(7)
arrays = collections.OrderedDict()
for k, s in shapes.items():
    arrays["bert." + k] = rng.standard_normal(s).astype("<f4")
arrays["bert.embeddings.position_ids"] = np.arange(P, dtype="<i8").reshape(1, P)
arrays["cls.predictions.bias"] = rng.standard_normal(V).astype("<f4")
arrays["cls.predictions.decoder.weight"] = arrays["bert.embeddings.word_embeddings.weight"]   # tied

sd = collections.OrderedDict()
sd._metadata = collections.OrderedDict([("", {"version": 1}), ("bert", {"version": 1})])
storages = []
word_storage = None
for i, (k, a) in enumerate(arrays.items()):
    if k == "cls.predictions.decoder.weight":
        sd[k] = FakeTensor(word_storage, 0, a.shape, (H, 1)); continue
    if k == "bert.encoder.layer.0.attention.self.query.weight":
        st = Storage(str(len(storages)), np.ascontiguousarray(a.T))          # stored transposed, viewed with strides
        sd[k] = FakeTensor(st, 0, a.shape, (1, a.shape[0]))
    elif k == "bert.encoder.layer.1.intermediate.dense.bias":
        st = Storage(str(len(storages)), np.concatenate([np.zeros(3, "<f4"), a]))   # nonzero storage offset
        sd[k] = FakeTensor(st, 3, a.shape, (1,))
    else:
        st = Storage(str(len(storages)), a)
        strides = tuple(int(np.prod(a.shape[j + 1:])) for j in range(a.ndim))
        sd[k] = FakeTensor(st, 0, a.shape, strides)
    if k == "bert.embeddings.word_embeddings.weight": word_storage = st
    storages.append(st)

buf = io.BytesIO()
TorchPickler(buf, protocol=2).dump(sd)
d = root / "torch-bin"; d.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(d / "pytorch_model.bin", "w", zipfile.ZIP_STORED) as z:
    z.writestr("archive/data.pkl", buf.getvalue())
    z.writestr("archive/byteorder", "little")
    for st in storages:
        z.writestr(f"archive/data/{st.key}", st.arr.tobytes())
    z.writestr("archive/version", "3\n")

# twin: the same tensors in safetensors (spec writer, no sharing)
t = root / "torch-twin"; t.mkdir(parents=True, exist_ok=True)
header, data, off = {}, b"", 0
for k, a in arrays.items():
    b = np.ascontiguousarray(a).tobytes()
    header[k] = {"dtype": "F32" if a.dtype == np.float32 else "I64", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
    data += b; off += len(b)
h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
(t / "model.safetensors").write_bytes(struct.pack("<Q", len(h)) + h + data)
for x in (d, t):
    (x / "config.json").write_text(json.dumps(cfg, indent=1))
    (x / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\nc\nd\ne\nf\n")
print("wrote", d, t, len(buf.getvalue()), "pickle bytes")
