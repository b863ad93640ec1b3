import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
A=[float(x) for x in sys.argv[1:]] or [0.5, 0.95]
def detail(img):
    h,v=energies(img)
    s=noise_sigma(img); nv=max(1/12+1.2*max(s*s-1/12,0),0.18)
    d=np.maximum(h-G[:4,None,None]*nv,0)+np.maximum(v-G[:4,None,None]*nv,0)
    fine=(d[0]+d[1]).ravel(); coarse=(d[2]+d[3]).ravel()
    ok=(fine+coarse)>3*2*(G[0]+G[1])*nv+1
    if ok.sum()<16: return 0
    f=fine[ok]
    return np.sqrt(np.quantile(f,A[0])/np.quantile(f,A[1]))
sets={'shared':load_set(os.environ.get('SETS','/tmp/d21')+'/shared'),'held':load_set(os.environ.get('SETS','/tmp/d21')+'/held')}
evaluate(detail,sets)
