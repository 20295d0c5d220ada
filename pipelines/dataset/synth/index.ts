export { generateDataset } from './generator.js';
export type { SynthFileSummary, SynthSummary } from './generator.js';
export type { SynthOptions } from './options.js';
export { LABEL_ROWS, captureSizes, minimumRows, rowsFloor } from './capture-sizes.js';
export type { CaptureSize } from './capture-sizes.js';
export { PROFILES } from './profiles.js';
export type { ClassProfile, Dynamics } from './profiles.js';
export { NOTICE_FILE } from './notice.js';
