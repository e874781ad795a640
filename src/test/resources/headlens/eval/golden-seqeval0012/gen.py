import random, sys
# Seeded random UPOS (gold, predicted) sequences scored by the real seqeval 0.0.12: python3 gen.py SEQEVAL_0_0_12_DIR
sys.path.insert(0, sys.argv[1])
from seqeval.metrics.sequence_labeling import get_entities, f1_score, precision_score, recall_score

UPOS = ["ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
        "SCONJ", "SYM", "VERB", "X"]
rnd = random.Random(12)
gold, pred = [], []
for s in range(300):
    g, p = [], []
    for k in range(rnd.randint(1, 20)):
        # runs: repeat the previous tag often, so multi-token chunks (and INTJ/SCONJ/SYM runs) occur
        t = g[-1] if g and rnd.random() < 0.4 else rnd.choice(UPOS)
        r = rnd.random()
        q = t if r < 0.75 else (rnd.choice(["CCONJ", "SCONJ"]) if t.endswith("CONJ") else rnd.choice(UPOS))
        g.append(t); p.append(q)
    gold.append(g); pred.append(p)

with open("random-upos.txt", "w") as f:
    f.write("# golden fixture: seeded random UPOS (gold, predicted) tags; random-upos.txt.seqeval = seqeval 0.0.12 on this file\n")
    for g, p in zip(gold, pred):
        for k in range(len(g)):
            f.write("w%d %s %s\n" % (k, g[k], p[k]))
        f.write("\n")

true_e, pred_e = set(get_entities(gold)), set(get_entities(pred))
with open("random-upos.txt.seqeval", "w") as f:
    f.write("gold %d\npredicted %d\ncorrect %d\n" % (len(true_e), len(pred_e), len(true_e & pred_e)))
    f.write("precision %r\nrecall %r\nf1 %r\n" % (precision_score(gold, pred), recall_score(gold, pred), f1_score(gold, pred)))
    for t in sorted({e[0] for e in true_e | pred_e}):
        gt = {e for e in true_e if e[0] == t}; pt = {e for e in pred_e if e[0] == t}
        f.write("type %s %d %d %d\n" % (t, len(gt), len(pt), len(gt & pt)))
