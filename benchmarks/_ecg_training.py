"""Training of the learned models of the ECG benchmark under a time budget.

Importing this module imports Keras and TensorFlow.
"""

import inspect
import math
import time

import numpy as np
from _ecg_models import LEARNED, learned_class

from skdenoise._tf import import_keras

keras = import_keras()

#: Share of the training windows held out for validation when no validation
#: records are given.
VALIDATION_SPLIT = 0.05


class TimeBudget(keras.callbacks.Callback):
    """Keras callback: stop training when the wall-time budget is spent.

    It also anneals the learning rate on a cosine of the elapsed fraction of
    the budget (from ``learning_rate`` down to 5 % of it), keeps the weights
    of the best validation loss and restores them at the end, and prints one
    line per epoch.

    With ``max_steps`` the budget is a number of optimiser steps instead of
    wall time: the schedule follows the share of the steps done, so that a
    run makes the same steps on any machine and under any load.

    Parameters
    ----------
    budget_s : float
        Training wall time allowed, in seconds.
    label : str
        Name printed in the progress lines.
    learning_rate : float
        Initial learning rate.
    log : callable
        Prints a progress line.
    warmup : float, default=0.0
        Share of the budget over which the learning rate first rises
        linearly from 0 to the cosine's value.
    max_steps : int or None, default=None
        Budget in optimiser steps; ``budget_s`` is then not used.
    """

    final_lr_fraction = 0.05

    def __init__(self, budget_s, label, learning_rate, log, warmup=0.0, max_steps=None):
        super().__init__()
        self.budget_s = float(budget_s)
        self.label = label
        self.learning_rate = float(learning_rate)
        self.log = log
        self.warmup = float(warmup)
        self.max_steps = None if max_steps is None else int(max_steps)

    def __deepcopy__(self, memo):
        # clone() deep-copies hyper-parameters; a fresh callback has no state.
        return type(self)(
            self.budget_s,
            self.label,
            self.learning_rate,
            self.log,
            self.warmup,
            self.max_steps,
        )

    def elapsed(self):
        return time.perf_counter() - self.start

    def progress(self):
        """Share of the budget spent: of the steps, or of the wall time."""
        if self.max_steps is not None:
            return min(self.steps / self.max_steps, 1.0)
        return min(self.elapsed() / self.budget_s, 1.0)

    def spent(self):
        if self.max_steps is not None:
            return self.steps >= self.max_steps
        return self.elapsed() >= self.budget_s

    def describe(self):
        """The budget in words: ``15:00`` or ``20,000 steps``."""
        if self.max_steps is not None:
            return f"{self.max_steps:,} steps"
        return mmss(self.budget_s)

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()
        self.best = math.inf
        self.best_weights = None
        self.best_epoch = None
        self.epochs_done = 0
        self.steps = 0
        self.train_time_s = None
        self.cpu_time_s = None

    def on_train_batch_begin(self, batch, logs=None):
        fraction = self.progress()
        floor = self.final_lr_fraction
        scale = floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * fraction))
        if fraction < self.warmup:
            # Linear warm-up over the first ``warmup`` of the budget.
            scale *= fraction / self.warmup
        self.model.optimizer.learning_rate.assign(self.learning_rate * scale)

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1
        if self.spent():
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs_done = epoch + 1
        val = logs.get("val_loss", logs.get("loss", math.nan))
        if np.isfinite(val) and val < self.best:
            self.best, self.best_epoch = float(val), epoch + 1
            self.best_weights = self.model.get_weights()
        self.log(
            f"  [{self.label}] epoch {epoch + 1}: loss {logs.get('loss', math.nan):.4f}"
            f" val_loss {val:.4f}  elapsed {mmss(self.elapsed())} / budget "
            f"{self.describe()} ({self.steps} steps)"
        )

    def on_train_end(self, logs=None):
        self.train_time_s = self.elapsed()
        self.cpu_time_s = time.process_time() - self.cpu_start
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


class NoiseCurriculum(keras.callbacks.Callback):
    """Keras callback: a curriculum over the training noise's levels.

    One bound of the noise's SNR range starts at ``start_db`` and moves
    linearly to its own value over the first ``ramp`` of a :class:`TimeBudget`:
    the lowest (``bound="low"``: nearly clean windows first) or the highest
    (``"high"``: noisy windows first, nearly clean ones later). The range is
    set back at the end of training.
    """

    def __init__(self, noise, budget, start_db, ramp, bound="low"):
        super().__init__()
        if bound not in ("low", "high"):
            raise ValueError(f"bound must be 'low' or 'high'; got {bound!r}")
        self.noise = noise
        self.budget = budget
        self.start_db = float(start_db)
        self.ramp = float(ramp)
        self.bound = bound

    def __deepcopy__(self, memo):
        # clone() deep-copies each hyper-parameter on its own: a copy would
        # drive the first model's noise (not the clone's own copy of it) on
        # the first model's budget, and the clone would train without the
        # curriculum.
        raise TypeError(
            "NoiseCurriculum drives the noise object and follows the TimeBudget it "
            "was built with, so a clone of its model (an ensemble's member, a grid "
            "search's candidate) would train without the curriculum. Train such "
            "models with --no-hard-first, or build each one with its own "
            "NoiseCurriculum."
        )

    def _set(self, value):
        if self.bound == "low":
            self.noise.snr = (max(value, self.low), self.high)
        else:
            self.noise.snr = (self.low, min(value, self.high))

    def on_train_begin(self, logs=None):
        self.low, self.high = self.noise.snr
        self._set(self.start_db)

    def on_train_batch_begin(self, batch, logs=None):
        done = min(self.budget.progress() / self.ramp, 1.0) if self.ramp else 1.0
        end = self.low if self.bound == "low" else self.high
        self._set(self.start_db + (end - self.start_db) * done)

    def on_train_end(self, logs=None):
        self.noise.snr = (self.low, self.high)


