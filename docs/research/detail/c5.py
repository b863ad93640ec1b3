import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
A=[float(x) for x in sys.argv[1:]] or [0.4, 0.05, 0.95, 0.2]
Q,QF,QH,BETA=A[:4]
def detail(img):
    h,v=energies(img)
    e=h+v
    f=e[0]+e[1]
    hs,ws=f.shape[0]//4*4,f.shape[1]//4*4
    f=f[:hs,:ws]
    sub=f.reshape(hs//4,4,ws//4,4).transpose(0,2,1,3).reshape(hs//4,ws//4,16)
    lo=np.quantile(f,QF); hi=np.quantile(f,QH)
    if BETA>0:
        sel=sub.max(2)>=lo+BETA*(hi-lo)
        vals=sub[sel].ravel()
    else: vals=f.ravel()
    hi=np.quantile(vals,QH)
    return np.sqrt(max(np.quantile(vals,Q)-lo,0)/max(hi-lo,1e-9))
sets={'shared':load_set(os.environ.get('SETS','/tmp/d21')+'/shared'),'held':load_set(os.environ.get('SETS','/tmp/d21')+'/held')}
evaluate(detail,sets)
