"""Independent NumPy reference for the XLM-R / BERT encoder (float64), after HuggingFace modeling_xlm_roberta.py.

Writes a small random XLM-R-shaped checkpoint and the reference outputs the Java tests compare against:
  src/test/resources/golden/tiny-xlmr/{config.json, weights.npz, inputs.npz, expected.npz}
Run from the repository root:  python3 src/test/python/tiny_xlmr_reference.py
"""
import json, math, os
import numpy as np

OUT = "src/test/resources/golden/tiny-xlmr"
rng = np.random.default_rng(20211)
cfg = dict(model_type="xlm-roberta", vocab_size=120, hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
           intermediate_size=64, hidden_act="gelu", max_position_embeddings=40, type_vocab_size=1,
           layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2,
           hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
H, L, NH, I = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["intermediate_size"]
D = H // NH

def t(*shape, scale=0.2):
    return (rng.standard_normal(shape) * scale).astype(np.float32)

w = {"embeddings.word_embeddings.weight": t(cfg["vocab_size"], H, scale=0.5),
     "embeddings.position_embeddings.weight": t(cfg["max_position_embeddings"], H, scale=0.5),
     "embeddings.token_type_embeddings.weight": t(1, H, scale=0.5),
     "embeddings.LayerNorm.weight": 1 + t(H, scale=0.1), "embeddings.LayerNorm.bias": t(H, scale=0.1)}
for l in range(L):
    p = f"encoder.layer.{l}."
    for n in ("query", "key", "value"):
        w[p + f"attention.self.{n}.weight"] = t(H, H); w[p + f"attention.self.{n}.bias"] = t(H, scale=0.05)
    w[p + "attention.output.dense.weight"] = t(H, H); w[p + "attention.output.dense.bias"] = t(H, scale=0.05)
    w[p + "attention.output.LayerNorm.weight"] = 1 + t(H, scale=0.1); w[p + "attention.output.LayerNorm.bias"] = t(H, scale=0.1)
    w[p + "intermediate.dense.weight"] = t(I, H); w[p + "intermediate.dense.bias"] = t(I, scale=0.05)
    w[p + "output.dense.weight"] = t(H, I); w[p + "output.dense.bias"] = t(H, scale=0.05)
    w[p + "output.LayerNorm.weight"] = 1 + t(H, scale=0.1); w[p + "output.LayerNorm.bias"] = t(H, scale=0.1)

def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True); var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b

erf = np.vectorize(math.erf)
def gelu(x):
    if ACT == "gelu_new":   # Google BERT's tanh form (HuggingFace gelu_new / gelu_pytorch_tanh)
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
ACT = "gelu"

def forward(ids, mask, head_mask):
    W = {k: v.astype(np.float64) for k, v in w.items()}
    pad = cfg["pad_token_id"]
    nonpad = (ids != pad).astype(np.int64)
    pos = np.cumsum(nonpad, axis=1) * nonpad + pad          # create_position_ids_from_input_ids
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][pos] \
        + W["embeddings.token_type_embeddings.weight"][np.zeros_like(ids)]
    x = layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"], cfg["layer_norm_eps"])
    ext = (1.0 - mask[:, None, None, :]) * np.finfo(np.float64).min   # HF extended attention mask
    B, T = ids.shape
    atts = []
    for l in range(L):
        p = f"encoder.layer.{l}."
        lin = lambda v, n: v @ W[p + n + ".weight"].T + W[p + n + ".bias"]
        split = lambda v: v.reshape(B, T, NH, D).transpose(0, 2, 1, 3)
        q, k, v = (split(lin(x, "attention.self." + n)) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D) + ext
        s = s - s.max(-1, keepdims=True)
        pr = np.exp(s); pr = pr / pr.sum(-1, keepdims=True)
        pr = pr * head_mask[l][None, :, None, None]
        atts.append(pr)
        ctx = (pr @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
        x = layer_norm(lin(ctx, "attention.output.dense") + x, W[p + "attention.output.LayerNorm.weight"],
                       W[p + "attention.output.LayerNorm.bias"], cfg["layer_norm_eps"])
        u = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(lin(u, "output.dense") + x, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"],
                       cfg["layer_norm_eps"])
    return x, atts

# a padded batch of four sequences (<s> ... </s>, then <pad>=1), lengths 9, 5, 12, 3
lens = [9, 5, 12, 3]
T = max(lens)
ids = np.full((len(lens), T), cfg["pad_token_id"], dtype=np.int64)
mask = np.zeros((len(lens), T), dtype=np.float64)
for i, n in enumerate(lens):
    ids[i, 0] = 0; ids[i, n - 1] = 2
    ids[i, 1:n - 1] = rng.integers(4, cfg["vocab_size"], n - 2)
    mask[i, :n] = 1
ones = np.ones((L, NH))
hid, atts = forward(ids, mask, ones)
gated = ones.copy(); gated[1, 2] = 0.0; gated[0, 0] = 0.0; gated[2, 3] = 0.5
hid_g, _ = forward(ids, mask, gated)
ACT = "gelu_new"
hid_new, _ = forward(ids, mask, ones)
ACT = "gelu"

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "config.json"), "w") as f:
    json.dump(cfg, f, indent=2)
np.savez(os.path.join(OUT, "weights.npz"), **w)
np.savez(os.path.join(OUT, "inputs.npz"), input_ids=ids, attention_mask=mask.astype(np.int64))
exp = {"hidden": hid.astype(np.float32), "hidden_gated": hid_g.astype(np.float32), "gates": gated.astype(np.float32),
       "hidden_gelu_new": hid_new.astype(np.float32)}
for l, a in enumerate(atts):
    exp[f"attn_{l}"] = a.astype(np.float32)
np.savez(os.path.join(OUT, "expected.npz"), **exp)
print("wrote", OUT, "hidden[0,0,:4] =", hid[0, 0, :4])
