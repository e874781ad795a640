import random, sys
# Random gold/pred label sequences (seeded) for comparing against conlleval.pl; many ill-formed on purpose.
def gen(prefixes, seed, n=300):
    rnd = random.Random(seed)
    types = ["PER", "LOC", "ORG", "MISC"]
    out = []
    for s in range(n):
        L = rnd.randint(1, 15)
        gold = []; pred = []
        for k in range(L):
            g = "O" if rnd.random() < 0.5 else rnd.choice(prefixes) + "-" + rnd.choice(types)
            # pred: mostly copy gold, sometimes perturb prefix/type
            r = rnd.random()
            if r < 0.6: p = g
            elif r < 0.8: p = "O" if rnd.random() < 0.5 else rnd.choice(prefixes) + "-" + rnd.choice(types)
            else: p = (rnd.choice(prefixes) + g[1:]) if g != "O" else "O"
            gold.append(g); pred.append(p)
        out.append((gold, pred))
    return out
name, prefixes, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(name, "w") as f:
    f.write("# golden fixture: seeded random (gold, predicted) tags; " + name + ".conlleval = output of conlleval.pl (2004-01-26) on this file\n")
    for i, (g, p) in enumerate(gen(list(prefixes), seed)):
        for k in range(len(g)):
            f.write("w%d %s %s\n" % (k, g[k], p[k]))
        f.write("\n")
