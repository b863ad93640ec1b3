# Builds smooth-style sets (README recipe) for the shared and the held-out photos, plus controls.
import numpy as np, cv2, glob, os, sys
from scipy import ndimage as ndi
from skimage.restoration import denoise_tv_chambolle
def usm(g, amount, sigma=1.0):
    return g + amount*(g - ndi.gaussian_filter(g, sigma, mode='reflect', truncate=4.0))
def q(x): return np.clip(np.round(x),0,255).astype(np.uint8)
def tv(g8): return denoise_tv_chambolle(g8/255.0, weight=0.08)*255
def degr(g8, rng):
    g=g8.astype(np.float64); h,w=g8.shape
    out={'orig':g8}
    out['bilateral']=cv2.bilateralFilter(g8,9,40,5)
    out['nlmeans']=cv2.fastNlMeansDenoising(g8,None,15,7,21)
    out['tv_chambolle']=q(tv(g8))
    dn=cv2.resize(g8,(w//2,h//2),interpolation=cv2.INTER_AREA)
    up=cv2.resize(dn,(w,h),interpolation=cv2.INTER_CUBIC)
    out['downup_tv_usm']=q(usm(tv(up),1.0))
    up2=cv2.resize(dn,(w,h),interpolation=cv2.INTER_LANCZOS4).astype(np.float64)
    out['downup_lanczos_usm']=q(usm(up2,1.5))
    out['usm']=q(usm(g,1.0))
    out['noise']=q(g+rng.normal(0,4,g.shape))
    d=q(ndi.gaussian_filter(g,3)); m=d.copy(); y0,x0=int(h*0.2),int(w*0.2); y1,x1=y0+int(h*0.6),x0+int(w*0.6)
    m[y0:y1,x0:x1]=g8[y0:y1,x0:x1]; out['dof_centre']=m
    out['half']=q(128+(g-128)/2)
    out['limited']=q(16+g*219/255)
    ok,buf=cv2.imencode('.jpg',g8,[cv2.IMWRITE_JPEG_QUALITY,90]); out['jpeg90']=cv2.imdecode(buf,0)
    out['blur1']=q(ndi.gaussian_filter(g,1.0))
    out['blur2']=q(ndi.gaussian_filter(g,2.0))
    return out
src,dst=sys.argv[1],sys.argv[2]
os.makedirs(dst,exist_ok=True)
rng=np.random.default_rng(7)
for p in sorted(glob.glob(src+'/*__blur__0.png')):
    name=os.path.basename(p).split('__')[0]
    g8=cv2.imread(p,0)
    for k,v in degr(g8,rng).items(): cv2.imwrite(f'{dst}/{name}__{k}.png',v)
print('done',dst)
