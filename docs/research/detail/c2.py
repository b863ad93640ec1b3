import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
A=[float(x) for x in sys.argv[1:]] or [3.0, 0.5]
def detail(img):
    h,v=energies(img)
    s=noise_sigma(img); nv=max(1/12+1.2*max(s*s-1/12,0),0.18)
    out=[]
    for e in (h,v):
        d=np.maximum(e-G[:4,None,None]*nv,0)
        hs,ws=d.shape[1]//4*4,d.shape[2]//4*4
        d=d[:,:hs,:ws]
        fine=d[0]+d[1]; coarse=d[2]+d[3]
        ok=coarse>A[0]*(G[2]+G[3])*nv+0.5
        r=np.where(ok,fine/(coarse+1e-9),0)
        if ok.sum()<10: out.append(0); continue
        ref=np.quantile(r[ok],0.9)
        sub=r.reshape(hs//4,4,ws//4,4).transpose(0,2,1,3).reshape(hs//4,ws//4,16)
        oks=ok.reshape(hs//4,4,ws//4,4).transpose(0,2,1,3).reshape(hs//4,ws//4,16)
        tmax=sub.max(2)
        sel=(tmax>=A[1]*ref)
        vals=np.minimum(sub[sel][oks[sel]]/ref,1)
        out.append(np.median(vals))
    return min(out)
sets={'shared':load_set(os.environ.get('SETS','/tmp/d21')+'/shared'),'held':load_set(os.environ.get('SETS','/tmp/d21')+'/held')}
evaluate(detail,sets)
