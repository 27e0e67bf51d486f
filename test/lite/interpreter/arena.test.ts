/**
 * Arenas in the kernels' WASM memory: tensors are views of it, re-taken when the memory
 * grows between runs; runs freeze growth; results equal the plain-TypeScript path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadModel, type LiteModel } from '../../../lite-runtime/index.js';
import { createBackend } from '../../../lite-runtime/backends/index.js';
import { parseModel } from '../../../lite-runtime/format/model.js';
import { Interpreter } from '../../../lite-runtime/interpreter.js';
import { kernelMemory, setKernelBackend } from '../../../lite-runtime/kernels/index.js';
import { activeWasm } from '../../../lite-runtime/kernels/backend.js';
import { MODEL_FILES, modelBytes, readBmpGray } from '../models/shared.js';

function personInput(): Int8Array {
  const { gray } = readBmpGray(modelBytes('person.bmp'));
  return Int8Array.from(gray, (v) => v - 128);
}

function speechInput(): Int8Array {
  return Int8Array.from({ length: 1960 }, (_, i) => ((i * 37) % 256) - 128);
}

async function outputsOf(file: string, x: Int8Array): Promise<Int8Array> {
  const m = await loadModel(modelBytes(file));
  const out = Int8Array.from((await m.run([x]))[0]!.data as Int8Array);
  m.dispose();
  return out;
}

afterEach(() => setKernelBackend('wasm'));

describe('arena in the kernels\' memory', () => {
  it('holds the activations, and runs equal the TypeScript path exactly', async () => {
    setKernelBackend('js');
    const refPerson = await outputsOf('person_detect.tflite', personInput());
    const refSpeech = await outputsOf('micro_speech_quantized.tflite', speechInput());
    setKernelBackend('wasm');
    const interp = new Interpreter(parseModel(modelBytes('person_detect.tflite')), await createBackend('cpu'));
    const main = interp.subgraph(0);
    main.prepare();
    expect(main.inputTensors[0]!.data.buffer).toBe(kernelMemory()!.buffer);
    (main.inputTensors[0]!.data as Int8Array).set(personInput());
    main.run();
    expect(Int8Array.from(main.outputTensors[0]!.data as Int8Array)).toEqual(refPerson);
    interp.dispose();
    expect(await outputsOf('person_detect.tflite', personInput())).toEqual(refPerson);
    expect(await outputsOf('micro_speech_quantized.tflite', speechInput())).toEqual(refSpeech);
  });

  it('every real model gives the same outputs after the memory grew between runs', async () => {
    const mem = kernelMemory()!;
    for (const file of MODEL_FILES) {
      const m = await loadModel(modelBytes(file));
      const inputs = m.inputs.map((t, k) => {
        const n = t.shape.reduce((a, b) => a * b, 1);
        const v = Array.from({ length: n }, (_, i) => ((i * 29 + k * 7) % 200) - 100);
        return t.dtype === 'float32' ? Float32Array.from(v, (x) => x / 50) : t.dtype === 'int16' ? Int16Array.from(v) : Int8Array.from(v);
      });
      const first = (await m.run(inputs)).map((o) => Array.from(o.data as ArrayLike<number>));
      m.resetState();
      const before = mem.buffer, big = before.byteLength, off = mem.alloc(big); // larger than any free hole: grows
      expect(mem.buffer).not.toBe(before);
      const again = (await m.run(inputs)).map((o) => Array.from(o.data as ArrayLike<number>));
      expect(again, file).toEqual(first);
      mem.release(off, big);
      m.dispose();
    }
  });

  it('survives the memory growing between runs (views re-taken)', async () => {
    const m = await loadModel(modelBytes('person_detect.tflite'));
    const first = Int8Array.from((await m.run([personInput()]))[0]!.data as Int8Array);
    const mem = kernelMemory()!;
    const before = mem.buffer, big = 32 << 20;
    const off = mem.alloc(big); // grows: every view of the old buffer now reads as empty
    expect(mem.buffer).not.toBe(before);
    expect(before.byteLength).toBe(0);
    const again = (await m.run([personInput()]))[0]!.data as Int8Array;
    expect(Int8Array.from(again)).toEqual(first);
    mem.release(off, big);
    m.dispose();
  });

  it('a run freezes growth; a model loaded while frozen still runs right', async () => {
    const ref = await outputsOf('micro_speech_quantized.tflite', speechInput());
    const mem = kernelMemory()!;
    // fill the free space so that anything new would have to grow the memory
    const spare = mem.buffer.byteLength;
    const filler = mem.alloc(spare);
    const buf = mem.buffer;
    mem.freeze();
    let m: LiteModel | undefined;
    try {
      expect(() => mem.alloc(1 << 20)).toThrow(RangeError);
      m = await loadModel(modelBytes('micro_speech_quantized.tflite'));
      const out = Int8Array.from((await m.run([speechInput()]))[0]!.data as Int8Array);
      expect(out).toEqual(ref);
      expect(mem.buffer).toBe(buf);
    } finally {
      mem.thaw();
      m?.dispose();
      mem.release(filler, spare);
    }
  });

  it('dispose returns the arena and the packed weights to the kernels\' memory', async () => {
    const heap = activeWasm()!.heap;
    for (const file of ['person_detect.tflite', 'micro_speech_quantized.tflite']) {
      const warm = await loadModel(modelBytes(file)); // scratch areas reach their size
      warm.dispose();
      const before = heap.used();
      const m = await loadModel(modelBytes(file));
      await m.run([file.startsWith('person') ? personInput() : speechInput()]);
      expect(heap.used()).toBeGreaterThan(before);
      m.dispose();
      expect(heap.used()).toBe(before);
    }
  });
});
