import sys, os, itertools; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
sets={k:load_set(os.environ.get('SETS','/tmp/d21')+'/'+k) for k in ['shared','held']}
# precompute sub-block energies per image
pre={}
for sn,s in sets.items():
    for p,degs in s.items():
        for d,img in degs.items():
            h,v=energies(img); pre[(sn,p,d)]=(h+v)
def raw(e,Q,QF,BETA,TQ,S):
    f=e[0]+e[1]
    k=S  # sub-blocks per tile side
    hs,ws=f.shape[0]//k*k,f.shape[1]//k*k; f=f[:hs,:ws]
    sub=f.reshape(hs//k,k,ws//k,k).transpose(0,2,1,3).reshape(hs//k,ws//k,k*k)
    lo=np.quantile(f,QF); hi=np.quantile(f,0.95)
    tmax=np.quantile(sub,0.9,axis=2)
    sel=tmax>=lo+BETA*(hi-lo)
    if sel.sum()<2: return 1e-3
    r=np.maximum(np.quantile(sub[sel],Q,axis=1)-lo,0)/(tmax[sel]-lo)
    return max(np.quantile(r,TQ),1e-3)
CT=['usm','noise','half','limited','jpeg90']
best=[]
for Q,QF,BETA,TQ,S in itertools.product([0.25,0.5],[0.02,0.05,0.1],[0.1,0.2,0.4],[0.5,0.75,0.9],[2,4]):
    vals={k:raw(e,Q,QF,BETA,TQ,S) for k,e in pre.items()}
    photos=[(sn,p) for sn,s in sets.items() for p in s]
    ld=lambda sn,p,d: np.log(vals[(sn,p,d)]/vals[(sn,p,'orig')])
    ctrl=sorted(abs(ld(sn,p,d)) for sn,p in photos for d in CT)
    c95=ctrl[int(0.95*len(ctrl))]
    g=np.log(1.1)/max(c95,1e-6)
    drops=sum(g*ld(sn,p,d)<=np.log(0.65) for sn,p in photos for d in PAINTED)
    dof=sum(abs(g*ld(sn,p,'dof_centre'))>np.log(1.15) for sn,p in photos)
    o=[vals[(sn,p,'orig')] for sn,p in photos]; pa=[vals[(sn,p,d)] for sn,p in photos for d in PAINTED]
    best.append((drops,-dof,auc(o,pa),(Q,QF,BETA,TQ,S),round(g,2)))
best.sort(reverse=True)
for b in best[:15]: print(b)
