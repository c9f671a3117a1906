"""Adam's update of one variable as one TensorFlow kernel, for eager steps.

Keras applies Adam (and AdamW) to each variable with about twenty small
operations. Inside a traced training step they cost little, but a short fit
runs eagerly (no tracing, see ``_EAGER_MAX_STEPS``), and there every operation
goes through Python: for a small network the optimizer took most of a
step's time (26 variables: 123 ms a step against 5 ms for TensorFlow's fused
``ResourceApplyAdam``, ``benchmarks/eager_optimizer.py``). The fused kernel
computes the same update, in the same order, in the variable's dtype:

    m += (g - m) (1 - beta_1)
    v += (g^2 - v) (1 - beta_2)
    var -= lr sqrt(1 - beta_2^t) / (1 - beta_1^t) m / (sqrt(v) + epsilon)

(float32 weights end a rounding apart; float64 weights about 3e-7 apart
after five steps, Keras' update being the one farther from an exact float64
computation.)

Traced steps (longer fits, where the Keras operations are compiled into the
graph) keep Keras' own update, so the recipes of the benchmarks train as they
did. The optimizer stays Keras' class (a saved network names Keras' Adam):
only the instance's ``_backend_update_step`` is replaced, and it falls back
to Keras' whenever the fused kernel would not compute the same thing
(AMSGrad, a distribution strategy, a backend other than TensorFlow, a variable
without a resource handle).
"""

import types

from .._tf import import_keras

keras = import_keras()


def _handle(variable):
    """The resource handle of a Keras or TensorFlow variable, or None."""
    if isinstance(variable, keras.Variable):
        variable = variable.value
    return getattr(variable, "handle", None)


def _fused_backend_update_step(self, grads, trainable_variables, learning_rate):
    import tensorflow as tf

    def keras_update():
        return type(self)._backend_update_step(
            self, grads, trainable_variables, learning_rate
        )

    if (
        not tf.executing_eagerly()
        or tf.distribute.has_strategy()
        or self.amsgrad
        or callable(self.beta_1)
        or callable(self.beta_2)
    ):
        return keras_update()
    handles = [_handle(variable) for variable in trainable_variables]
    slots = [
        (_handle(self._momentums[index]), _handle(self._velocities[index]))
        for index in map(self._get_variable_index, trainable_variables)
    ]
    if any(h is None for h in handles) or any(h is None for p in slots for h in p):
        return keras_update()
    scalars = {}
    for grad, variable, handle, (m_handle, v_handle) in zip(
        grads, trainable_variables, handles, slots, strict=True
    ):
        if grad is None:
            continue
        dtype = variable.dtype
        if dtype not in scalars:
            # As Keras computes them: in the variable's dtype.
            step = tf.cast(self.iterations + 1, dtype)
            beta_1 = tf.cast(self.beta_1, dtype)
            beta_2 = tf.cast(self.beta_2, dtype)
            scalars[dtype] = {
                "beta1_power": tf.pow(beta_1, step),
                "beta2_power": tf.pow(beta_2, step),
                "lr": tf.cast(learning_rate, dtype),
                "beta1": beta_1,
                "beta2": beta_2,
                "epsilon": tf.cast(self.epsilon, dtype),
            }
        tf.raw_ops.ResourceApplyAdam(
            var=handle,
            m=m_handle,
            v=v_handle,
            grad=tf.cast(grad, dtype),
            use_locking=False,
            use_nesterov=False,
            **scalars[dtype],
        )
    return None


def fuse_adam_updates(optimizer):
    """Eager Adam steps of ``optimizer`` (or the one it wraps) in one kernel.

    Adam and AdamW on the TensorFlow backend (AdamW's weight decay is applied
    apart, before the update, by Keras either way); other optimizers are left
    alone. Returns ``optimizer``.
    """
    if keras.backend.backend() != "tensorflow":
        return optimizer
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    if type(inner) not in (keras.optimizers.Adam, keras.optimizers.AdamW):
        return optimizer
    if "_backend_update_step" not in vars(inner):
        # A bound method (not a closure): copy.deepcopy of the optimizer
        # rebinds it to the copy (a shallow copy would not; none is made).
        inner._backend_update_step = types.MethodType(_fused_backend_update_step, inner)
    return optimizer
