"""Fitted denoisers shipped with the package, ready to denoise.

:func:`list_models` names them; :func:`load` returns one as an ordinary
skdenoise estimator, a :class:`~skdenoise.pipeline.ResampledDenoiser` set to
the sampling rate of your series: it takes series of any length, any number of
channels (each denoised on its own, so 12-lead records work) and any units, and
it works in a scikit-learn ``Pipeline``, saves with
:func:`skdenoise.persistence.save` and fine-tunes on your own (noisy, clean)
pairs with ``partial_fit``. The files ship inside the package (nothing is
downloaded) and their SHA-256 is checked when they load.

>>> from skdenoise import pretrained
>>> [name for name, _ in pretrained.list_models()]
['ecg']
>>> denoiser = pretrained.load("ecg", sampling_rate=500)  # doctest: +SKIP
>>> clean = denoiser.transform(noisy)  # doctest: +SKIP

Importing this module does not import TensorFlow; :func:`load` does.
"""

from ._models import list_models, load

__all__ = ["list_models", "load"]