def mmss(seconds):
    """``m:ss`` of a number of seconds."""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def make_learned(
    key,
    *,
    noise,
    budget_s,
    learning_rate,
    loss,
    augment,
    batch_size,
    seed,
    quick,
    overrides,
    log,
    validation_records=True,
    recipe=None,
    curriculum=None,
    max_steps=None,
    n_train=None,
):
    """A learned denoiser with the benchmark's training settings, and its budget.

    With ``validation_records`` the model is validated on series passed to
    ``fit`` (see :func:`fit_learned`) and holds none of its training windows
    out; otherwise ``VALIDATION_SPLIT`` of them are held out.

    ``recipe`` holds further settings shared by every learned model
    (``clean_fraction``, ``gate``, ...); ``curriculum`` the arguments
    ``(start_db, ramp, bound)`` of a :class:`NoiseCurriculum`, or None;
    ``max_steps`` a budget in optimiser steps instead of ``budget_s``.

    With ``max_steps``, ``n_train`` (the number of training windows, all of
    them trained on: ``validation_records``) and a hard-first curriculum, the
    curriculum is the denoiser's own ``noise_curriculum``, which sets the
    noise of each batch from the batch's step: the run is then reproducible
    with its seed. A :class:`NoiseCurriculum` callback (a wall-time budget)
    changes the noise while batches are drawn ahead of the training steps, so
    the level a batch gets depends on timing.

    Parameters of the shared recipe that the class does not have (an
    architecture written differently) are left out with a note, so the
    benchmark runs whatever the class offers; an ``overrides`` key it does not
    have (``--set``, asked for by name) is an error.
    """
    cls = learned_class(key)
    class_name, label, params, quick_params = LEARNED[key]
    params = {**params, **(quick_params if quick else {})}
    budget = TimeBudget(
        budget_s,
        label=label,
        learning_rate=learning_rate,
        log=log,
        max_steps=max_steps,
    )
    callbacks = [budget]
    known = cls().get_params()
    stepped = step_curriculum(
        curriculum,
        noise,
        max_steps,
        n_train if validation_records else None,
        batch_size,
        "noise_curriculum" in known,
    )
    if stepped is None and curriculum is not None:
        # After the budget, whose on_train_begin starts the clock.
        callbacks.append(NoiseCurriculum(noise, budget, *curriculum))
    params.update(
        noise=noise,
        learning_rate=learning_rate,
        loss=loss,
        augment=augment,
        epochs=100_000,
        batch_size=batch_size,
        validation_split=0.0 if validation_records else VALIDATION_SPLIT,
        patience=None,
        callbacks=callbacks,
        random_state=seed,
        verbose=0,
    )
    if stepped is not None:
        params.update(stepped)
    params.update(recipe or {})
    misspelt = sorted(set(overrides) - set(known))
    if misspelt:
        raise ValueError(
            f"--set {key}.{misspelt[0]}: {class_name} has no parameter "
            f"{misspelt[0]!r}; its parameters are {', '.join(sorted(known))}"
        )
    params.update(overrides)
    unknown = sorted(set(params) - set(known))
    if unknown:
        log(f"  note: {class_name} has no parameter(s) {unknown}; using its defaults")
    return cls(**{k: v for k, v in params.items() if k in known}), budget


def step_curriculum(curriculum, noise, max_steps, n_train, batch_size, supported):
    """``epochs`` and ``noise_curriculum`` that make a hard-first curriculum
    over ``max_steps`` steps a function of each batch's step, or None.

    None where that cannot be done (no curriculum, a wall-time budget, an
    unknown number of training windows, a lowest-SNR curriculum, a denoiser
    without ``noise_curriculum``) or where the curriculum does nothing (its
    start at or above the highest training SNR).
    """
    if curriculum is None or max_steps is None or not n_train or not supported:
        return None
    start_db, ramp, bound = curriculum
    low, high = noise.snr
    if bound != "high" or not low <= start_db < high:
        return None
    per_epoch = math.ceil(n_train / min(batch_size, n_train))
    epochs = math.ceil(max_steps / per_epoch)
    # The denoiser ramps over share * epochs * per_epoch steps: ramp * max_steps.
    share = min(ramp * max_steps / (epochs * per_epoch), 1.0)
    return {"epochs": epochs, "noise_curriculum": (float(start_db), share)}


