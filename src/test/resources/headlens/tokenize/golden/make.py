#!/usr/bin/python3
"""Regenerates the committed tokenizer goldens from ../shared (run from the repository root with Debian's python3, after
`apt-get install -y sentencepiece python3-sentencepiece` and `npm install tokenizers@0.23.2` in a scratch folder given as
NODE_PATH=<scratch>/node_modules). Selection is deterministic; see SOURCE.md."""
import gzip, json, os, re, subprocess, sys
import sentencepiece as spm

SHARED = os.environ.get("HEADLENS_SHARED", "../shared")
HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
RISKY = re.compile(r"\d{3,}|([-!.?*=_~])\1{2,}|[()\"£–€]")

def conllu(path):
    text, words = None, []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# text = "): text = line[9:]
        elif not line:
            if text is not None: yield text, words
            text, words = None, []
        elif not line.startswith("#"):
            c = line.split("\t")
            if c[0].isdigit(): words.append(c[1])
    if text is not None: yield text, words

def xsid(path):
    text, words = None, []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# text = "): text = line[9:]
        elif not line.strip():
            if text is not None: yield text, words
            text, words = None, []
        elif not line.startswith("#"):
            c = line.split("\t")
            if len(c) > 1: words.append(c[1])
    if text is not None: yield text, words

