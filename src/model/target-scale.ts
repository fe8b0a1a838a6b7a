// MoEModel's import path for the target scaling, which lives with the data's (experts use it too).
export { type TargetScale, checkTargetScale, fitTargetScale, scaleTargets, unscaleTargets } from '../data/target-scale.js';
