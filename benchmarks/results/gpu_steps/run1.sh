#!/bin/bash
# The GPU probe of benchmarks/gpu_steps.py: four arms side by side on one GPU.
[ -n "$SKIP_PIP" ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=${EXTRA_PATH:-/tmp/site}:$PWD KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
SECONDS_ARM=${SECONDS_ARM:-330}; CAP=${CAP:-420}
{ nvidia-smi -L; nproc; uptime; python3 -c "import sklearn, scipy, numpy, jax, keras; print('sklearn', sklearn.__version__, 'scipy', scipy.__version__, 'numpy', numpy.__version__, 'jax', jax.__version__, 'keras', keras.__version__, jax.devices())"; } > $OUT/env.txt 2>&1
cat $OUT/env.txt
G="timeout ${TIMEOUT:-500} python3 benchmarks/gpu_steps.py train --backend jax --workers 4 --packed .gpu/ecg_pack.npz --wall-cap $CAP"
$G --label A --arm steps=${STEPS_A:-20000} --out $OUT/A.json > $OUT/A.log 2>&1 &
$G --label B --arm seconds=$SECONDS_ARM --out $OUT/B.json > $OUT/B.log 2>&1 &
$G --label C --arm seconds=$SECONDS_ARM filters=16 --out $OUT/C.json > $OUT/C.log 2>&1 &
$G --label D --seed 1 --arm seconds=$SECONDS_ARM --out $OUT/D.json > $OUT/D.log 2>&1 &
sleep 60; nvidia-smi >> $OUT/env.txt 2>&1; uptime >> $OUT/env.txt
wait
uptime >> $OUT/env.txt
for f in A B C D; do echo "== $f"; grep -v "epoch [0-9]*:" $OUT/$f.log | tail -4; grep "epoch [0-9]*:" $OUT/$f.log | tail -1; done
for f in A B C D; do echo "===== $f"; cat $OUT/$f.log; done > $OUT/arms.log; rm -f $OUT/[ABCD].log
ls -la $OUT
