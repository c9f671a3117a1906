"""Eager Adam steps in TensorFlow's fused kernel: the same update as Keras'."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from skdenoise import UNetDenoiser  # noqa: E402
from skdenoise._tf import import_keras  # noqa: E402
from skdenoise.neural._fused import fuse_adam_updates  # noqa: E402

keras = import_keras()

SHAPES = [(3, 4, 2), (2,), (5, 1)]


@pytest.fixture
def fused_calls(monkeypatch):
    """How many times TensorFlow's fused Adam kernel ran."""
    calls = []
    kernel = tf.raw_ops.ResourceApplyAdam

    def counting(**kwargs):
        calls.append(kwargs["var"])
        return kernel(**kwargs)

    monkeypatch.setattr(tf.raw_ops, "ResourceApplyAdam", counting)
    return calls


def _steps(
    make_optimizer, fused, *, steps=5, in_function=False, dtype="float32", inf_at=None
):
    rng = np.random.default_rng(0)
    variables = [
        keras.Variable(rng.standard_normal(shape).astype(dtype), dtype=dtype)
        for shape in SHAPES
    ]
    grads = [
        [tf.constant(rng.standard_normal(s).astype(dtype)) for s in SHAPES]
        for _ in range(steps)
    ]
    if inf_at is not None:
        grads[inf_at][0] = grads[inf_at][0] * np.inf
    optimizer = make_optimizer()
    optimizer.build(variables)
    if fused:
        assert fuse_adam_updates(optimizer) is optimizer
    apply = optimizer.apply
    if in_function:
        apply = tf.function(lambda step, _: optimizer.apply(step, variables))
    for step in grads:
        apply(step, variables)
    return [v.numpy() for v in variables], optimizer


OPTIMIZERS = {
    "adam": lambda: keras.optimizers.Adam(learning_rate=0.01),
    "adamw": lambda: keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
    "adam, moving average": lambda: keras.optimizers.Adam(0.01, use_ema=True),
    "adam, loss scaling": lambda: keras.optimizers.LossScaleOptimizer(
        keras.optimizers.Adam(learning_rate=0.01)
    ),
    "adam, schedule": lambda: keras.optimizers.Adam(
        keras.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)
    ),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_eager_steps_run_the_fused_kernel_and_match_keras(name, fused_calls):
    keras_weights, _ = _steps(OPTIMIZERS[name], fused=False)
    assert not fused_calls
    fused_weights, optimizer = _steps(OPTIMIZERS[name], fused=True)
    assert len(fused_calls) == 5 * len(SHAPES)
    for ours, theirs in zip(fused_weights, keras_weights, strict=True):
        # The same operations in the same order, a rounding apart at most
        # (five steps of about 0.01 each: 1e-6 is 1e-4 of the change).
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)
    assert not np.allclose(
        fused_weights[1], _steps(OPTIMIZERS[name], False, steps=0)[0][1]
    )
    # Still Keras' optimizer, with Keras' configuration.
    assert type(optimizer) is type(OPTIMIZERS[name]())
    serialized = keras.saving.serialize_keras_object(optimizer)
    assert serialized["module"] == "keras.optimizers"
    assert serialized["class_name"] == type(optimizer).__name__
    assert int(optimizer.iterations.numpy()) == 5


@pytest.mark.parametrize(
    ("make_optimizer", "settings", "updates"),
    [
        (lambda: keras.optimizers.Adam(0.01, gradient_accumulation_steps=2), {}, 2),
        (OPTIMIZERS["adam"], {"dtype": "float64"}, 5),
        # A step of non-finite gradients is skipped, fused or not.
        (OPTIMIZERS["adam, loss scaling"], {"inf_at": 2}, 4),
    ],
    ids=["accumulated", "float64", "skipped step"],
)
def test_accumulated_other_dtype_and_skipped_steps_match_keras(
    make_optimizer, settings, updates, fused_calls
):
    expected, _ = _steps(make_optimizer, fused=False, **settings)
    weights, optimizer = _steps(make_optimizer, fused=True, **settings)
    assert len(fused_calls) == updates * len(SHAPES)
    for ours, theirs in zip(weights, expected, strict=True):
        assert ours.dtype == theirs.dtype == settings.get("dtype", "float32")
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: keras.optimizers.Adam(0.01, amsgrad=True),
        lambda: keras.optimizers.RMSprop(0.01),
        lambda: keras.optimizers.SGD(0.01, momentum=0.9),
    ],
    ids=["amsgrad", "rmsprop", "sgd"],
)
def test_other_updates_are_keras_own(make_optimizer, fused_calls):
    expected, _ = _steps(make_optimizer, fused=False)
    weights, _ = _steps(make_optimizer, fused=True)
    assert not fused_calls
    for ours, theirs in zip(weights, expected, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_traced_steps_and_strategies_keep_keras_update(fused_calls):
    expected, _ = _steps(OPTIMIZERS["adam"], fused=False, in_function=True)
    weights, _ = _steps(OPTIMIZERS["adam"], fused=True, in_function=True)
    assert not fused_calls
    for ours, theirs in zip(weights, expected, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    results = []
    for fused in (False, True):
        with strategy.scope():
            rng = np.random.default_rng(0)
            variables = [
                keras.Variable(rng.standard_normal(s).astype("float32")) for s in SHAPES
            ]
            optimizer = OPTIMIZERS["adam"]()
            optimizer.build(variables)
            if fused:
                fuse_adam_updates(optimizer)
        for _ in range(3):
            grads = [
                tf.constant(rng.standard_normal(s).astype("float32")) for s in SHAPES
            ]
            strategy.run(lambda g=grads, o=optimizer, v=variables: o.apply(g, v))
        results.append([v.numpy() for v in variables])
    assert not fused_calls
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def _series():
    rng = np.random.default_rng(0)
    y = np.sin(np.linspace(0, 6, 32)) * rng.uniform(0.5, 2, (24, 1))
    return y + 0.2 * rng.standard_normal(y.shape), y


def test_a_short_fit_and_a_loaded_networks_partial_fit_use_it(fused_calls, tmp_path):
    from skdenoise.persistence import load, save

    X, y = _series()
    params = {**UNetDenoiser._get_test_params(), "epochs": 2}
    model = UNetDenoiser(**params).fit(X, y)
    assert model.model_.run_eagerly
    n_variables = len(model.model_.trainable_variables)
    n_steps = int(model.model_.optimizer.iterations.numpy())
    assert len(fused_calls) == n_steps * n_variables > 0
    assert type(model.model_.optimizer) is keras.optimizers.Adam
    save(model, tmp_path / "m.skdenoise")
    loaded = load(tmp_path / "m.skdenoise")
    # Loaded with Keras' own update; training fuses it again (continued
    # training is traced, where the fused update leaves Keras' in place).
    assert "_backend_update_step" not in vars(loaded.model_.optimizer)
    loaded.partial_fit(X, y)
    assert "_backend_update_step" in vars(loaded.model_.optimizer)


def test_a_short_fit_trains_as_with_keras_update(monkeypatch):
    X, y = _series()
    params = {**UNetDenoiser._get_test_params(), "epochs": 2}
    fused = UNetDenoiser(**params).fit(X, y).transform(X)
    import skdenoise.neural._base as base

    monkeypatch.setattr(base, "fuse_adam_updates", lambda optimizer: optimizer)
    plain = UNetDenoiser(**params).fit(X, y).transform(X)
    np.testing.assert_allclose(fused, plain, rtol=1e-4, atol=1e-5)
