// The products bench/gemm.ts measures: the shapes an MNIST MLP step uses (m×k×n: layer 1
// forward, layer 2, the TN weight gradient, the NT input gradient, and 512³), then a MoE's
// router logits (8 experts) and a 784-64-10 model's first layer, in NN, NT, TN.
export const SHAPES = [[128, 784, 512], [128, 512, 10], [784, 128, 512], [128, 512, 784], [512, 512, 512], [256, 784, 8], [256, 784, 64]];
export const FORMS = ['NN', 'NT', 'TN'];

/** Deterministic fill in [-1, 1): the values do not matter to the speed, only that they are finite. */
export const data = (n, salt = 0) => Float32Array.from({ length: n }, (_, i) => (((i + salt) * 7919) % 2003) / 1001.5 - 1);

/** [transposeA, transposeB] of a form. */
export const transposes = (form) => [form === 'TN', form === 'NT'];
