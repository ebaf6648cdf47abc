#!/usr/bin/env bash
# Distributed training with torchrun (torch.distributed.run), one process per
# GPU, or per CPU worker (gloo) on machines without CUDA.
#
#   tools/dist_train.sh CONFIG NUM_PROCS [train.py args...]
#
# Single node: torchrun --standalone picks a free port, unless PORT is set.
# Multi node:  NNODES=2 NODE_RANK=0 MASTER_ADDR=host PORT=29500 tools/dist_train.sh ...
set -e

CONFIG=$1
NPROCS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
# torchrun of the same interpreter as $PYTHON
TORCHRUN=${TORCHRUN:-"$PYTHON -m torch.distributed.run"}

if [ -z "$CONFIG" ] || [ -z "$NPROCS" ]; then
    echo "usage: $0 CONFIG NUM_PROCS [train.py args...]" >&2
    exit 2
fi

if [ "$NNODES" = "1" ] && [ -z "$PORT" ]; then
    RDZV_ARGS="--standalone"
else
    RDZV_ARGS="--nnodes=$NNODES --node_rank=$NODE_RANK --master_addr=$MASTER_ADDR --master_port=${PORT:-29500}"
fi

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
$TORCHRUN \
    $RDZV_ARGS \
    --nproc_per_node="$NPROCS" \
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
