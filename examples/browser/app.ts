/**
 * The page of the browser example: draw a digit on the canvas; the model (in a Web
 * Worker, model-worker.ts) classifies it and the probabilities show as bars. The
 * drawing is reduced to the model's input size (8x8 for the digits model, ink 0..1).
 */
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('pad');
const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
const status = $<HTMLElement>('status');
const bars = $<HTMLElement>('bars');
const prediction = $<HTMLElement>('prediction');

const worker = new Worker(new URL('./model-worker.js', import.meta.url), { type: 'module' });
let inputShape: number[] = [1, 1, 8, 8];
let nextId = 0;
let busy = false;
let again = false;

function clear(): void {
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  prediction.textContent = '-';
  bars.querySelectorAll<HTMLElement>('.bar > span').forEach((s) => { s.style.width = '0%'; });
}

/** The drawing as model input: mean ink per cell of an HxW grid, 0..1 (NCHW and NHWC alike for 1 channel). */
function pixels(): Float32Array {
  const [h, w] = inputShape.length === 4 ? (inputShape[1] === 1 ? [inputShape[2]!, inputShape[3]!] : [inputShape[1]!, inputShape[2]!]) : [8, 8];
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const out = new Float32Array(h * w);
  const ch = canvas.height / h, cw = canvas.width / w;
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) out[Math.floor(y / ch) * w + Math.floor(x / cw)] += img[(y * canvas.width + x) * 4]! / 255;
  }
  for (let i = 0; i < out.length; i++) out[i] /= ch * cw;
  return out;
}

function predict(): void {
  if (busy) { again = true; return; }
  busy = true;
  worker.postMessage({ type: 'run', id: nextId++, inputs: [pixels()] });
}

function showBars(logits: Float32Array, ms: number): void {
  const mx = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - mx));
  const sum = e.reduce((a, b) => a + b, 0);
  const p = e.map((v) => v / sum);
  if (bars.children.length !== p.length) {
    bars.innerHTML = p.map((_, i) => `<div class="row"><b>${i}</b><div class="bar"><span></span></div><i></i></div>`).join('');
  }
  p.forEach((v, i) => {
    const row = bars.children[i] as HTMLElement;
    (row.querySelector('.bar > span') as HTMLElement).style.width = `${(100 * v).toFixed(1)}%`;
    (row.querySelector('i') as HTMLElement).textContent = `${(100 * v).toFixed(1)}%`;
  });
  const best = p.indexOf(Math.max(...p));
  prediction.textContent = String(best);
  prediction.dataset.probability = p[best]!.toFixed(4);
  prediction.dataset.probabilities = JSON.stringify(p.map((v) => +v.toFixed(6)));
  status.dataset.ms = ms.toFixed(3);
}

worker.onmessage = (ev: MessageEvent) => {
  const m = ev.data as { type: string; backend?: string; note?: string; inputs?: { shape: number[] }[]; outputs?: { data: Float32Array }[]; ms?: number; message?: string };
  if (m.type === 'ready') {
    inputShape = m.inputs![0]!.shape;
    status.textContent = `model loaded, running on ${m.backend === 'webgpu' ? 'WebGPU' : 'the CPU (WASM)'} in a Web Worker${m.note ? ` (${m.note})` : ''}`;
    status.dataset.backend = m.backend;
    document.body.dataset.ready = 'true';
  } else if (m.type === 'result') {
    busy = false;
    showBars(m.outputs![0]!.data, m.ms!);
    if (again) { again = false; predict(); }
  } else {
    busy = false;
    status.textContent = `error: ${m.message}`;
    status.dataset.error = m.message;
  }
};

let drawing = false;
let last: [number, number] | null = null;
const at = (e: PointerEvent): [number, number] => {
  const r = canvas.getBoundingClientRect();
  return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
};
canvas.addEventListener('pointerdown', (e) => { drawing = true; last = at(e); canvas.setPointerCapture(e.pointerId); });
canvas.addEventListener('pointermove', (e) => {
  if (!drawing || !last) return;
  const p = at(e);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = canvas.width / 9;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(...last);
  ctx.lineTo(...p);
  ctx.stroke();
  last = p;
  predict();
});
const stop = () => { if (drawing) { drawing = false; last = null; predict(); } };
canvas.addEventListener('pointerup', stop);
canvas.addEventListener('pointerleave', stop);
$<HTMLButtonElement>('clear').addEventListener('click', clear);

clear();
// ?backend=cpu skips WebGPU (to compare, or where the GPU misbehaves)
worker.postMessage({ type: 'load', url: new URL('./model.tflite', location.href).href, backend: new URLSearchParams(location.search).get('backend') ?? 'auto' });
