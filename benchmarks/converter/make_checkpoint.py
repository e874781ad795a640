"""Writes a bert-base-multilingual-cased-shaped HuggingFace directory (random weights, F32 or F16 safetensors with
the bert. prefix) for the converter benchmark. Usage: make_checkpoint.py OUT_DIR [F32|F16]"""
import json, pathlib, struct, sys
import numpy as np
out = pathlib.Path(sys.argv[1]); dt = sys.argv[2] if len(sys.argv) > 2 else "F32"
npdt = "<f4" if dt == "F32" else "<f2"
H, I, V, L, P = 768, 3072, 119547, 12, 512
cfg = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": V, "hidden_size": H, "num_hidden_layers": L,
       "num_attention_heads": 12, "intermediate_size": I, "hidden_act": "gelu", "max_position_embeddings": P,
       "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0}
shapes = {"embeddings.word_embeddings.weight": (V, H), "embeddings.position_embeddings.weight": (P, H),
          "embeddings.token_type_embeddings.weight": (2, H), "embeddings.LayerNorm.weight": (H,), "embeddings.LayerNorm.bias": (H,)}
for l in range(L):
    p = f"encoder.layer.{l}."
    for q in ["query", "key", "value"]:
        shapes[p + f"attention.self.{q}.weight"] = (H, H); shapes[p + f"attention.self.{q}.bias"] = (H,)
    shapes.update({p + "attention.output.dense.weight": (H, H), p + "attention.output.dense.bias": (H,),
                   p + "attention.output.LayerNorm.weight": (H,), p + "attention.output.LayerNorm.bias": (H,),
                   p + "intermediate.dense.weight": (I, H), p + "intermediate.dense.bias": (I,),
                   p + "output.dense.weight": (H, I), p + "output.dense.bias": (H,),
                   p + "output.LayerNorm.weight": (H,), p + "output.LayerNorm.bias": (H,)})
shapes["pooler.dense.weight"] = (H, H); shapes["pooler.dense.bias"] = (H,)
rng = np.random.default_rng(0)
header, off = {}, 0
for k, s in shapes.items():
    n = int(np.prod(s)) * (4 if dt == "F32" else 2)
    header["bert." + k] = {"dtype": dt, "shape": list(s), "data_offsets": [off, off + n]}; off += n
h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
out.mkdir(parents=True, exist_ok=True)
with open(out / "model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h)
    for k, s in shapes.items():
        f.write((rng.standard_normal(s, dtype=np.float32) * 0.02).astype(npdt).tobytes())
(out / "config.json").write_text(json.dumps(cfg))
(out / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]) + "\n")
