# ruff: noqa
import time, numpy as np
import keras, tensorflow as tf
from skdenoise.networks import build_unet
m=build_unet(512,1,filters=8,depth=4,kernel_size=9,global_context=True)
m.compile(optimizer="adam", loss="mse")
x=np.random.rand(64,512,1).astype("float32")
m.train_on_batch(x,x)
t=time.perf_counter()
for i in range(60): m.train_on_batch(x,x)
print("train_on_batch ms/step", 1000*(time.perf_counter()-t)/60, flush=True)
X=np.random.rand(64*60,512,1).astype("float32")
m.fit(X,X,batch_size=64,epochs=1,verbose=0)
t=time.perf_counter(); m.fit(X,X,batch_size=64,epochs=1,verbose=0)
print("fit on arrays ms/step", 1000*(time.perf_counter()-t)/60, flush=True)
ds=tf.data.Dataset.from_tensors((x,x)).repeat()
m.fit(ds,steps_per_epoch=10,epochs=1,verbose=0)
t=time.perf_counter(); m.fit(ds,steps_per_epoch=60,epochs=1,verbose=0)
print("fit on one repeated batch ms/step", 1000*(time.perf_counter()-t)/60, flush=True)
