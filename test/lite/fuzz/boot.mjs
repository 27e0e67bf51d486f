// Worker entry: registers tsx's TypeScript loader in this thread, then imports workerData.entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
