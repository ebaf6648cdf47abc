#!/usr/bin/env bash
# Distributed testing with torchrun (torch.distributed.run), one process per
# GPU, or per CPU worker (gloo) on machines without CUDA.
#
#   tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCS [test.py args...]
#
# Single node: torchrun --standalone picks a free port, unless PORT is set.
set -e

CONFIG=$1
CHECKPOINT=$2
NPROCS=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
TORCHRUN=${TORCHRUN:-"$PYTHON -m torch.distributed.run"}

if [ -z "$CONFIG" ] || [ -z "$CHECKPOINT" ] || [ -z "$NPROCS" ]; then
    echo "usage: $0 CONFIG CHECKPOINT NUM_PROCS [test.py args...]" >&2
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
    "$(dirname "$0")/test.py" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher pytorch "${@:4}"
