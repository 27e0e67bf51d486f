// Filled in by its owner; see the issue tracker.
export {};
