import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
for sname in ['shared','held']:
    s=load_set(os.environ.get('SETS','/tmp/d21')+'/'+sname)
    for p,degs in s.items():
        h0,v0=energies(degs['orig']); f0=(h0[0]+h0[1]+v0[0]+v0[1])
        line=[]
        for d in PAINTED+['downup_lanczos_usm','usm','noise']:
            h,v=energies(degs[d]); f=(h[0]+h[1]+v[0]+v[1])
            lost=np.mean((f<0.25*f0)[f0>20])
            line.append(f"{d[:8]}:{f.sum()/f0.sum():.2f}/{lost:.2f}")
        print(f"{p:10s}",' '.join(line))
