#!/usr/bin/env bash
# Prints the library's top-level module dependency edges (code, not comments) and fails on a cycle.
cd "${1:-.}"
python3 - "$PWD" <<'PY'
import re,os,sys,itertools
root=sys.argv[1]
edges=set()
for dp,_,fs in os.walk(os.path.join(root,'src')):
    if '/src/bin' in dp: continue
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(dp,f); rel=os.path.relpath(p,os.path.join(root,'src'))
        top=rel.split('/')[0].replace('.rs','')
        if top=='lib': continue
        for line in open(p):
            if line.strip().startswith('//'): continue
            for m in re.findall(r'crate::([a-z_]+)',line):
                if m!=top: edges.add((top,m))
for a,b in sorted(edges): print(f"{a} -> {b}")
g={}
for a,b in edges: g.setdefault(a,set()).add(b)
# find cycles via DFS
cycles=set()
def dfs(start,node,path):
    for n in g.get(node,()):
        if n==start: cycles.add(tuple(sorted(path)))
        elif n not in path and len(path)<8: dfs(start,n,path+[n])
for n in list(g): dfs(n,n,[n])
print("cycles:", "none" if not cycles else "; ".join(" ".join(c) for c in sorted(cycles)))
sys.exit(1 if cycles else 0)
PY