def spread(items, k):
    if len(items) <= k: return items
    return [items[i * len(items) // k] for i in range(k)]

# Lines on which headlens before the SentencePiece tie fix (commit 5b702cd) disagreed with spm_encode for at least one of
# the three models (80 of the 194 such lines among the 35,295 sentences of these treebanks, up to 30 per model, spread)
REGRESSION = [
    ("UD_English-EWT/train", 117), ("UD_English-EWT/train", 343), ("UD_English-EWT/train", 851), ("UD_English-EWT/train", 1064),
    ("UD_English-EWT/train", 1754), ("UD_English-EWT/train", 2760), ("UD_English-EWT/train", 3034), ("UD_English-EWT/train", 4608),
    ("UD_English-EWT/train", 4621), ("UD_English-EWT/train", 4657), ("UD_English-EWT/train", 4706), ("UD_English-EWT/train", 5709),
    ("UD_English-EWT/train", 5714), ("UD_English-EWT/train", 5732), ("UD_English-EWT/train", 5828), ("UD_English-EWT/train", 5830),
    ("UD_English-EWT/train", 5956), ("UD_English-EWT/train", 6021), ("UD_English-EWT/train", 6224), ("UD_English-EWT/train", 6240),
    ("UD_English-EWT/train", 6267), ("UD_English-EWT/train", 6296), ("UD_English-EWT/train", 6645), ("UD_English-EWT/train", 6650),
    ("UD_English-EWT/train", 6668), ("UD_English-EWT/train", 6689), ("UD_English-EWT/train", 6695), ("UD_English-EWT/train", 6729),
    ("UD_English-EWT/train", 6788), ("UD_English-EWT/train", 6883), ("UD_English-EWT/train", 7063), ("UD_English-EWT/train", 7264),
    ("UD_English-EWT/train", 7377), ("UD_English-EWT/train", 7417), ("UD_English-EWT/train", 7473), ("UD_English-EWT/train", 8089),
    ("UD_English-EWT/train", 8344), ("UD_English-EWT/train", 8685), ("UD_English-EWT/train", 8796), ("UD_English-EWT/train", 8984),
    ("UD_English-EWT/train", 9363), ("UD_English-EWT/train", 9394), ("UD_English-EWT/train", 10041), ("UD_English-EWT/train", 10228),
    ("UD_English-EWT/train", 10342), ("UD_English-EWT/train", 10398), ("UD_English-EWT/train", 10489), ("UD_English-EWT/train", 10725),
    ("UD_English-EWT/train", 10960), ("UD_English-EWT/train", 10964), ("UD_English-EWT/train", 11321), ("UD_English-EWT/train", 11741),
    ("UD_English-EWT/train", 11959), ("UD_English-EWT/train", 12077), ("UD_English-EWT/dev", 724), ("UD_English-EWT/dev", 844),
    ("UD_English-EWT/dev", 931), ("UD_English-EWT/dev", 934), ("UD_English-EWT/dev", 935), ("UD_English-EWT/dev", 1052),
    ("UD_English-EWT/dev", 1256), ("UD_English-EWT/dev", 1424), ("UD_English-EWT/dev", 1570), ("UD_English-EWT/dev", 1589),
    ("UD_English-EWT/dev", 1629), ("UD_English-EWT/dev", 1927), ("UD_English-EWT/test", 161), ("UD_English-EWT/test", 889),
    ("UD_English-EWT/test", 941), ("UD_English-EWT/test", 968), ("UD_English-EWT/test", 1767), ("UD_English-EWT/test", 1768),
    ("UD_German-GSD/dev", 580), ("UD_German-GSD/test", 83), ("UD_German-GSD/test", 210), ("UD_German-GSD/test", 763),
    ("UD_Spanish-GSD/dev", 1061), ("UD_Spanish-GSD/test", 325), ("UD_Portuguese-GSD/train", 2005), ("UD_Portuguese-GSD/train", 8492),
]

corpus = []
slot = os.path.join(SHARED, "data/slot")
for lang in sorted(os.listdir(slot)):
    f = os.path.join(slot, lang, "test.conll")
    if os.path.isfile(f):
        for n, (t, w) in enumerate(xsid(f)):
            if n % 50 == 7: corpus.append({"src": "xsid-0.7/" + lang + "/test", "lang": lang, "n": n, "text": t, "words": w})
UD = [("en", "pos/en", "UD_English-EWT"), ("de", "pos/de", "UD_German-GSD"), ("es", "pos/es", "UD_Spanish-GSD"),
      ("pt", "pos/pt", "UD_Portuguese-GSD"), ("hi", "pos/hi", "UD_Hindi-PUD"), ("zh", "pos/zh/alt-gsd-r2.17", "UD_Chinese-GSD"),
      ("ja", "pos/ja/alt-gsd-r2.18", "UD_Japanese-GSD")]
for lang, d, name in UD:
    for split in ("dev", "test"):
        f = os.path.join(SHARED, "data", d, split + ".conllu")
        if not os.path.isfile(f): continue
        rows = list(enumerate(conllu(f)))
        risky = [r for r in rows if RISKY.search(r[1][0])]
        plain = [r for r in rows if not RISKY.search(r[1][0])]
        for n, (t, w) in sorted(spread(risky, 20) + spread(plain, 5)):
            corpus.append({"src": name + "/" + split, "lang": lang, "n": n, "text": t, "words": w})
    for split in ("train", "dev", "test"):
        wanted = {n for src, n in REGRESSION if src == name + "/" + split}
        have = {c["n"] for c in corpus if c["src"] == name + "/" + split}
        if not wanted: continue
        for n, (t, w) in enumerate(conllu(os.path.join(SHARED, "data", d, split + ".conllu"))):
            if n in wanted and n not in have:
                corpus.append({"src": name + "/" + split, "lang": lang, "n": n, "text": t, "words": w})

with open(os.path.join(HERE, "corpus.jsonl"), "w", encoding="utf-8") as out:
    for c in corpus: out.write(json.dumps(c, ensure_ascii=False) + "\n")
texts = [c["text"] for c in corpus]

def write(name, rows):
    with open(os.path.join(HERE, name), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as g:
            for r in rows: g.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))

for model in ("sentencepiece_test_model", "sentencepiece_test_ja_model", "transformers_fixture_spiece"):
    path = os.path.join(FIX, model + ".model")
    sp = spm.SentencePieceProcessor(model_file=path)
    ids = [sp.encode(t) for t in texts]
    cli = subprocess.run(["spm_encode", "--model=" + path, "--output_format=id"], input="\n".join(texts) + "\n",
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert [list(map(int, l.split())) for l in cli] == ids, model + ": spm_encode and the Python binding disagree"
    write(model + ".sample.jsonl.gz", [{"lang": c["lang"], "n": i, "text": c["text"], "pieces": sp.encode(c["text"], out_type=str),
                                        "ids": ids[i]} for i, c in enumerate(corpus)])

node = r"""
const { Tokenizer } = require("tokenizers");
const fs = require("fs");
const tok = Tokenizer.fromFile(process.argv[1]);
const texts = JSON.parse(fs.readFileSync(0, "utf8"));
(async () => { const out = [];
  for (const t of texts) { const e = await tok.encode(t); out.push([e.getIds(), e.getTokens(), e.getOffsets()]); }
  process.stdout.write(JSON.stringify(out)); })();
"""
res = json.loads(subprocess.run(["node", "-e", node, os.path.join(SHARED, "assets/bert-base-multilingual-cased/tokenizer.json")],
                                input=json.dumps(texts), capture_output=True, text=True, check=True).stdout)
# offsets: [start, end) in code points (what the node binding reports), as the shared goldens store them
write("mbert.sample.jsonl.gz", [{"lang": c["lang"], "n": i, "text": c["text"], "ids": r[0], "tokens": r[1],
                                 "offsets": [[o[0], o[1]] for o in r[2]]} for i, (c, r) in enumerate(zip(corpus, res))])
print(len(corpus), "lines")
