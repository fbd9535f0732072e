# initlint says: IL001 on both hidden layers (Glorot, the Keras default, under ReLU keeps only
# part of the variance per layer); the fix writes kernel_initializer="he_normal".
from tensorflow import keras
from tensorflow.keras import layers


def build_mlp(input_dim=784, num_classes=10):
    model = keras.Sequential([
        layers.Dense(256, activation="relu", input_shape=(input_dim,)),
        layers.Dense(128, activation="relu", kernel_initializer="glorot_uniform"),
        layers.Dense(num_classes, activation="softmax"),
    ])
    return model
