// Layer kinds by name: how a network is rebuilt from its plain-data spec. A new kind is its
// own file, its test and one line here.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { Dense, type DenseSpec } from './dense.js';
import type { Layer, LayerSpec } from './layer.js';

export type LayerFactory = (backend: Backend, inputs: number, spec: LayerSpec, name: string) => Layer;

const LAYERS: Readonly<Record<string, LayerFactory>> = {
  dense: (backend, inputs, spec, name) => new Dense(backend, inputs, spec as DenseSpec, name),
};

/** The layer `spec` describes (kind 'dense' when unset), reading `inputs` values per row; `index` names it ('dense0'). */
export function createLayer(backend: Backend, inputs: number, spec: LayerSpec, index: number): Layer {
  const kind = spec.kind ?? 'dense';
  const make = Object.hasOwn(LAYERS, kind) ? LAYERS[kind] : fail('ERR_BAD_ARGUMENT', `unknown layer kind '${String(kind)}': use ${Object.keys(LAYERS).join(', ')}`);
  return make(backend, inputs, spec, `${kind}${index}`);
}
