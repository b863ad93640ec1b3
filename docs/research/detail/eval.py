import numpy as np, cv2, glob, os, sys, importlib
sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from proto import *
PAINTED=['bilateral','nlmeans','tv_chambolle','downup_tv_usm']
CTRL10=['usm','noise','half','limited','jpeg90']
def load_set(d):
    out={}
    for p in sorted(glob.glob(d+'/*.png')):
        n,deg=os.path.basename(p)[:-4].split('__'); out.setdefault(n,{})[deg]=cv2.imread(p,0)
    return out
def auc(pos,neg):
    return np.mean([(p>n)+0.5*(p==n) for p in pos for n in neg])
def evaluate(fn, sets, show=True):
    res={}
    for sname,s in sets.items():
        rows={n:{d:fn(img) for d,img in degs.items()} for n,degs in s.items()}
        photos=sorted(rows)
        if show:
            print('==',sname, '     '+' '.join(f"{p[:6]:>6s}" for p in photos))
            for deg in ['orig']+PAINTED+['downup_lanczos_usm']+CTRL10+['dof_centre','blur1','blur2']:
                vals=[rows[p][deg] for p in photos]
                rel=[rows[p][deg]/max(rows[p]['orig'],1e-9)-1 for p in photos]
                print(f"{deg:18s}", ' '.join(f"{v:6.3f}" for v in vals), '|', ' '.join(f"{r:+4.0%}" for r in rel))
        o=[rows[p]['orig'] for p in photos]; pa=[rows[p][d] for p in photos for d in PAINTED]
        drops=sum(rows[p][d]<=0.65*rows[p]['orig'] for p in photos for d in PAINTED)
        c10=max(abs(rows[p][d]/rows[p]['orig']-1) for p in photos for d in CTRL10)
        dof=max(abs(rows[p]['dof_centre']/rows[p]['orig']-1) for p in photos)
        worst10=[(p,d,round(rows[p][d]/rows[p]['orig']-1,2)) for p in photos for d in CTRL10 if abs(rows[p][d]/rows[p]['orig']-1)>0.1]
        print(f"{sname}: AUC {auc(o,pa):.3f} drops {drops}/{len(pa)} ctrl10 max {c10:.2f} dof max {dof:.2f}  >10%: {worst10}")
        res[sname]=rows
    return res
