// Layer kinds by name: how a network is rebuilt from its plain-data spec. A new kind is its
// own file, its test and one line here — or, for a layer above this package (the MoE layer
// in src/moe), one registerLayer call there.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { Dense, type DenseSpec } from './dense.js';
import type { Layer, LayerSpec } from './layer.js';

export type LayerFactory = (backend: Backend, inputs: number, spec: LayerSpec, name: string) => Layer;

const LAYERS: Record<string, LayerFactory> = {
  dense: (backend, inputs, spec, name) => new Dense(backend, inputs, spec as DenseSpec, name),
};

/** Adds (or replaces) the constructor of layer kind `kind`: specs of that kind build with it from then on. */
export function registerLayer(kind: string, factory: LayerFactory): void {
  LAYERS[kind] = factory;
}

/** The layer `spec` describes (kind 'dense' when unset), reading `inputs` values per row; `index` names it ('dense0'). */
export function createLayer(backend: Backend, inputs: number, spec: LayerSpec, index: number): Layer {
  const kind = spec.kind ?? 'dense';
  const make = Object.hasOwn(LAYERS, kind) ? LAYERS[kind] : fail('ERR_BAD_ARGUMENT', `unknown layer kind '${String(kind)}': use ${Object.keys(LAYERS).join(', ')}`);
  return make(backend, inputs, spec, `${kind}${index}`);
}
