#!/bin/sh
# Installs what the maintainer's training tool needs (the product and CI need none of it: they use the committed
# models/ files through onnxruntime-node). Debian's PyTorch and NumPy for /usr/bin/python3, and the four Debian
# handwriting font packages the training set may use. No other Debian handwriting font, ever: the team keeps those
# for a hold-out.
set -eu
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends python3-torch python3-numpy fonts-breip fonts-rufscript fonts-kristi fonts-sjfonts
/usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
