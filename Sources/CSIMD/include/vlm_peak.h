// The machine's floating-point ceiling, measured: model FLOPs utilisation is stated against
// what this CPU's FMA units deliver in the same session (clock and host vary between runs of
// a shared machine by 30% and more), not against a data-sheet or yesterday's figure.
#ifndef VLM_PEAK_H
#define VLM_PEAK_H

// Runs `iterations` rounds of VLM_PEAK_CHAINS independent vector FMA chains
// (acc = acc * x + y, 16 f32 lanes each) on each of `threads` threads (pthreads, one chain set
// per thread, all started together) and returns the wall-clock seconds of the slowest.
// `checksum` receives the sum of every lane of every chain of thread 0, so the work cannot be
// optimised away and a test can check that it was done: each lane starts at 1 and is updated
// with x = 0.5, y = 1.
enum { VLM_PEAK_CHAINS = 12, VLM_PEAK_LANES = 16 };
double vlm_fma_run(int threads, long iterations, double *checksum);

#endif
