"""
Saving with skops, deploying with ONNX
======================================

skops files load without pickle's arbitrary code: only the types you trust are
rebuilt, and an skmlp model needs just its own class trusted. skl2onnx turns the
model itself into ONNX for onnxruntime (skmlp registers its converters with
skl2onnx). Needs ``pip install "skmlp[skops,onnx]"``.
Run ``python examples/save_and_deploy.py``.
"""

import os
import tempfile

import numpy as np
import onnxruntime as rt
import skops.io as sio
from skl2onnx import to_onnx
from sklearn.datasets import load_iris

from skmlp import SGDMLPClassifier

# %%
# A small float32 model
# ---------------------
# ONNX graphs usually compute in float32, and skmlp trains in float32 when X is
# float32, so the deployed model computes what the trained one computed.

X, y = load_iris(return_X_y=True)
X = X.astype(np.float32)  # ONNX runs in float32; train in float32 too
clf = SGDMLPClassifier((16,), solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
print(clf.summary())

# %%
# Save and load with skops
# ------------------------
# ``get_untrusted_types`` lists the types the file would rebuild that skops does
# not trust by default: only skmlp's own class. A loaded model predicts as the
# saved one and keeps training.

path = os.path.join(tempfile.mkdtemp(), "iris_mlp.skops")
sio.dump(clf, path)
print("\nuntrusted types in the file:", sio.get_untrusted_types(file=path))
loaded = sio.load(path, trusted=["skmlp._classifier.SGDMLPClassifier"])
assert (loaded.predict(X) == clf.predict(X)).all()
loaded.set_params(solver="adam")  # loaded models keep learning with partial_fit
print("loaded; partial_fit continues: loss", loaded.partial_fit(X, y).loss_)

# %%
# Convert to ONNX and run it with onnxruntime
# -------------------------------------------
# ``to_onnx`` converts the estimator itself: skmlp registers its converters with
# skl2onnx. ``zipmap=False`` returns the probabilities as one tensor.

onx = to_onnx(clf, X[:1], options={"zipmap": False})
session = rt.InferenceSession(onx.SerializeToString(),
                              providers=["CPUExecutionProvider"])
labels, proba = session.run(None, {session.get_inputs()[0].name: X})
print("ONNX labels equal ours:", (labels == clf.predict(X)).all())
print("largest probability difference:", np.abs(proba - clf.predict_proba(X)).max())
