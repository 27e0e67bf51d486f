/**
 * ONNX export: `tg.onnx.export(model, [x], { inputNames, dynamicAxes, path })`.
 * @example const bytes = tg.onnx.export((x: tg.Tensor) => x.relu(), [tg.randn([2, 3])]);
 */
export { exportModel as export, exportGraph, exportableOps, type ExportOptions, type DynamicAxes } from './export.js';
export { OnnxExportError } from './context.js';
