import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
A=[float(x) for x in sys.argv[1:]] or [1, 0.75, 0.2]
B,TQ,BETA=int(A[0]),A[1],A[2]
def detail(img):
    l1,l2,c=stats2(img)
    e=l2/c  # mean energy per band per tile
    rho=(l1[B]/c[B])/np.sqrt(e[B]+1e-9)
    f=e[0]+e[1]
    lo=np.quantile(f,0.05); hi=np.quantile(f,0.95)
    sel=f>=lo+BETA*(hi-lo)
    if sel.sum()<2: return 0
    return np.quantile(rho[sel],TQ)
sets={'shared':load_set(os.environ.get('SETS','/tmp/d21')+'/shared'),'held':load_set(os.environ.get('SETS','/tmp/d21')+'/held')}
evaluate(detail,sets)
