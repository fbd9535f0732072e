# initlint says: IL002 — He normal doubles the variance and drives tanh into saturation; the
# fix writes "glorot_uniform". The zero-initialised output layer is deliberate and not flagged.
from tensorflow import keras
from tensorflow.keras import layers

policy = keras.Sequential([
    layers.Dense(64, activation="tanh", kernel_initializer="he_normal", input_shape=(8,)),
    layers.Dense(64, activation="tanh"),
    layers.Dense(4, kernel_initializer="zeros"),
])
