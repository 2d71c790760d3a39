// Tiling shared by batched_gradient and column_moments: a block owns a tile of CT columns × BT problems and
// walks down the rows kTileRows at a time, staging the X tile (kTileRows × CT) and the R tile (kTileRows × BT)
// in shared memory, so each element of X is read from global memory once per problem tile and each R tile is
// reused by all CT columns of the block.
//
// BT (problems per block) is a power of two ≤ 32 chosen by the host as the smallest power of two ≥ B (capped at
// 32); the block then covers CT = max(32, 256 / BT) columns and each thread accumulates CPT = CT·BT/256 ∈ {1,2,4}
// (column, problem) outputs: thread t owns problem t % BT and the columns t / BT + q·(256 / BT), q < CPT.
// Consecutive threads therefore read consecutive R entries and threads of one column read the same X entry
// (a shared-memory broadcast).
#pragma once
#include "device.cuh"

constexpr int kTileRows = 16;
constexpr int kMaxProblemsPerBlock = 32;
constexpr int kMaxColumnsPerBlock = 256;
// One padding column so the transposing store into the X tile does not hit one bank 16 times.
constexpr int kXsPitch = kMaxColumnsPerBlock + 1;
constexpr int kMaxColumnsPerThread = 4;

struct TileShape
{
    int problems;       // BT
    int columns;        // CT
    int perThread;      // CPT
    int slots;          // 256 / BT: the column stride between one thread's outputs
};

GE_DEVICE TileShape tile_shape(int bt)
{
    TileShape shape;
    shape.problems = bt;
    shape.slots = kThreads / bt;
    shape.columns = shape.slots > 32 ? shape.slots : 32;
    shape.perThread = shape.columns * bt / kThreads;
    return shape;
}

// Loads rows [i0, i0 + kTileRows) of the block's columns of X and of its problems' columns of R (zero-padded past
// n, past the last column and past the last problem, so padding contributes nothing to any sum).
template <typename TX>
GE_DEVICE void stage_tile(double* xs, double* rs, const TX* __restrict__ x, long long n, const int* __restrict__ columns,
    int columnCount, int k0, int ct, const double* __restrict__ r, int batch, int b0, int bt, long long i0)
{
    int t = ge_thread_x();
    for (int idx = t; idx < kTileRows * ct; idx += kThreads)
    {
        int c = idx / kTileRows;
        int row = idx % kTileRows;
        int k = k0 + c;
        long long i = i0 + row;
        double v = 0.0;
        if (k < columnCount && i < n)
        {
            long long j = columns ? columns[k] : k;
            v = (double)x[j * n + i];
        }
        xs[row * kXsPitch + c] = v;
    }

    for (int idx = t; idx < kTileRows * bt; idx += kThreads)
    {
        int b = idx / kTileRows;
        int row = idx % kTileRows;
        long long i = i0 + row;
        double v = 0.0;
        if (b0 + b < batch && i < n)
        {
            v = r[(long long)(b0 + b) * n + i];
        }
        rs[row * kMaxProblemsPerBlock + b] = v;
    }
}
