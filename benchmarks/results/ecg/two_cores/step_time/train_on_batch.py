# ruff: noqa
"""20 s of Keras train_on_batch on one fixed batch of the benchmark U-Net: steps/s.

Usage: python train_on_batch.py float32 (or mixed_bfloat16)
"""
import time, sys, numpy as np, os
import keras
from skdenoise.networks import build_unet
prec=sys.argv[1]
keras.mixed_precision.set_global_policy(prec)
m=build_unet(512,1,filters=8,depth=4,kernel_size=9,global_context=True)
m.compile(optimizer="adam", loss="mse")
x=np.random.rand(64,512,1).astype("float32")
m.train_on_batch(x,x)
t=time.perf_counter(); n=0
while time.perf_counter()-t<20: m.train_on_batch(x,x); n+=1
print(prec, "steps/s", n/(time.perf_counter()-t), flush=True)
