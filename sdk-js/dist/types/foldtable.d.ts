/** FOLD_UNICODE_VERSION is the Unicode version of Go's tables the runs come from. */
export declare const FOLD_UNICODE_VERSION = "15.0.0";
/** FOLD_RUNS are {lo, hi, stride, delta} flattened: lo, lo+stride, …, hi fold to cp+delta. */
export declare const FOLD_RUNS: number[];
