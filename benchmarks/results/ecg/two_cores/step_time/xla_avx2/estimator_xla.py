# ruff: noqa
import time, numpy as np, warnings
warnings.simplefilter("ignore")
import keras, tensorflow as tf
from skdenoise import UNetDenoiser
est=UNetDenoiser(filters=8,depth=4,kernel_size=9,global_context=True,loss="snr",epochs=1,batch_size=64,random_state=0)
rng=np.random.default_rng(0)
Y=rng.standard_normal((128,512)); est.fit(Y+0.3*rng.standard_normal(Y.shape), Y)
m=est.model_
x=rng.standard_normal((64,512,1)).astype("float32")
def bench(label, model):
    ds=tf.data.Dataset.from_tensors((x,x)).repeat()
    model.fit(ds,steps_per_epoch=5,epochs=1,verbose=0)
    t=time.perf_counter(); model.fit(ds,steps_per_epoch=40,epochs=1,verbose=0)
    print(label, "ms/step", round(1000*(time.perf_counter()-t)/40), "jit", model.jit_compile, flush=True)
bench("estimator model, its loss", m)
m.compile(optimizer="adam", loss="mse"); bench("estimator model, mse", m)
loss = est.model_.loss
m.compile(optimizer="adam", loss=est._build_keras_model().loss, jit_compile=True); bench("estimator model, its loss, XLA", m)
from skdenoise.networks import build_unet
r=build_unet(512,1,filters=8,depth=4,kernel_size=9,global_context=True)
r.compile(optimizer="adam", loss="mse"); print("raw auto jit ->", r.jit_compile); bench("raw build_unet, mse, auto", r)
r.compile(optimizer="adam", loss="mse", jit_compile=False); bench("raw build_unet, mse, no XLA", r)
