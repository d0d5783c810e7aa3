#!/usr/bin/env bash
# Installs everything certigrad needs on Debian bookworm: the Coq/OCaml
# toolchain and Eigen from Debian, then the Python package and its test
# dependencies from PyPI (torch only as a test/benchmark comparison). OpenMPI
# (Debian) and mpi4py (PyPI, the [mpi] extra, also in [test]) are the engine
# of data-parallel training (docs/distributed.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  coq libcoq-coquelicot libcoq-mathcomp-analysis \
  ocaml ocaml-dune ocaml-findlib libeigen3-dev g++ make \
  openmpi-bin libopenmpi-dev \
  clang-14 libclang-rt-14-dev >/dev/null  # clang: libFuzzer and sanitizers (scripts/fuzz.sh)
python3 -m pip install -q --upgrade pip
python3 -m pip install -q ".[test]"
python3 -m pip install -q "pybind11>=2.12"  # its headers for scripts/sanitize.sh