def accepts_validation_data(model):
    """Whether ``model.fit`` takes a ``validation_data`` keyword."""
    parameters = inspect.signature(model.fit).parameters
    return "validation_data" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def fit_learned(model, X_train, validation_data, log):
    """``model.fit(X_train, validation_data=validation_data)``.

    ``validation_data`` is a tuple (noisy inputs, clean targets), or None to
    fit on ``X_train`` alone. A denoiser whose ``fit`` has no
    ``validation_data`` keyword holds ``VALIDATION_SPLIT`` of the training
    windows out instead, with a note in the log.

    Returns a short description of the validation used.
    """
    if validation_data is None:
        model.fit(X_train)
        split = model.get_params().get("validation_split")
        return f"{split:.0%} of the training windows" if split else "none"
    if accepts_validation_data(model):
        model.fit(X_train, validation_data=validation_data)
        return f"{len(validation_data[1])} windows of the validation records"
    log(
        f"  note: {type(model).__name__}.fit takes no validation_data; validating "
        f"on {VALIDATION_SPLIT:.0%} of the training windows instead"
    )
    model.set_params(validation_split=VALIDATION_SPLIT)
    model.fit(X_train)
    return (
        f"{VALIDATION_SPLIT:.0%} of the training windows (fit takes no validation_data)"
    )


def passes_summary(scores):
    """One log line on the denoising passes of ``validation_scores``, or None."""
    if scores.get("n_passes", 1) <= 1:
        return None
    high = (
        f" ({scores['val_snr_improvement_one_pass_above_18db']:+.2f} and "
        f"{scores['val_snr_improvement_all_passes_above_18db']:+.2f} dB at 18 dB "
        "or more)"
        if "val_snr_improvement_one_pass_above_18db" in scores
        else ""
    )
    return (
        f"  {scores['n_passes']} denoising passes: validation gain after the "
        f"gates {scores['val_snr_improvement_one_pass']:+.2f} dB with one, "
        f"{scores['val_snr_improvement_all_passes']:+.2f} dB with all{high}"
    )


#: Input SNR (dB) from which a validation window counts as nearly clean.
HIGH_SNR_DB = 18.0


def validation_scores(model, validation_data):
    """Mean SNR improvement (dB) on the validation windows, before the gate.

    ``val_snr_improvement``: the model's network (the mean of an ensemble's
    members); ``val_snr_improvement_above_18db``: the same on the windows whose
    input SNR is 18 dB or more (the no-harm side; absent when there are none);
    with an ensemble also ``val_snr_improvement_first_member``: ``model_``
    alone; with several denoising passes (``n_passes_ > 1``) also ``n_passes``
    and the gains after the gates of one pass and of all of them
    (``val_snr_improvement_one_pass``, ``..._all_passes``, each also
    ``..._above_18db``), which the passes' calibration has seen. Empty
    without validation windows or for a model that is not a neural denoiser.
    What decides between recipes that train differently (an ensemble against
    one network): it reads the validation records only.
    """
    import functools

    from skdenoise.metrics import snr
    from skdenoise.neural._base import predict_batch

    if validation_data is None or not hasattr(model, "_network_outputs"):
        return {}
    noisy, clean = (np.asarray(a, dtype=np.float64) for a in validation_data)
    X3 = noisy[:, :, None]
    before = snr(clean, noisy, per_series=True)

    def gain(outputs, rows=slice(None)):
        after = snr(clean[rows], outputs[rows, :, 0], per_series=True)
        return float(np.mean(after - before[rows]))

    outputs = model._network_outputs(X3)
    scores = {"val_snr_improvement": gain(outputs)}
    high = before >= HIGH_SNR_DB
    if np.any(high):
        scores["val_snr_improvement_above_18db"] = gain(outputs, high)
    n_passes = getattr(model, "n_passes_", 1)
    if n_passes > 1:
        one_pass = model._gated(X3, outputs, model.gate_snr_, model.gate_scale_)
        one_pass = one_pass * model.target_scale_ + model.target_offset_
        all_passes = model._transform(X3)
        scores["n_passes"] = n_passes
        for name, out in (("one_pass", one_pass), ("all_passes", all_passes)):
            scores[f"val_snr_improvement_{name}"] = gain(out)
            if np.any(high):
                scores[f"val_snr_improvement_{name}_above_18db"] = gain(out, high)
    if getattr(model, "ensemble_members_", None):
        alone = functools.partial(predict_batch, model.model_)
        scores["val_snr_improvement_first_member"] = gain(
            model._network_outputs(X3, alone)
        )
    return scores
