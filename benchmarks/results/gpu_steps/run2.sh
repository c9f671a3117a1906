#!/bin/bash
# Second GPU call of benchmarks/gpu_steps.py: two arms, so each gets more of the machine.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1
uptime > $OUT/env2.txt
G="timeout 330 python3 benchmarks/gpu_steps.py train --backend jax --workers 7 --packed .gpu/ecg_pack.npz --wall-cap 290"
$G --label E --arm seconds=270 --out $OUT/E.json > $OUT/E.log 2>&1 &
$G --label F --seed 1 --arm seconds=270 filters=16 --out $OUT/F.json > $OUT/F.log 2>&1 &
sleep 90; uptime >> $OUT/env2.txt; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv >> $OUT/env2.txt
wait; uptime >> $OUT/env2.txt
for f in E F; do echo "== $f"; grep -v "epoch [0-9]*:" $OUT/$f.log | grep -v cuda_timer | tail -3; grep "epoch [0-9]*:" $OUT/$f.log | tail -1; done
