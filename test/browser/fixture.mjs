// The model the stand-in extension sends: the seed tutorial's experiment (input 100, five
// Dense(50) tanh layers drawn from N(0, 0.01²)), as a file's model so "Apply to code" is on.
export function tutorialModel() {
  return {
    name: 'tutorial_mlp',
    framework: 'keras',
    file: 'examples/tutorial.py',
    preset: false,
    defaultInputWidth: 100,
    layers: Array.from({ length: 5 }, (_, i) => ({
      label: `Dense(50) #${i + 1}`,
      kind: 'dense',
      fanIn: i === 0 ? 100 : 50,
      fanOut: 50,
      units: 50,
      receptiveField: 1,
      kernel: { label: 'RandomNormal(stddev=0.01)', distribution: 'normal', variance: 1e-4 },
      activation: { name: 'tanh', family: 'tanh' },
      normalized: false,
      predictedGain: (i === 0 ? 100 : 50) * 1e-4,
      recommended: 'glorot_uniform',
      findings: [{ code: 'IL004', severity: 'warning', message: 'Variance shrinks by 0.005 per layer.' }],
      // What the extension says Apply would do: the last layer's initializer is set by a shared call.
      apply:
        i === 4
          ? {
              he_normal: { edit: false, reason: 'no safe edit: its initializer is set by a call that also initializes other layers' },
              orthogonal: { edit: false, reason: 'no safe edit: its initializer is set by a call that also initializes other layers' },
            }
          : { orthogonal: { edit: true } },
    })),
  };
}
