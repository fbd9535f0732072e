# initlint says: the conv blocks are fine (BatchNorm sits between each convolution and its
# ReLU); the dense head draws N(0, 0.001^2) kernels, 1/100 of He's 2/fan_in: IL004.
import keras
from keras import layers


def conv_block(x, filters):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def build_cnn(num_classes=10):
    inputs = keras.Input(shape=(32, 32, 3))
    x = conv_block(inputs, 32)
    x = conv_block(x, 64)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(256, activation="relu", kernel_initializer=keras.initializers.RandomNormal(stddev=0.001))(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
