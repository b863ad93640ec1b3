import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
A=[float(x) for x in sys.argv[1:]] or [0.05, 0.3, 3.0]
TAU,TOP,KN=A[0],A[1],A[2]
def detail(img):
    h,v=energies(img)
    s=noise_sigma(img); nv=max(1/12+1.2*max(s*s-1/12,0),0.18)
    d=np.maximum(h-G[:4,None,None]*nv,0)+np.maximum(v-G[:4,None,None]*nv,0)
    hs,ws=d.shape[1]//4*4,d.shape[2]//4*4
    d=d[:,:hs,:ws]
    def tiles(a): return a.reshape(hs//4,4,ws//4,4).transpose(0,2,1,3).reshape(hs//4,ws//4,16)
    fine=tiles(d[0]+d[1]); coarse=tiles(d[2]+d[3])
    tc=coarse.mean(2); tf=fine.mean(2)
    valid=tc>KN*2*(G[2]+G[3])*nv+1.0
    if valid.sum()<4: return 0
    focus=tf/(tc+1e-9)
    thr=np.quantile(focus[valid],1-TOP)
    sel=valid&(focus>=thr)
    cov=(fine>=np.maximum(TAU*tc[...,None], KN*2*(G[0]+G[1])*nv)).mean(2)
    return cov[sel].mean()
sets={'shared':load_set(os.environ.get('SETS','/tmp/d21')+'/shared'),'held':load_set(os.environ.get('SETS','/tmp/d21')+'/held')}
evaluate(detail,sets)
