"""Save and load estimators without pickle.

:func:`save` writes an estimator, fitted or not, to one zip file holding a JSON
manifest (the versions that wrote it and the tree of estimators: class, parameters
and fitted attributes), numpy arrays in ``.npy`` format and Keras models in Keras'
native ``.keras`` format. :func:`load` reads it back without unpickling anything
and instantiates only classes of skdenoise, ``sklearn.preprocessing``,
``sklearn.pipeline`` and ``sklearn.frozen``, so a file from an untrusted
source cannot run code through the loader. Files of another format version,
truncated or corrupted files, and files naming other classes are refused with a
``ValueError``.

``joblib.dump`` and ``pickle`` work too, for any estimator, but unpickling runs
whatever the file says: use them for files you wrote yourself.

>>> import tempfile, pathlib
>>> import numpy as np
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from skdenoise.baselines import MedianDenoiser
>>> from skdenoise.persistence import load, save
>>> X = np.random.default_rng(0).normal(size=(4, 32))
>>> pipe = make_pipeline(StandardScaler(), MedianDenoiser()).fit(X)
>>> with tempfile.TemporaryDirectory() as tmp:
...     restored = load(save(pipe, pathlib.Path(tmp) / "pipe.skd"))
>>> np.array_equal(restored.transform(X), pipe.transform(X))
True
"""

from ._persistence import FORMAT_VERSION, load, save

__all__ = ["save", "load", "FORMAT_VERSION"]
