import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
A=[float(x) for x in sys.argv[1:]] or [0.5, 0.05, 0.95, 0.2, 0.75]
Q,QF,QH,BETA,TQ=A[:5]
def detail(img):
    h,v=energies(img)
    e=h+v
    f=e[0]+e[1]
    hs,ws=f.shape[0]//4*4,f.shape[1]//4*4
    f=f[:hs,:ws]
    sub=f.reshape(hs//4,4,ws//4,4).transpose(0,2,1,3).reshape(hs//4,ws//4,16)
    lo=np.quantile(f,QF); hi=np.quantile(f,QH)
    tmax=np.quantile(sub,0.9,axis=2)
    sel=tmax>=lo+BETA*(hi-lo)
    if sel.sum()<2: return 0
    r=np.maximum(np.quantile(sub[sel],Q,axis=1)-lo,0)/(tmax[sel]-lo)
    return np.sqrt(np.quantile(r,TQ))
sets={'shared':load_set(os.environ.get('SETS','/tmp/d21')+'/shared'),'held':load_set(os.environ.get('SETS','/tmp/d21')+'/held')}
evaluate(detail,sets)
