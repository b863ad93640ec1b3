import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
ALPHA=float(sys.argv[1]) if len(sys.argv)>1 else 0.02
KN=float(sys.argv[2]) if len(sys.argv)>2 else 3.0
def detail(img):
    h,v=energies(img)
    s=noise_sigma(img); nv=max(1/12+1.2*max(s*s-1/12,0),0.18)
    out=[]
    for e in (h,v):
        d=np.maximum(e-G[:4,None,None]*nv,0)
        hs,ws=d.shape[1]//4*4,d.shape[2]//4*4
        d=d[:,:hs,:ws]
        tile=d.reshape(4,hs//4,4,ws//4,4).mean((2,4))
        fs=np.log2((tile[0]+1e-6)/(tile[1]+1e-6))
        textured=tile[2]>7*G[2]*nv+0.25
        if textured.sum()<3: out.append(0); continue
        thr=np.quantile(fs[textured],0.9)-1.0
        sel=textured&(fs>=thr)
        fine=d[0]+d[1]
        ref=np.quantile(fine,0.95)
        sub=fine.reshape(hs//4,4,ws//4,4).transpose(0,2,1,3).reshape(hs//4,ws//4,16)
        cov=(sub>np.maximum(ALPHA*ref, KN*(G[0]+G[1])*nv)).mean(2)
        out.append(cov[sel].mean())
    return min(out)
sets={'shared':load_set(os.environ.get('SETS','/tmp/d21')+'/shared'),'held':load_set(os.environ.get('SETS','/tmp/d21')+'/held')}
evaluate(detail,sets)
