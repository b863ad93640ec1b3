import sys, os; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__))); from eval import *
import importlib
sets={k:load_set(os.environ.get('SETS','/tmp/d21')+'/'+k) for k in ['shared','held']}
def feats(img):
    h,v=energies(img); e=h+v
    f=e[0]+e[1]; fl=f.ravel()
    lo,hi=np.quantile(fl,0.05),np.quantile(fl,0.95)
    sp=[np.sqrt(max(np.quantile(fl,q)-lo,0)/max(hi-lo,1e-9)) for q in (0.25,0.5,0.75)]
    l1,l2,c=stats2(img); ee=l2/c
    ff=ee[0]+ee[1]; l,hh=np.quantile(ff,0.05),np.quantile(ff,0.95); sel=ff>=l+0.2*(hh-l)
    rho=[np.quantile(((l1[b]/c[b])/np.sqrt(ee[b]+1e-9))[sel],0.75) for b in (0,1,2)]
    return np.array(sp+rho)
X=[];y=[];grp=[];tag=[]
for sn,s in sets.items():
    for p,degs in s.items():
        for d,img in degs.items():
            X.append(feats(img)); y.append(1 if d in ['orig','usm','noise','half','limited','jpeg90','dof_centre'] else (0 if d in PAINTED else -1)); grp.append(p); tag.append((sn,p,d))
X=np.array(X); y=np.array(y)
mu,sd=X.mean(0),X.std(0); Z=(X-mu)/sd
def fit(Z,y):
    w=np.zeros(Z.shape[1]+1); A=np.c_[Z,np.ones(len(Z))]
    for _ in range(3000):
        p=1/(1+np.exp(-A@w)); w-=0.1*(A.T@(p-y)/len(y)+0.01*np.r_[w[:-1],0])
    return w
score=np.zeros(len(y))
for g in set(grp):
    tr=(np.array(grp)!=g)&(y>=0); te=np.array(grp)==g
    w=fit(Z[tr],y[tr]); score[te]=np.c_[Z[te],np.ones(te.sum())]@w
pr=1/(1+np.exp(-score))
res={t:pr[i] for i,t in enumerate(tag)}
photos=sorted(set((t[0],t[1]) for t in tag))
o=[res[(s,p,'orig')] for s,p in photos]; pa=[res[(s,p,d)] for s,p in photos for d in PAINTED]
print('LOPO AUC',auc(o,pa))
for d in ['orig']+PAINTED+['downup_lanczos_usm','usm','noise','half','jpeg90','dof_centre','blur1']:
    print(f"{d:18s}",' '.join(f"{res[(s,p,d)]:.2f}" for s,p in photos))
