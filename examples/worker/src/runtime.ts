// The lite runtime, as this template imports it. Inside the tglite repository it is the
// source; `tglite init worker` writes `export * from 'tglite/lite';` here.
export * from '../../../lite-runtime/index.js';
